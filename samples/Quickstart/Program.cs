// Quickstart: builds a small Keras model on TorchSharp, runs a forward pass and prints the configuration it ran with,
// then trains it with a checkpoint and a backup, saves it as a .keras file and loads it back.
using Keras;
using Keras.Layers;
using Keras.Models;
using TorchSharp;

Utils.SetRandomSeed(42);

var model = new Sequential(new Layer[]
{
    new Dense(32, activation: "relu"),
    new Dense(16, activation: "relu"),
    new Dense(3, activation: "softmax"),
});

using var x = torch.rand(4, 8);
using var y = model.Call(x);

Console.WriteLine("Keras configuration");
Console.WriteLine($"  keras version (runtime)  {Keras.Config.Version()} (Keras API {Keras.Config.KerasApiVersion})");
Console.WriteLine($"  keras.json               {Keras.Hosting.KerasBakedConfig.SourcePath ?? "~/.keras/keras.json (nothing baked)"}" +
                  $" (baked at build time: floatx {Keras.Generated.KerasJson.Floatx}, epsilon {Keras.Generated.KerasJson.Epsilon:0.###e+00})");
Console.WriteLine($"  backend                  {Keras.Config.Backend()}");
Console.WriteLine($"  floatx                   {Keras.Config.Floatx()}");
Console.WriteLine($"  epsilon                  {Keras.Config.Epsilon():0.###e+00}");
Console.WriteLine($"  image_data_format        {Keras.Config.ImageDataFormat()}");
Console.WriteLine($"  dtype policy             {Keras.Config.DtypePolicy()}");
Console.WriteLine($"  max epochs / steps       {Keras.Config.MaxEpochs()?.ToString() ?? "None"} / {Keras.Config.MaxStepsPerEpoch()?.ToString() ?? "None"}");
Console.WriteLine($"  TorchSharp device        {torch.CPU} (CUDA available: {torch.cuda.is_available()})");
Console.WriteLine();

model.Summary();
Console.WriteLine();
Console.WriteLine($"Forward pass: input [{string.Join(", ", x.shape)}] -> output [{string.Join(", ", y.shape)}], dtype {y.dtype}");
var rows = y.data<float>().ToArray();
for (int i = 0; i < y.shape[0]; i++)
{
    var row = rows.Skip(i * 3).Take(3).ToArray();
    Console.WriteLine($"  sample {i}: [{string.Join(", ", row.Select(v => v.ToString("0.0000")))}]  (sum {row.Sum():0.0000})");
}

// Train briefly with a checkpoint and a crash-safe backup, save the whole model, load it back.
string work = Path.Combine(Path.GetTempPath(), "keras-quickstart-" + Environment.ProcessId);
try
{
    using var features = torch.rand(64, 8);
    using var labels = features.argmax(1).remainder(3); // a learnable rule: which third of the features is largest
    model.Compile("adam", "sparse_categorical_crossentropy", new[] { "accuracy" });
    var history = model.Fit(features, labels, batchSize: 16, epochs: 5, verbose: 0, callbacks: new Keras.Callbacks.Callback[]
    {
        new Keras.Callbacks.ModelCheckpoint(Path.Combine(work, "best.weights.h5"), monitor: "loss", saveBestOnly: true, saveWeightsOnly: true),
        new Keras.Callbacks.BackupAndRestore(Path.Combine(work, "backup")),
    });
    Console.WriteLine();
    Console.WriteLine($"Trained 5 epochs: loss {history.HistoryDict["loss"][0]:0.0000} -> {history.HistoryDict["loss"][^1]:0.0000}");
    string saved = Path.Combine(work, "quickstart.keras");
    model.Save(saved);
    var reloaded = Keras.Saving.LoadModel(saved);
    using var before = model.Predict(features);
    using var after = reloaded.Predict(features);
    Console.WriteLine($"Saved {Path.GetFileName(saved)} ({new FileInfo(saved).Length:N0} bytes); reloaded model reproduces the predictions: {before.equal(after).all().item<bool>()}");
}
finally
{
    if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
}

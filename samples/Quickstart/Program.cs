// Quickstart: builds a small Keras model on TorchSharp, runs a forward pass and prints the configuration it ran with.
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

using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>ModelCheckpoint: Keras' filepath rules, placeholders, save_best_only with its monitor mode, batch frequency.</summary>
public class ModelCheckpointTests : KerasTestBase
{
    private string Dir => Path.Combine(KerasHome, "ckpt");

    private static Sequential Model()
    {
        var model = new Sequential(new Layer[] { new Dense(2), new Dense(1) });
        model.Build(new long[] { -1, 3 });
        model.Compile("sgd", "mse", new[] { "mae" });
        return model;
    }

    private static void Feed(ModelCheckpoint callback, Model model, params double[] losses)
    {
        callback.Model = model;
        callback.OnTrainBegin();
        for (int epoch = 0; epoch < losses.Length; epoch++)
        {
            callback.OnEpochBegin(epoch);
            using var w = torch.full(new long[] { 3, 2 }, (float)epoch);
            model.Layers[0].Weights[0].Assign(w);
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { ["loss"] = losses[epoch], ["val_loss"] = losses[epoch] / 10 });
        }
    }

    [Fact]
    public void Saves_weights_every_epoch_with_epoch_and_metric_placeholders()
    {
        var callback = new ModelCheckpoint(Path.Combine(Dir, "w-{epoch:02d}-{val_loss:.3f}.weights.h5"), saveWeightsOnly: true);
        Feed(callback, Model(), 3, 2);
        Assert.Equal(new[] { "w-01-0.300.weights.h5", "w-02-0.200.weights.h5" }, Directory.GetFiles(Dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Save_best_only_saves_on_improvement_and_reports_as_Keras()
    {
        var output = new StringWriter();
        Utilities.IoUtils.StdoutOverride = output;
        string path = Path.Combine(Dir, "best.weights.h5");
        var callback = new ModelCheckpoint(path, monitor: "loss", saveBestOnly: true, saveWeightsOnly: true, verbose: 1);
        var model = Model();
        Feed(callback, model, 3, 2, 2.5, 4);
        Assert.Equal(2, callback.Best);
        var check = Model();
        check.LoadWeights(path);
        Assert.Equal(1f, check.Layers[0].Weights[0].ToArray<float>()[0]); // the weights of epoch index 1 (loss 2)
        string text = output.ToString();
        Assert.Contains("Epoch 1: loss improved from inf to 3.00000, saving model to " + path, text);
        Assert.Contains("Epoch 2: loss improved from 3.00000 to 2.00000, saving model to " + path, text);
        Assert.Contains("Epoch 3: loss did not improve from 2.00000", text);
    }

    [Fact]
    public void Max_mode_and_initial_value_threshold_decide_the_first_save()
    {
        string path = Path.Combine(Dir, "best.weights.h5");
        var callback = new ModelCheckpoint(path, monitor: "loss", mode: "max", saveBestOnly: true, saveWeightsOnly: true, initialValueThreshold: 5);
        Feed(callback, Model(), 3, 4);
        Assert.False(File.Exists(path));
        Feed(callback, Model(), 3, 6);
        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_missing_monitor_warns_and_skips()
    {
        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        var callback = new ModelCheckpoint(Path.Combine(Dir, "m.weights.h5"), monitor: "val_accuracy", mode: "max", saveBestOnly: true, saveWeightsOnly: true);
        Feed(callback, Model(), 1);
        Assert.Contains("Can save best model only with val_accuracy available, skipping.", warnings.ToString());
        Assert.False(Directory.Exists(Dir));
    }

    [Fact]
    public void Saves_whole_models_during_fit_that_LoadModel_reads()
    {
        var model = Model();
        using var x = torch.ones(8, 3);
        using var y = torch.ones(8, 1);
        string path = Path.Combine(Dir, "model-{epoch}.keras");
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: new Callback[] { new ModelCheckpoint(path, monitor: "loss") });
        var loaded = Saving.LoadModel(Path.Combine(Dir, "model-2.keras"));
        Assert.Equal(model.Weights.Select(w => w.ToArray<float>()), loaded.Weights.Select(w => w.ToArray<float>()));
    }

    [Fact]
    public void Batch_frequency_saves_every_n_batches_with_the_batch_placeholder()
    {
        var model = Model();
        using var x = torch.ones(12, 3);
        using var y = torch.ones(12, 1);
        var callback = new ModelCheckpoint(Path.Combine(Dir, "e{epoch}-b{batch}.weights.h5"), saveFreq: 2, saveWeightsOnly: true);
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, callbacks: new Callback[] { callback });
        // 3 batches per epoch: saves after the 2nd (epoch 1) and the 4th overall (epoch 2, its 1st batch), then the 6th.
        Assert.Equal(new[] { "e1-b2.weights.h5", "e2-b1.weights.h5", "e2-b3.weights.h5" }, Directory.GetFiles(Dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Filepaths_and_frequencies_are_checked_as_Keras()
    {
#pragma warning disable KERAS201 // the runtime's own check of what the analyzer reports at compile time
        Assert.Contains("the filepath provided must end in `.weights.h5`",
            Assert.Throws<KerasArgumentException>(() => new ModelCheckpoint("a.keras", saveWeightsOnly: true)).Message);
        Assert.Contains("The filepath provided must end in `.keras`",
            Assert.Throws<KerasArgumentException>(() => new ModelCheckpoint("a.weights.h5")).Message);
#pragma warning restore KERAS201
        Assert.Contains("Unrecognized save_freq", Assert.Throws<KerasArgumentException>(() => new ModelCheckpoint("a.keras", saveFreq: "batch")).Message);
        Assert.Contains("Failed to format this callback filepath",
            Assert.Throws<KerasArgumentException>(() => new ModelCheckpoint("{nope}.keras").FormatPath(0, null, null)).Message);
        Assert.Equal("ckpt-005-0.12-1.500e-03.keras",
            new ModelCheckpoint("ckpt-{epoch:03d}-{val_loss:.2f}-{lr:.3e}.keras").FormatPath(4, null, new Dictionary<string, double> { ["val_loss"] = 0.1234, ["lr"] = 0.0015 }));
    }
}

/// <summary>The monitor-mode rule the monitoring callbacks share.</summary>
public class MonitorModeTests : KerasTestBase
{
    [Fact]
    public void An_unknown_mode_warns_with_each_callbacks_Keras_message_and_falls_back_to_auto()
    {
        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        Assert.Equal("auto", new EarlyStopping(mode: "maximal").Mode);
        Assert.Equal("auto", new ModelCheckpoint("m.keras", mode: "maximal").Mode);
        Assert.Equal("auto", new ReduceLROnPlateau(mode: "maximal").Mode);
        string text = warnings.ToString();
        Assert.Contains("EarlyStopping mode 'maximal' is unknown, fallback to auto mode.", text);
        Assert.Contains("ModelCheckpoint mode 'maximal' is unknown, fallback to auto mode.", text);
        Assert.Contains("Learning rate reduction mode maximal is unknown, fallback to auto mode.", text);
    }
}

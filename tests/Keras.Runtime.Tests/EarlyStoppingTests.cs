using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>EarlyStopping, pinned to keras-reference.md §5.4 and keras/src/callbacks/early_stopping_test.py.</summary>
public class EarlyStoppingTests : KerasTestBase
{
    private static Sequential Model()
    {
        var model = new Sequential(new Layer[] { new Dense(1, useBias: false) });
        model.Build(new long[] { -1, 1 });
        model.Compile("sgd", "mse", new[] { "accuracy", "mse" });
        return model;
    }

    /// <summary>Feeds epoch logs as Fit would; the weight is set to the epoch index before each epoch end.</summary>
    private static int Run(EarlyStopping callback, Sequential model, double[] values, string key = "loss")
    {
        callback.Model = model;
        callback.OnTrainBegin();
        int epochs = 0;
        for (int epoch = 0; epoch < values.Length; epoch++)
        {
            epochs++;
            using var w = torch.full(new long[] { 1, 1 }, (float)epoch);
            model.Weights[0].Assign(w);
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { [key] = values[epoch] });
            if (model.StopTraining) break;
        }
        callback.OnTrainEnd();
        return epochs;
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(1, 3)]
    [InlineData(2, 4)]
    [InlineData(3, 5)]
    public void Patience_table_stops_at_max_patience_1_plus_2(int patience, int stoppedEpoch)
    {
        var callback = new EarlyStopping(monitor: "loss", patience: patience);
        Run(callback, Model(), new[] { 10, 9, 8, 9, 8.9, 8.8, 8.7, 8.6, 8.5 });
        Assert.Equal(stoppedEpoch, callback.StoppedEpoch);
    }

    [Fact]
    public void Restore_best_weights_restores_the_best_epoch()
    {
        var model = Model();
        var callback = new EarlyStopping(monitor: "loss", patience: 2, restoreBestWeights: true);
        Run(callback, model, new[] { 0.2, 0.15, 0.1, 0.11, 0.12 });
        Assert.Equal(2, callback.BestEpoch);
        Assert.Equal(2f, model.Weights[0].ToArray<float>()[0]);
    }

    [Fact]
    public void Baseline_trains_exactly_5_epochs_and_restores_epoch_2()
    {
        var model = Model();
        var callback = new EarlyStopping(monitor: "loss", patience: 5, baseline: 0.5, restoreBestWeights: true);
        int epochs = Run(callback, model, new[] { 0.9, 0.8, 0.7, 0.71, 0.72, 0.73 });
        Assert.Equal(5, epochs);
        Assert.Equal(2f, model.Weights[0].ToArray<float>()[0]);
    }

    [Fact]
    public void Start_from_epoch_delays_monitoring()
    {
        var callback = new EarlyStopping(monitor: "loss", patience: 3, startFromEpoch: 2);
        int epochs = Run(callback, Model(), new[] { 1.0, 1, 1, 1, 1, 1, 1, 1, 1, 1 });
        Assert.True(epochs >= 5);
    }

    [Theory]
    [InlineData("loss", false)]
    [InlineData("val_loss", false)]
    [InlineData("mse", false)]
    [InlineData("val_accuracy", true)]
    [InlineData("accuracy", true)]
    public void Auto_mode_resolves_direction_from_the_compiled_metrics(string monitor, bool maximize)
    {
        var callback = new EarlyStopping(monitor: monitor, patience: 0);
        Run(callback, Model(), maximize ? new[] { 0.5, 0.4 } : new[] { 0.4, 0.5 }, monitor);
        Assert.Equal(1, callback.StoppedEpoch);
    }

    [Fact]
    public void An_unknown_metric_in_auto_mode_is_an_error()
    {
        var callback = new EarlyStopping(monitor: "f2_score");
        var e = Assert.Throws<KerasArgumentException>(() => Run(callback, Model(), new[] { 1.0 }, "f2_score"));
        Assert.StartsWith("EarlyStopping callback received monitor=f2_score, but Keras isn't able to automatically determine", e.Message);
    }

    [Fact]
    public void A_callback_instance_can_be_reused()
    {
        var model = Model();
        var callback = new EarlyStopping(monitor: "loss", patience: 0);
        Run(callback, model, new[] { 1.0, 2.0 });
        model.StopTraining = false;
        Assert.Equal(3, Run(callback, model, new[] { 3.0, 2.0, 2.5 }));
    }

    [Fact]
    public void Early_stopping_ends_a_real_fit()
    {
        using var x = torch.rand(32, 1);
        using var y = torch.rand(32, 1);
        var model = Model();
        var history = model.Fit(x, y, epochs: 50, verbose: 0,
            callbacks: new[] { new EarlyStopping(monitor: "loss", patience: 0, minDelta: 10) });
        Assert.Equal(2, history.Epoch.Count);
    }
}

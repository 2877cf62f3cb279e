using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

public class MoreCallbacksTests : KerasTestBase
{
    private static Sequential Compiled(Optimizer? optimizer = null)
    {
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Compile(optimizer ?? new SGD(0.01), new Losses.MeanSquaredError(), new[] { Metrics.Metric.Get("mae") });
        return model;
    }

    [Fact]
    public void Lambda_callback_hooks_are_called_in_fit_order()
    {
        var calls = new List<string>();
        using var x = torch.rand(8, 2);
        using var y = torch.rand(8, 1);
        Compiled().Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: new[]
        {
            new LambdaCallback(
                onTrainBegin: _ => calls.Add("train_begin"),
                onEpochBegin: (e, _) => calls.Add($"epoch_begin {e}"),
                onTrainBatchEnd: (b, logs) => calls.Add($"batch_end {b} {logs!.ContainsKey("loss")}"),
                onEpochEnd: (e, logs) => calls.Add($"epoch_end {e} {string.Join(",", logs!.Keys)}"),
                onTrainEnd: _ => calls.Add("train_end")),
        });
        Assert.Equal(new[]
        {
            "train_begin", "epoch_begin 0", "batch_end 0 True", "batch_end 1 True", "epoch_end 0 loss,mae",
            "epoch_begin 1", "batch_end 0 True", "batch_end 1 True", "epoch_end 1 loss,mae", "train_end",
        }, calls);
    }

    [Fact]
    public void Csv_logger_writes_a_header_and_a_row_per_epoch_and_appends_without_a_second_header()
    {
        string file = Path.Combine(KerasHome, "log.csv");
        using var x = torch.rand(8, 2);
        using var y = torch.rand(8, 1);
        var model = Compiled();
        model.Fit(x, y, epochs: 2, verbose: 0, callbacks: new[] { new CSVLogger(file) });
        var lines = File.ReadAllLines(file);
        Assert.Equal("epoch,loss,mae", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("1,", lines[2]);

        model.Fit(x, y, epochs: 1, verbose: 0, callbacks: new[] { new CSVLogger(file, append: true) });
        lines = File.ReadAllLines(file);
        Assert.Equal(4, lines.Length);
        Assert.Single(lines, l => l.StartsWith("epoch", StringComparison.Ordinal));
    }

    [Fact]
    public void Reduce_lr_on_plateau_cuts_the_learning_rate_after_patience_epochs()
    {
        var optimizer = new SGD(0.1);
        var model = Compiled(optimizer);
        var callback = new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 2, minLr: 0.01) { Model = model };
        callback.OnTrainBegin();
        foreach (var (epoch, loss) in new[] { (0, 1.0), (1, 1.0), (2, 1.0), (3, 1.0), (4, 1.0), (5, 1.0), (6, 1.0), (7, 1.0), (8, 1.0) })
            callback.OnEpochEnd(epoch, new Dictionary<string, double> { ["loss"] = loss });
        // 0: best; 1, 2: wait 1, 2 → 0.05; 3, 4 → 0.025; 5, 6 → 0.0125; 7, 8 → floor 0.01
        Assert.Equal(0.01, optimizer.LearningRate, 10);
        Assert.Throws<KerasArgumentException>(() => new ReduceLROnPlateau(factor: 1.0));
    }
}

using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>TensorBoard: event files in Keras' layout, read back as TensorBoard reads them (TFRecord framing + Event protos).</summary>
public class TensorBoardTests : KerasTestBase
{
    private string LogDir => Path.Combine(KerasHome, "logs");

    /// <summary>Every (tag, step, value or histogram-count) in the event files under <paramref name="dir"/>.</summary>
    private static List<(string Tag, long Step, float Value, bool Histogram)> Read(string dir)
    {
        var result = new List<(string, long, float, bool)>();
        foreach (var file in Directory.GetFiles(dir, "events.out.tfevents.*"))
        {
            byte[] bytes = File.ReadAllBytes(file);
            int pos = 0;
            while (pos < bytes.Length)
            {
                long length = BitConverter.ToInt64(bytes, pos);
                pos += 12; // length + its masked CRC
                var e = Tensorboard.Event.Parser.ParseFrom(bytes, pos, (int)length);
                pos += (int)length + 4; // data + its masked CRC
                if (e.Summary == null) continue;
                foreach (var v in e.Summary.Value)
                    result.Add((v.Tag, e.Step, v.SimpleValue, v.ValueCase == Tensorboard.Summary.Types.Value.ValueOneofCase.Histo));
            }
        }
        return result;
    }

    private static Sequential Model()
    {
        var model = new Sequential(new Layer[] { new Dense(4, activation: "relu"), new Dense(1) });
        model.Build(new long[] { -1, 3 });
        model.Compile("sgd", "mse", new[] { "mae" });
        return model;
    }

    [Fact]
    public void Writes_epoch_scalars_to_train_and_validation_runs_as_Keras()
    {
        var model = Model();
        using var x = torch.randn(20, 3);
        using var y = torch.randn(20, 1);
        var history = model.Fit(x, y, batchSize: 5, epochs: 3, verbose: 0, validationSplit: 0.2, callbacks: new Callback[] { new TensorBoard(LogDir) });

        var train = Read(Path.Combine(LogDir, "train"));
        var validation = Read(Path.Combine(LogDir, "validation"));
        Assert.Equal(new long[] { 0, 1, 2 }, train.Where(e => e.Tag == "epoch_loss").Select(e => e.Step));
        Assert.Equal(history.HistoryDict["loss"].Select(v => (float)v), train.Where(e => e.Tag == "epoch_loss").Select(e => e.Value));
        Assert.Equal(history.HistoryDict["val_mae"].Select(v => (float)v), validation.Where(e => e.Tag == "epoch_mae").Select(e => e.Value));
        Assert.Equal(0.01f, train.First(e => e.Tag == "epoch_learning_rate").Value);
        Assert.DoesNotContain(train, e => e.Tag.StartsWith("epoch_val_", StringComparison.Ordinal));
        Assert.DoesNotContain(train, e => e.Tag.StartsWith("batch_", StringComparison.Ordinal));
    }

    [Fact]
    public void Batch_frequency_and_histograms()
    {
        var model = Model();
        using var x = torch.randn(20, 3);
        using var y = torch.randn(20, 1);
        model.Fit(x, y, batchSize: 5, epochs: 2, verbose: 0,
            callbacks: new Callback[] { new TensorBoard(LogDir, histogramFreq: 1, writeStepsPerSecond: true, updateFreq: 2) });
        var train = Read(Path.Combine(LogDir, "train"));
        Assert.Equal(new long[] { 2, 4, 6, 8 }, train.Where(e => e.Tag == "batch_loss").Select(e => e.Step));
        Assert.Equal(2, train.Count(e => e.Tag == "epoch_steps_per_second" && e.Value > 0));
        string kernel = model.Layers[0].Weights[0].Path + "/histogram";
        Assert.Equal(new long[] { 0, 1 }, train.Where(e => e.Tag == kernel && e.Histogram).Select(e => e.Step));
    }

    [Fact]
    public void Invalid_arguments_are_rejected()
    {
        Assert.Throws<KerasArgumentException>(() => new TensorBoard(LogDir, updateFreq: "hourly"));
        Assert.Throws<KerasArgumentException>(() => new TensorBoard(LogDir, 0, false, 0));
        Assert.Throws<KerasArgumentException>(() => new TensorBoard(""));
        Assert.Throws<KerasArgumentException>(() => new TensorBoard(LogDir, histogramFreq: -1));
    }
}

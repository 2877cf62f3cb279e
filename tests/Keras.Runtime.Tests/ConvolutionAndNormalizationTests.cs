using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Conv2D, MaxPooling2D, Flatten in both image data formats; BatchNormalization's training rules (§5.6).</summary>
public class ConvolutionAndNormalizationTests : KerasTestBase
{
    [Theory]
    [InlineData("valid", 1, 6, 6)]
    [InlineData("same", 1, 8, 8)]
    [InlineData("same", 2, 4, 4)]
    [InlineData("valid", 2, 3, 3)]
    public void Conv2D_output_shapes_follow_keras_padding_rules(string padding, int strides, long h, long w)
    {
        var conv = new Conv2D(5, 3, strides: strides, padding: padding);
        using var x = torch.rand(2, 8, 8, 3);
        using var y = conv.Call(x);
        Assert.Equal(new[] { 2L, h, w, 5 }, y.shape);
        Assert.Equal(new[] { 2L, h, w, 5 }, conv.ComputeOutputShape(new long[] { 2, 8, 8, 3 }));
        Assert.Equal(new long[] { 3, 3, 3, 5 }, conv.Kernel!.Shape); // Keras' kernel layout
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void The_same_weights_give_the_same_results_in_both_data_formats(string padding)
    {
        using var nhwc = torch.rand(2, 7, 7, 3);
        using var nchw = nhwc.permute(0, 3, 1, 2).contiguous();
        var last = new Sequential(new Layer[] { new Conv2D(4, 3, padding: padding, dataFormat: "channels_last", activation: "relu"), new MaxPooling2D(2, padding: padding, dataFormat: "channels_last"), new Flatten(dataFormat: "channels_last") });
        var first = new Sequential(new Layer[] { new Conv2D(4, 3, padding: padding, dataFormat: "channels_first", activation: "relu"), new MaxPooling2D(2, padding: padding, dataFormat: "channels_first"), new Flatten(dataFormat: "channels_first") });
        last.Build(new long[] { -1, 7, 7, 3 });
        first.Build(new long[] { -1, 3, 7, 7 });
        for (int i = 0; i < last.Weights.Count; i++) first.Weights[i].Assign(last.Weights[i].Value);
        using var a = last.Call(nhwc);
        using var b = first.Call(nchw);
        Assert.Equal(a.shape, b.shape);
        Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Layers_follow_the_global_image_data_format_when_none_is_given()
    {
        Config.SetImageDataFormat("channels_first");
        var conv = new Conv2D(2, 3);
        Assert.Equal("channels_first", conv.DataFormat);
        using var x = torch.rand(1, 3, 5, 5);
        using var y = conv.Call(x);
        Assert.Equal(new long[] { 1, 2, 3, 3 }, y.shape);
    }

    [Fact]
    public void BatchNormalization_uses_batch_statistics_only_when_training_and_trainable()
    {
        var bn = new BatchNormalization(momentum: 0.5);
        using var x = torch.tensor(new float[] { 1, 10, 3, 30 }, 2, 2); // per feature: mean 2 / 20, var 1 / 100
        using var inference = bn.Call(x, training: false); // moving stats 0/1: ~identity
        Assert.True(inference.allclose(x.div(Math.Sqrt(1 + 1e-3)), atol: 1e-5));
        using var train = bn.Call(x, training: true);
        Assert.Equal(new[] { -1f, -1f, 1f, 1f }, train.data<float>().ToArray().Select(v => (float)Math.Round(v, 2)).ToArray());
        Assert.Equal(new[] { 1f, 10f }, bn.MovingMean!.ToArray<float>()); // 0*0.5 + mean*0.5
        Assert.Equal(new[] { 1f, 50.5f }, bn.MovingVariance!.ToArray<float>()); // 1*0.5 + var*0.5 (biased variance)

        bn.Trainable = false; // frozen BN always runs in inference mode, even with training=true
        using var frozen = bn.Call(x, training: true);
        Assert.Equal(new[] { 1f, 10f }, bn.MovingMean.ToArray<float>());
        Assert.Equal(4, bn.NonTrainableWeights.Count);
        Assert.Empty(bn.TrainableWeights);
    }

    [Fact]
    public void Training_calls_and_metric_updates_outside_any_dispose_scope_release_their_handles()
    {
        var bn = new BatchNormalization();
        var accuracy = Metrics.Metric.Get("accuracy");
        using var x = torch.rand(8, 3);
        using var labels = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2, 0, 1 });
        bn.Call(x, training: true).Dispose();
        // Every tensor made on this thread while the scope is open joins it unless disposed; finalizers of other tests'
        // garbage cannot change this count, as they change torch.Tensor.TotalCount.
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < 50; i++)
        {
            using var y = bn.Call(x, training: true);
            accuracy.UpdateState(labels, y);
        }
        Assert.Equal(0, scope.DisposablesCount);
    }

    private static (torch.Tensor X, torch.Tensor Y) Images(bool channelsFirst)
    {
        var lines = new List<string>();
        using (var reader = new StreamReader(new System.IO.Compression.GZipStream(
                   File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz")), System.IO.Compression.CompressionMode.Decompress)))
            while (reader.ReadLine() is { } line) lines.Add(line);
        var pixels = lines.SelectMany(l => l.Split(',').Take(64).Select(c => float.Parse(c) / 16f)).ToArray();
        var labels = lines.Select(l => long.Parse(l.Split(',')[64])).ToArray();
        var x = torch.tensor(pixels, lines.Count, 8, 8, 1);
        if (channelsFirst)
        {
            var moved = x.permute(0, 3, 1, 2).contiguous();
            x.Dispose();
            x = moved;
        }
        return (x, torch.tensor(labels));
    }

    [Theory]
    [InlineData("channels_last")]
    [InlineData("channels_first")]
    public void A_small_cnn_learns_the_digits_in_both_data_formats(string format)
    {
        Config.SetImageDataFormat(format);
        Utils.SetRandomSeed(5);
        var (x, y) = Images(format == "channels_first");
        using (x)
        using (y)
        {
            using var trainX = x.narrow(0, 0, 1400);
            using var trainY = y.narrow(0, 0, 1400);
            using var testX = x.narrow(0, 1400, 397);
            using var testY = y.narrow(0, 1400, 397);
            var model = new Sequential(new Layer[]
            {
                new Conv2D(16, 3, padding: "same", activation: "relu"),
                new BatchNormalization(axis: format == "channels_last" ? -1 : 1),
                new MaxPooling2D(2),
                new Flatten(),
                new Dense(10),
            });
            model.Compile(new Adam(0.003), new SparseCategoricalCrossentropy(fromLogits: true), new[] { Metrics.Metric.Get("accuracy") });
            model.Fit(trainX, trainY, batchSize: 32, epochs: 12, verbose: 0);
            var result = model.Evaluate(testX, testY, verbose: 0);
            Assert.True(result["accuracy"] >= 0.93, $"{format}: test accuracy {result["accuracy"]:0.000}");
        }
    }
}

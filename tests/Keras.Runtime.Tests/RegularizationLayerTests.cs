using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout and ActivityRegularization: active only when
/// training (identity otherwise), Keras' formulas checked entry by entry or by their statistics over many draws, seeds
/// reproduce draws, configs hold Keras' keys, Keras' errors.
/// </summary>
public class RegularizationLayerTests : KerasTestBase
{
    [Fact]
    public void SpatialDropout_drops_whole_channels_during_training_and_is_the_identity_otherwise()
    {
        var cases = new (Layer Layer, long[] Shape, int ChannelAxis)[]
        {
            (new SpatialDropout1D(0.3, seed: 1, dtype: "float64"), new long[] { 40, 6, 50 }, 2),
            (new SpatialDropout2D(0.3, seed: 1, dtype: "float64"), new long[] { 40, 3, 2, 50 }, 3),
            (new SpatialDropout2D(0.3, "channels_first", seed: 1, dtype: "float64"), new long[] { 40, 50, 3, 2 }, 1),
            (new SpatialDropout3D(0.3, seed: 1, dtype: "float64"), new long[] { 40, 2, 2, 2, 50 }, 4),
            (new SpatialDropout3D(0.3, "channels_first", seed: 1, dtype: "float64"), new long[] { 40, 50, 2, 1, 2 }, 1),
        };
        foreach (var (layer, shape, channelAxis) in cases)
        {
            var x = Nd.Random(shape, seed: 2);
            for (int i = 0; i < x.Data.Length; i++) x.Data[i] = Math.Abs(x.Data[i]) + 0.5; // never zero
            using var xt = x.Tensor(torch.ScalarType.Float64);
            using var inference = layer.Call(xt, training: false);
            Assert.True(inference.allclose(xt, rtol: 0, atol: 0));
            using var unspecified = layer.Call(xt);
            Assert.True(unspecified.allclose(xt, rtol: 0, atol: 0));
            var y = Nd.Of(layer.Call(xt, training: true));
            var kept = new Dictionary<(long, long), bool>();
            foreach (var i in Nd.Indices(shape))
            {
                bool keep = y[i] != 0;
                if (keep) Assert.True(Math.Abs(y[i] - x[i] / 0.7) < 1e-12, "kept entries are scaled by 1/(1-rate)");
                var key = (i[0], i[channelAxis]);
                if (kept.TryGetValue(key, out bool previous)) Assert.Equal(previous, keep); // one draw per (example, channel)
                else kept[key] = keep;
            }
            double dropped = kept.Values.Count(k => !k) / (double)kept.Count;
            Assert.InRange(dropped, 0.25, 0.35); // 2000 draws of p = 0.3
        }
    }

    [Fact]
    public void A_seed_reproduces_the_training_draws()
    {
        using var x = torch.ones(new long[] { 4, 5, 6 });
        Func<Layer>[] makes =
        {
            () => new SpatialDropout1D(0.5, seed: 7), () => new GaussianNoise(0.5, seed: 7), () => new GaussianDropout(0.5, seed: 7), () => new AlphaDropout(0.5, seed: 7),
        };
        foreach (var make in makes)
        {
            using var a = make().Call(x, training: true);
            using var b = make().Call(x, training: true);
            Assert.True(a.allclose(b, rtol: 0, atol: 0));
        }
    }

    [Fact]
    public void GaussianNoise_adds_zero_mean_noise_of_stddev_during_training()
    {
        var layer = new GaussianNoise(0.3, seed: 3);
        using var x = torch.full(new long[] { 200, 100 }, 2.0);
        using var inference = layer.Call(x, training: false);
        Assert.True(inference.allclose(x, rtol: 0, atol: 0));
        var noise = Nd.Of(layer.Call(x, training: true)).Data.Select(v => v - 2.0).ToArray();
        double mean = noise.Average(), std = Math.Sqrt(noise.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, -0.01, 0.01); // 20000 draws: standard error 0.002
        Assert.InRange(std, 0.29, 0.31);
    }

    [Fact]
    public void GaussianDropout_multiplies_by_noise_of_mean_one_and_stddev_sqrt_rate_over_one_minus_rate()
    {
        var layer = new GaussianDropout(0.2, seed: 3);
        using var x = torch.full(new long[] { 200, 100 }, -3.0);
        using var inference = layer.Call(x, training: false);
        Assert.True(inference.allclose(x, rtol: 0, atol: 0));
        var factor = Nd.Of(layer.Call(x, training: true)).Data.Select(v => v / -3.0).ToArray();
        double mean = factor.Average(), std = Math.Sqrt(factor.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, 0.99, 1.01);
        Assert.InRange(std, 0.49, 0.51); // sqrt(0.2 / 0.8) = 0.5
    }

    [Fact]
    public void AlphaDropout_sets_dropped_entries_to_the_SELU_saturation_and_corrects_mean_and_variance()
    {
        const double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946, rate = 0.2;
        double alphaP = -alpha * scale;
        double a = Math.Pow((1 - rate) * (1 + rate * alphaP * alphaP), -0.5), b = -a * alphaP * rate;
        var layer = new AlphaDropout(rate, seed: 5, dtype: "float64");
        using var x = torch.randn(new long[] { 300, 100 }, torch.ScalarType.Float64, generator: new torch.Generator(2));
        using var inference = layer.Call(x, training: false);
        Assert.True(inference.allclose(x, rtol: 0, atol: 0));
        var xs = Nd.Of(x).Data;
        var ys = Nd.Of(layer.Call(x, training: true)).Data;
        int dropped = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            bool keep = Math.Abs(ys[i] - (a * xs[i] + b)) < 1e-12;
            bool drop = Math.Abs(ys[i] - (a * alphaP + b)) < 1e-12;
            Assert.True(keep || drop, $"entry {i}: {ys[i]} is neither a·x + b nor a·α' + b");
            if (!keep) dropped++;
        }
        Assert.InRange(dropped / (double)xs.Length, 0.19, 0.21);
        double mean = ys.Average(), variance = ys.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.03, 0.03); // standard normal inputs keep mean 0 and variance 1
        Assert.InRange(variance, 0.95, 1.05);
    }

    [Fact]
    public void AlphaDropout_noise_shape_shares_one_draw_along_axes_of_size_one()
    {
        var layer = new AlphaDropout(0.5, noiseShape: new long?[] { null, 1, 6 }, seed: 1);
        using var x = torch.ones(new long[] { 8, 5, 6 });
        var y = Nd.Of(layer.Call(x, training: true));
        foreach (var i in Nd.Indices(y.Shape)) Assert.Equal(y[i[0], 0, i[2]], y[i]);
        Assert.Equal("[null,1,6]", layer.GetConfig()["noise_shape"]!.ToJsonString());
        Assert.Contains("`noise_shape` entry 2 (6) must be 1 or the input's size 4",
            Assert.Throws<KerasArgumentException>(() => layer.Call(new Input(new long[] { 5, 4 }))).Message);
    }

    [Fact]
    public void ActivityRegularization_passes_inputs_through_and_adds_l1_and_l2_of_the_activity_per_example()
    {
        var layer = new ActivityRegularization(l1: 0.01, l2: 0.1);
        var x = Nd.Random(new long[] { 4, 3 }, seed: 4).AsFloat32();
        using var xt = x.Tensor();
        using var y = layer.Call(xt, training: true);
        Assert.True(y.allclose(xt, rtol: 0, atol: 0));
        double expected = (0.01 * x.Data.Sum(Math.Abs) + 0.1 * x.Data.Sum(v => v * v)) / 4;
        Assert.Equal(expected, layer.ActivityLoss!.item<float>(), 5);
        var config = layer.GetConfig();
        LayerChecks.ConfigKeys(layer, "l1", "l2"); // Keras drops activity_regularizer from this layer's config
        Assert.Equal(0.1, (double)config["l2"]!);
    }

    [Fact]
    public void Training_a_model_adds_the_activity_loss()
    {
        var input = new Input(new long[] { 2 });
        var dense = new Dense(2, kernelInitializer: new Keras.Initializers.Ones(), useBias: false);
        var model = new Functional(input, new ActivityRegularization(l2: 1.0).Call(dense.Call(input)), name: "m");
        model.Compile(new Keras.Optimizers.SGD(learningRate: 0.0), new Keras.Losses.MeanSquaredError());
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var target = torch.zeros(2, 2);
        var history = model.Fit(x, target, epochs: 1, batchSize: 2, verbose: 0);
        // Dense(ones) gives [[3, 3], [7, 7]]: mse = (9 + 9 + 49 + 49) / 4 = 29; activity = (9 + 9 + 49 + 49) / 2 = 58.
        Assert.Equal(87.0, history.HistoryDict["loss"][0], 3);
    }

    [Fact]
    public void Configs_hold_Kerass_keys_and_load()
    {
        foreach (var layer in new Layer[] { new SpatialDropout1D(0.1) })
            Assert.Equal(new[] { "dtype", "name", "rate", "seed" }, layer.GetConfig().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        foreach (var layer in new Layer[] { new SpatialDropout2D(0.1), new SpatialDropout3D(0.1) })
            Assert.Equal(new[] { "data_format", "dtype", "name", "rate", "seed" }, layer.GetConfig().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal("float32", (string)new SpatialDropout1D(0.1).GetConfig()["dtype"]!); // Keras writes layer.dtype, a name
        LayerChecks.ConfigKeys(new GaussianNoise(0.1), "stddev", "seed");
        LayerChecks.ConfigKeys(new GaussianDropout(0.1), "rate", "seed");
        LayerChecks.ConfigKeys(new AlphaDropout(0.1), "rate", "seed", "noise_shape");
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 3], "name": "in"}},
          {"class_name": "SpatialDropout1D", "config": {"name": "sd", "rate": 0.25, "seed": 3, "dtype": "float32"}},
          {"class_name": "GaussianNoise", "config": {"name": "gn", "stddev": 0.5, "seed": null}},
          {"class_name": "GaussianDropout", "config": {"name": "gd", "rate": 0.3, "seed": 1}},
          {"class_name": "AlphaDropout", "config": {"name": "ad", "rate": 0.1, "noise_shape": [null, 1, 3], "seed": null}},
          {"class_name": "ActivityRegularization", "config": {"name": "ar", "l1": 0.5, "l2": 0.0}}]}}
        """;
        var model = Saving.ModelFromJson(json);
        var sd = Assert.IsType<SpatialDropout1D>(model.Layers[0]);
        Assert.Equal((0.25, (int?)3), (sd.Rate, sd.Seed));
        Assert.Equal(0.5, Assert.IsType<GaussianNoise>(model.Layers[1]).Stddev);
        Assert.Equal(0.3, Assert.IsType<GaussianDropout>(model.Layers[2]).Rate);
        Assert.Equal(new long?[] { null, 1, 3 }, Assert.IsType<AlphaDropout>(model.Layers[3]).NoiseShape);
        Assert.Equal(0.5, Assert.IsType<ActivityRegularization>(model.Layers[4]).L1);
        Assert.Contains("'noise_shape'", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(json.Replace("[null, 1, 3]", "\"x\""))).Message);
    }

    [Fact]
    public void Weightless_layers_write_an_empty_vars_group_as_Keras()
    {
        LayerChecks.H5Layout(KerasHome, () => new SpatialDropout2D(0.2), new long[] { 3, 3, 2 }, "spatial_dropout2d");
        LayerChecks.H5Layout(KerasHome, () => new GaussianNoise(0.2), new long[] { 3 }, "gaussian_noise");
        LayerChecks.H5Layout(KerasHome, () => new ActivityRegularization(0.1), new long[] { 3 }, "activity_regularization");
    }

    [Fact]
    public void Arguments_and_shapes_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=1.5",
            Assert.Throws<KerasArgumentException>(() => new SpatialDropout2D(1.5)).Message);
        Assert.StartsWith("Invalid value received for argument `stddev`. Expected a float value between 0 and 1. Received: stddev=-0.1",
            Assert.Throws<KerasArgumentException>(() => new GaussianNoise(-0.1)).Message);
        Assert.StartsWith("Invalid value received for argument `rate`.", Assert.Throws<KerasArgumentException>(() => new GaussianDropout(2)).Message);
        Assert.StartsWith("Invalid value received for argument `rate`.", Assert.Throws<KerasArgumentException>(() => new AlphaDropout(-1)).Message);
        Assert.StartsWith("Input 0 of layer \"spatial_dropout1d\" is incompatible with the layer: expected ndim=3, found ndim=2.",
            Assert.Throws<KerasArgumentException>(() => new SpatialDropout1D(0.1).Call(new Input(new long[] { 4 }))).Message);
        Assert.StartsWith("Input 0 of layer \"spatial_dropout3d\" is incompatible with the layer: expected ndim=5, found ndim=4.",
            Assert.Throws<KerasArgumentException>(() => new SpatialDropout3D(0.1).Call(new Input(new long[] { 4, 4, 2 }))).Message);
    }
}

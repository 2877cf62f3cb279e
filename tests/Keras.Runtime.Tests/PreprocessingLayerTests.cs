using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Rescaling, Normalization (with Adapt), Resizing, CenterCrop and the augmentation layers RandomFlip, RandomRotation,
/// RandomZoom, RandomTranslation and RandomContrast: values against Keras' formulas as loops (PyTorch's half-pixel
/// bilinear and nearest-exact resizing, Keras' affine matrices and map_coordinates fill modes), training versus
/// inference, configs with Keras' keys, weights, errors.
/// </summary>
public class PreprocessingLayerTests : KerasTestBase
{
    // ------------------------------------------------------------------ references

    private static double Fix(long i, long n, string mode) => mode switch
    {
        "wrap" => ((i % n) + n) % n,
        "reflect" => ((i % (2 * n)) + 2 * n) % (2 * n) is var m && m < n ? m : 2 * n - 1 - m, // d c b a | a b c d | d c b a
        _ => Math.Clamp(i, 0, n - 1),
    };

    /// <summary>Keras' affine_transform on a channels-last batch: output (y, x) samples the input at (b0·x + b1·y + b2, a0·x + a1·y + a2).</summary>
    private static Nd Affine(Nd images, double[][] transforms, string interpolation, string fillMode, double fillValue)
    {
        var y = new Nd(images.Shape);
        long h = images.Shape[1], w = images.Shape[2];
        foreach (var o in Nd.Indices(images.Shape))
        {
            var t = transforms[o[0]];
            double xin = t[0] * o[2] + t[1] * o[1] + t[2], yin = t[3] * o[2] + t[4] * o[1] + t[5];
            (long Index, double Weight)[] Nodes(double c) => interpolation == "nearest"
                ? new[] { ((long)Math.Round(c, MidpointRounding.ToEven), 1.0) }
                : new[] { ((long)Math.Floor(c), 1 - (c - Math.Floor(c))), ((long)Math.Floor(c) + 1, c - Math.Floor(c)) };
            double sum = 0;
            foreach (var (yi, wy) in Nodes(yin))
                foreach (var (xi, wx) in Nodes(xin))
                {
                    bool inside = yi >= 0 && yi < h && xi >= 0 && xi < w;
                    double v = fillMode == "constant" && !inside ? fillValue : images[o[0], (long)Fix(yi, h, fillMode), (long)Fix(xi, w, fillMode), o[3]];
                    sum += wy * wx * v;
                }
            y[o] = sum;
        }
        return y;
    }

    /// <summary>PyTorch's interpolate (align_corners=False): bilinear with half-pixel centers, or nearest-exact, channels-last.</summary>
    private static Nd Resize(Nd x, long height, long width, string interpolation)
    {
        long n = x.Shape[0], h = x.Shape[1], w = x.Shape[2], c = x.Shape[3];
        var y = new Nd(new[] { n, height, width, c });
        (long, long, double) Source(long dst, long input, long output)
        {
            double scale = (double)input / output;
            if (interpolation == "nearest") return (Math.Min((long)Math.Floor((dst + 0.5) * scale), input - 1), 0, 0);
            double src = Math.Max((dst + 0.5) * scale - 0.5, 0);
            long i0 = (long)Math.Floor(src);
            return (i0, Math.Min(i0 + 1, input - 1), src - i0);
        }
        foreach (var o in Nd.Indices(y.Shape))
        {
            var (y0, y1, ly) = Source(o[1], h, height);
            var (x0, x1, lx) = Source(o[2], w, width);
            if (interpolation == "nearest") y[o] = x[o[0], y0, x0, o[3]];
            else
                y[o] = (1 - ly) * ((1 - lx) * x[o[0], y0, x0, o[3]] + lx * x[o[0], y0, x1, o[3]]) +
                       ly * ((1 - lx) * x[o[0], y1, x0, o[3]] + lx * x[o[0], y1, x1, o[3]]);
        }
        return y;
    }

    private static double MaxDifference(Nd a, Nd b) => a.Data.Zip(b.Data, (u, v) => Math.Abs(u - v)).Max();

    private static Nd Slice(Nd x, long top, long left, long height, long width)
    {
        var y = new Nd(new[] { x.Shape[0], height, width, x.Shape[3] });
        foreach (var o in Nd.Indices(y.Shape)) y[o] = x[o[0], o[1] + top, o[2] + left, o[3]];
        return y;
    }

    private static Nd Images(long n = 2, long h = 5, long w = 4, long c = 2, int seed = 1) => Nd.Random(new[] { n, h, w, c }, seed, 10).AsFloat32();

    /// <summary>Runs <paramref name="apply"/> on channels-last and channels-first copies and compares with the channels-last reference.</summary>
    private static void BothFormats(Nd x, Func<string, torch.Tensor, torch.Tensor> apply, Nd expected, double atol = 1e-4)
    {
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            bool first = format == "channels_first";
            using var xt = (first ? x.MoveAxis(3, 1) : x).Tensor();
            using var y = apply(format, xt);
            LayerChecks.Close(first ? expected.MoveAxis(3, 1) : expected, y, atol, 1e-5);
        }
    }

    // ------------------------------------------------------------------ Rescaling and Normalization

    [Fact]
    public void Rescaling_multiplies_by_scale_and_adds_offset_in_the_compute_dtype()
    {
        using var bytes = torch.tensor(new byte[] { 0, 128, 255, 10 }, new long[] { 2, 2 });
        using var y = new Rescaling(1.0 / 255, -0.5).Call(bytes);
        Assert.Equal(torch.ScalarType.Float32, y.dtype);
        LayerChecks.Close(new Nd(new long[] { 2, 2 }, new[] { 0 / 255.0 - 0.5, 128 / 255.0 - 0.5, 255 / 255.0 - 0.5, 10 / 255.0 - 0.5 }), y, 1e-6);
        var x = Images();
        using var xt = x.Tensor();
        using var perChannel = new Rescaling(new[] { 2.0, -1.0 }, new[] { 0.5, 1.0 }).Call(xt);
        var expected = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape)) expected[i] = x[i] * (i[3] == 0 ? 2.0 : -1.0) + (i[3] == 0 ? 0.5 : 1.0);
        LayerChecks.Close(expected, perChannel, 1e-5);
    }

    [Fact]
    public void Normalization_with_given_statistics_standardizes_each_feature_and_inverts()
    {
        var x = Nd.Random(new long[] { 4, 3 }, seed: 2, scale: 5).AsFloat32();
        double[] mean = { 1, -2, 0.5 }, variance = { 4, 0.25, 0 };
        using var xt = x.Tensor();
        using var y = new Normalization(mean: mean, variance: variance).Call(xt);
        using var back = new Normalization(mean: mean, variance: variance, invert: true).Call(xt);
        var expected = new Nd(x.Shape);
        var inverted = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape))
        {
            double std = Math.Max(Math.Sqrt(variance[i[1]]), 1e-7);
            expected[i] = (x[i] - mean[i[1]]) / std;
            inverted[i] = mean[i[1]] + x[i] * std;
        }
        LayerChecks.Close(expected, y, 1e-3, 1e-5);
        LayerChecks.Close(inverted, back, 1e-5, 1e-5);
    }

    [Fact]
    public void Adapt_learns_the_mean_and_biased_variance_over_the_reduced_axes()
    {
        var x = Nd.Random(new long[] { 6, 2, 3 }, seed: 3, scale: 4).AsFloat32();
        using var xt = x.Tensor();
        foreach (var (axis, key) in new (int[]?, Func<long[], long>)[] { (new[] { -1 }, i => i[2]), (new[] { 1, 2 }, i => i[1] * 3 + i[2]), (null, _ => 0) })
        {
            var layer = new Normalization(axis);
            layer.Adapt(xt);
            var groups = Nd.Indices(x.Shape).GroupBy(key).OrderBy(g => g.Key).ToArray();
            var means = groups.Select(g => g.Average(i => x[i])).ToArray();
            var vars = groups.Select((g, k) => g.Average(i => Math.Pow(x[i] - means[k], 2))).ToArray();
            Assert.Equal(means.Select(m => (float)m), layer.AdaptMean!.ToArray<float>().Select(v => v), new FloatTolerance(1e-5f));
            Assert.Equal(vars.Select(v => (float)v), layer.AdaptVariance!.ToArray<float>(), new FloatTolerance(1e-4f));
            using var y = layer.Call(xt);
            var expected = new Nd(x.Shape);
            foreach (var i in Nd.Indices(x.Shape)) expected[i] = (x[i] - means[key(i)]) / Math.Sqrt(vars[key(i)]);
            LayerChecks.Close(expected, y, 1e-4, 1e-4);
        }
        // Batch by batch, Keras' running combination gives the statistics of the whole data.
        var batched = new Normalization();
        batched.Adapt(new[] { xt.narrow(0, 0, 2), xt.narrow(0, 2, 3), xt.narrow(0, 5, 1) });
        var whole = new Normalization();
        whole.Adapt(xt);
        Assert.Equal(whole.AdaptMean!.ToArray<float>(), batched.AdaptMean!.ToArray<float>(), new FloatTolerance(1e-5f));
        Assert.Equal(whole.AdaptVariance!.ToArray<float>(), batched.AdaptVariance!.ToArray<float>(), new FloatTolerance(1e-5f));
    }

    private sealed class FloatTolerance : IEqualityComparer<float>
    {
        private readonly float _tolerance;
        public FloatTolerance(float tolerance) => _tolerance = tolerance;
        public bool Equals(float a, float b) => Math.Abs(a - b) <= _tolerance * (1 + Math.Abs(a));
        public int GetHashCode(float obj) => 0;
    }

    [Fact]
    public void An_adapted_Normalization_saves_mean_variance_and_count_as_Keras_and_predicts_the_same_after_loading()
    {
        var input = new Input(new long[] { 3 });
        var layer = new Normalization();
        var model = new Functional(input, layer.Call(input), name: "n");
        using var data = torch.randn(new long[] { 10, 3 }, generator: new torch.Generator(5)) * 3 + 2;
        layer.Adapt(data);
        Assert.Equal(new[] { "mean", "variance", "count" }, layer.Weights.Select(w => w.Name));
        Assert.Empty(layer.TrainableWeights);
        string path = Path.Combine(KerasHome, "norm.keras");
        model.Save(path);
        string weights = Path.Combine(KerasHome, "norm.weights.h5");
        model.SaveWeights(weights);
        using (var file = H5File.OpenRead(weights))
        {
            Assert.Equal(new ulong[] { 3 }, file.Dataset("layers/normalization/vars/0").Space.Dimensions);
            Assert.Equal(layer.AdaptMean!.ToArray<float>(), file.Dataset("layers/normalization/vars/0").Read<float[]>());
            Assert.Equal(layer.AdaptVariance!.ToArray<float>(), file.Dataset("layers/normalization/vars/1").Read<float[]>());
            var count = file.Dataset("layers/normalization/vars/2");
            Assert.Empty(count.Space.Dimensions);
            Assert.Equal(0L, count.Read<long>()); // Keras' adapt leaves count at 0
        }
        var reloaded = Saving.LoadModel(path);
        using var a = model.Predict(data);
        using var b = reloaded.Predict(data);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_keras_file_with_an_adapted_Normalization_loads_mean_variance_and_the_int64_count()
    {
        var mean = new Nd(new long[] { 2 }, new[] { 1.5, -2.0 });
        var variance = new Nd(new long[] { 2 }, new[] { 4.0, 0.25 });
        const string config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "trainable": true, "dtype": "float32", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2], "dtype": "float32", "sparse": false, "name": "in"}, "registered_name": null},
          {"module": "keras.layers", "class_name": "Normalization", "config": {"name": "normalization", "trainable": true,
            "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
            "axis": [-1], "invert": false, "mean": null, "variance": null}, "registered_name": null, "build_config": {"input_shape": [null, 2]}},
          {"module": "keras.layers", "class_name": "Rescaling", "config": {"name": "rescaling", "trainable": true, "dtype": "float32", "scale": 2.0, "offset": 0.5},
            "registered_name": null, "build_config": {"input_shape": [null, 2]}}]},
          "registered_name": null, "build_config": {"input_shape": [null, 2]}}
        """;
        string path = LayerChecks.KerasFile(KerasHome, config, f =>
        {
            var vars = new H5Group { ["0"] = LayerChecks.Dataset(mean), ["1"] = LayerChecks.Dataset(variance), ["2"] = new H5Dataset(12L) };
            vars.Attributes["name"] = "normalization";
            var empty = new H5Group();
            empty.Attributes["name"] = "rescaling";
            f["layers"] = new H5Group { ["normalization"] = new H5Group { ["vars"] = vars }, ["rescaling"] = new H5Group { ["vars"] = empty } };
        });
        var model = Saving.LoadModel(path);
        var normalization = Assert.IsType<Normalization>(model.Layers[0]);
        Assert.Equal(new[] { 12L }, normalization.Count!.ToArray<long>());
        var x = new Nd(new long[] { 2, 2 }, new[] { 3.5, -1.0, 0.0, -2.5 });
        using var xt = x.Tensor();
        using var y = model.Predict(xt);
        var expected = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape)) expected[i] = (x[i] - mean[i[1]]) / Math.Sqrt(variance[i[1]]) * 2.0 + 0.5;
        LayerChecks.Close(expected, y, 1e-5, 1e-4);
    }

    [Fact]
    public void Normalization_configs_hold_Kerass_keys_and_statistics_load_from_nested_lists()
    {
        LayerChecks.ConfigKeys(new Normalization(), "axis", "invert", "mean", "variance");
        LayerChecks.ConfigKeys(new Rescaling(0.5), "scale", "offset");
        Assert.Equal("[-1]", new Normalization().GetConfig()["axis"]!.ToJsonString());
        Assert.Equal("[]", new Normalization((int[]?)null).GetConfig()["axis"]!.ToJsonString());
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 2, 2], "name": "in"}},
          {"class_name": "Normalization", "config": {"name": "n", "axis": [1, 2], "invert": false, "mean": [[1.0, 2.0], [3.0, 4.0]], "variance": [[1.0, 4.0], [9.0, 16.0]]}},
          {"class_name": "Rescaling", "config": {"name": "r", "scale": [2.0, 0.5], "offset": 1.0}}]}}
        """;
        var model = Saving.ModelFromJson(json);
        Assert.Equal("[[1,2],[3,4]]", model.Layers[0].GetConfig()["mean"]!.ToJsonString());
        using var x = torch.tensor(new float[] { 2, 2, 6, 8, 1, 2, 3, 4 }, 2, 2, 2);
        using var y = model.Predict(x);
        // (x - mean)/std, then ·[2, 0.5] along the last axis + 1
        Assert.Equal(new[] { 3f, 1f, 3f, 1.5f, 1f, 1f, 1f, 1f }, y.data<float>().ToArray());
        Assert.Contains("'mean'", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(json.Replace("[[1.0, 2.0], [3.0, 4.0]]", "[[1.0, 2.0], [3.0]]"))).Message);
    }

    [Fact]
    public void Normalization_arguments_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("When setting values directly, both `mean` and `variance` must be set. Received: mean=[1] and variance=None",
            Assert.Throws<KerasArgumentException>(() => new Normalization(mean: new[] { 1.0 })).Message);
        Assert.StartsWith("When setting values directly, `mean` and `variance` must have the same shape.",
            Assert.Throws<KerasArgumentException>(() => new Normalization(mean: new[] { 1.0 }, variance: new[] { 1.0, 2.0 })).Message);
        Assert.StartsWith("All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim=2, while axis=(3,)",
            Assert.Throws<KerasArgumentException>(() => new Normalization(3).Call(new Input(new long[] { 4 }))).Message);
        var built = new Normalization();
        using var data = torch.ones(new long[] { 2, 3 });
        built.Adapt(data);
        using var other = torch.ones(new long[] { 2, 4 });
        Assert.StartsWith("The layer was built with input_shape=(2, 3), but adapt() is being called with data with an incompatible shape",
            Assert.Throws<KerasArgumentException>(() => built.Adapt(other)).Message);
        Assert.Contains("was given `mean` and `variance`",
            Assert.Throws<KerasArgumentException>(() => new Normalization(mean: new[] { 1.0 }, variance: new[] { 1.0 }).Adapt(data)).Message);
    }

    // ------------------------------------------------------------------ Resizing and CenterCrop

    [Theory]
    [InlineData("bilinear", 7, 3)]
    [InlineData("bilinear", 3, 9)]
    [InlineData("nearest", 8, 3)]
    [InlineData("nearest", 2, 6)]
    public void Resizing_interpolates_as_Kerass_torch_backend(string interpolation, int height, int width)
    {
        var x = Images();
        BothFormats(x, (f, t) => new Resizing(height, width, interpolation, dataFormat: f).Call(t), Resize(x, height, width, interpolation));
    }

    [Fact]
    public void Resizing_crops_or_pads_to_the_target_aspect_ratio_first()
    {
        var x = Images(h: 5, w: 4);
        // Target 2x4 (ratio 2): crop height int(4·2/4) = 2 rows from int((5 - 2)/2) = 1.
        BothFormats(x, (f, t) => new Resizing(2, 4, cropToAspectRatio: true, dataFormat: f).Call(t), Resize(Slice(x, 1, 0, 2, 4), 2, 4, "bilinear"));
        // Target 3x6: pad width to int(5·6/3) = 10 → 3 columns of fill on each side of the 4, then resize 5x10 → 3x6.
        var padded = new Nd(new long[] { 2, 5, 10, 2 });
        foreach (var i in Nd.Indices(padded.Shape)) padded[i] = i[2] >= 3 && i[2] < 7 ? x[i[0], i[1], i[2] - 3, i[3]] : 0.5;
        BothFormats(x, (f, t) => new Resizing(3, 6, padToAspectRatio: true, fillValue: 0.5, dataFormat: f).Call(t), Resize(padded, 3, 6, "bilinear"));
    }

    [Fact]
    public void Resizing_integer_images_rounds_and_keeps_their_dtype()
    {
        using var bytes = torch.tensor(new byte[] { 0, 255, 100, 51 }, new long[] { 1, 2, 2, 1 });
        using var y = new Resizing(1, 1).Call(bytes);
        Assert.Equal(torch.ScalarType.Byte, y.dtype);
        Assert.Equal((byte)102, y.data<byte>()[0]); // mean 101.5 rounds half to even
        Assert.Equal(new long[] { -1, 3, 4, 2 }, new Resizing(3, 4).Call(new Input(new long[] { 8, 8, 2 })).Shape);
        Assert.Equal(new long[] { -1, 2, 3, 4 }, new Resizing(3, 4, dataFormat: "channels_first").Call(new Input(new long[] { 2, 8, 8 })).Shape);
    }

    [Theory]
    [InlineData(7, 3)]
    [InlineData(3, 9)]
    [InlineData(2, 2)]
    [InlineData(10, 8)]
    public void Resizing_bicubic_is_PyTorchs_cubic_convolution_with_a_minus_0_75_and_repeated_borders(int height, int width)
    {
        var x = Images();
        BothFormats(x, (f, t) => new Resizing(height, width, "bicubic", dataFormat: f).Call(t), ResizeReference.Interpolate(x, height, width, "bicubic", false));
        // The reference's bilinear weights are the existing loop's (one formula, two writings).
        Assert.True(MaxDifference(ResizeReference.Interpolate(x, height, width, "bilinear", false), Resize(x, height, width, "bilinear")) < 1e-12);
    }

    [Theory]
    [InlineData("bilinear", 3, 4)]
    [InlineData("bicubic", 3, 4)]
    [InlineData("bicubic", 5, 3)]
    [InlineData("bilinear", 16, 4)]
    [InlineData("bicubic", 16, 4)]
    [InlineData("bicubic", 15, 13)]
    public void Resizing_antialias_widens_the_filter_by_the_downscale_factor_and_normalises_it(string interpolation, int height, int width)
    {
        var x = Images(h: 12, w: 10, seed: 3);
        var expected = ResizeReference.Interpolate(x, height, width, interpolation, true);
        BothFormats(x, (f, t) => new Resizing(height, width, interpolation, antialias: true, dataFormat: f).Call(t), expected);
        // The setting changes the numbers: downscaling averages over more pixels, and bicubic upscaling uses a = -0.5.
        Assert.True(MaxDifference(expected, ResizeReference.Interpolate(x, height, width, interpolation, false)) > 1e-2);
    }

    [Fact]
    public void Resizing_antialias_is_ignored_for_nearest_as_in_Keras()
    {
        var x = Images(h: 12, w: 10);
        BothFormats(x, (f, t) => new Resizing(3, 4, "nearest", antialias: true, dataFormat: f).Call(t), Resize(x, 3, 4, "nearest"), 1e-6);
        Assert.Equal(true, new Resizing(3, 4, "nearest", antialias: true).GetConfig()["antialias"]!.GetValue<bool>());
    }

    [Fact]
    public void Resizing_crops_or_pads_to_the_aspect_ratio_before_bicubic_and_antialiased_resizing()
    {
        var x = Images(h: 12, w: 10, seed: 4);
        // Target 3x4: crop height int(10·3/4) = 7 rows from int((12 - 7)/2) = 2, all 10 columns.
        BothFormats(x, (f, t) => new Resizing(3, 4, "bicubic", cropToAspectRatio: true, antialias: true, dataFormat: f).Call(t),
            ResizeReference.Interpolate(Slice(x, 2, 0, 7, 10), 3, 4, "bicubic", true));
        BothFormats(x, (f, t) => new Resizing(3, 4, "bicubic", cropToAspectRatio: true, dataFormat: f).Call(t),
            ResizeReference.Interpolate(Slice(x, 2, 0, 7, 10), 3, 4, "bicubic", false));
        // Target 4x6: pad width to int(12·6/4) = 18, int((18 - 10)/2) = 4 columns of fill each side, then 12x18 → 4x6.
        var padded = new Nd(new long[] { 2, 12, 18, 2 });
        foreach (var i in Nd.Indices(padded.Shape)) padded[i] = i[2] >= 4 && i[2] < 14 ? x[i[0], i[1], i[2] - 4, i[3]] : -1.5;
        BothFormats(x, (f, t) => new Resizing(4, 6, "bilinear", padToAspectRatio: true, fillValue: -1.5, antialias: true, dataFormat: f).Call(t),
            ResizeReference.Interpolate(padded, 4, 6, "bilinear", true));
        BothFormats(x, (f, t) => new Resizing(4, 6, "bicubic", padToAspectRatio: true, fillValue: -1.5, dataFormat: f).Call(t),
            ResizeReference.Interpolate(padded, 4, 6, "bicubic", false));
    }

    [Fact]
    public void Resizing_bicubic_clamps_uint8_overshoot_to_0_255_and_rounds_while_floats_keep_it()
    {
        // A 3/251 step: the cubic kernel's negative lobes overshoot on both sides of the edge (to -12.3 and 266.3).
        var step = new Nd(new long[] { 1, 4, 4, 1 });
        foreach (var i in Nd.Indices(step.Shape)) step[i] = i[2] >= 2 ? 251 : 3;
        var reference = ResizeReference.Interpolate(step, 5, 7, "bicubic", false);
        Assert.True(reference.Data.Max() > 256 && reference.Data.Min() < -1);
        Assert.All(reference.Data, v => Assert.True(Math.Abs(v - Math.Floor(v) - 0.5) > 1e-3)); // no rounding ties
        using var bytes = step.Tensor(torch.ScalarType.Byte);
        using var y = new Resizing(5, 7, "bicubic").Call(bytes);
        Assert.Equal(torch.ScalarType.Byte, y.dtype);
        Assert.Equal(reference.Data.Select(v => (byte)Math.Round(Math.Clamp(v, 0, 255), MidpointRounding.ToEven)).ToArray(), y.data<byte>().ToArray());
        using var floats = step.Tensor();
        using var unclamped = new Resizing(5, 7, "bicubic").Call(floats);
        LayerChecks.Close(reference, unclamped, 1e-3);
        // float16 is resized in float32 and cast back, as Keras' _cast_squeeze_in/out do.
        using var half = new Resizing(5, 7, "bicubic", antialias: true, dtype: "float16").Call(floats);
        Assert.Equal(torch.ScalarType.Float16, half.dtype);
        LayerChecks.Close(ResizeReference.Interpolate(step, 5, 7, "bicubic", true), half, 0.2, 1e-3);
    }

    [Fact]
    public void Resizing_bicubic_antialias_has_exact_gradients()
    {
        using var x = Images(n: 1, h: 6, w: 5).Tensor(torch.ScalarType.Float64);
        foreach (var (interpolation, h, w) in new[] { ("bicubic", 3, 2), ("bilinear", 4, 7), ("bicubic", 8, 3) })
        {
            var layer = new Resizing(h, w, interpolation, antialias: true, dtype: "float64");
            LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x }, Array.Empty<KerasVariable>(), samples: 12);
        }
    }

    [Fact]
    public void Resizing_config_round_trips_interpolation_and_antialias()
    {
        var input = new Input(new long[] { 2, 12, 10 });
        var layer = new Resizing(4, 5, "bicubic", padToAspectRatio: true, fillValue: 0.25, antialias: true, dataFormat: "channels_first", name: "rs");
        var model = new Functional(input, layer.Call(input), name: "m");
        var loaded = Saving.ModelFromJson(model.ToJson());
        var copy = Assert.IsType<Resizing>(loaded.Layers.Single(l => l.Name == "rs"));
        Assert.Equal(layer.GetConfig().ToJsonString(), copy.GetConfig().ToJsonString());
        Assert.Equal(("bicubic", true, true, 0.25, "channels_first"), (copy.Interpolation, copy.Antialias, copy.PadToAspectRatio, copy.FillValue, copy.DataFormat));
        var config = layer.GetConfig();
        Assert.Equal("bicubic", config["interpolation"]!.GetValue<string>());
        Assert.True(config["antialias"]!.GetValue<bool>());
        using var data = torch.randn(new long[] { 2, 2, 12, 10 });
        using var a = model.Predict(data);
        using var b = loaded.Predict(data);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    [Fact]
    public void Resizing_refuses_Lanczos_and_unknown_interpolations_with_Kerass_torch_messages()
    {
        foreach (var lanczos in new[] { "lanczos3", "lanczos5" })
            Assert.StartsWith($"Resizing with Lanczos interpolation is not supported by the PyTorch backend. Received: interpolation={lanczos}.",
                Assert.Throws<KerasArgumentException>(() => new Resizing(2, 2, lanczos)).Message);
        foreach (var other in new[] { "area", "gaussian", "mitchellcubic", "nearest-exact", "Bicubic" })
            Assert.StartsWith("Invalid value for argument `interpolation`. Expected of one {'bilinear': 'bilinear', 'nearest': 'nearest-exact', " +
                              $"'bicubic': 'bicubic'}}. Received: interpolation={other}",
                Assert.Throws<KerasArgumentException>(() => new Resizing(2, 2, other)).Message);
    }

    [Fact]
    public void CenterCrop_takes_the_centered_window_or_resizes_a_smaller_image()
    {
        var x = Images(h: 5, w: 6);
        BothFormats(x, (f, t) => new CenterCrop(2, 3, f).Call(t), Slice(x, 1, 1, 2, 3), 1e-6);
        // Taller than the image: Keras' smart_resize crops to the target ratio (8x3 → crop 5 rows x int(5·3/8) = 1 column) and resizes.
        BothFormats(x, (f, t) => new CenterCrop(8, 3, f).Call(t), Resize(Slice(x, 0, 2, 5, 1), 8, 3, "bilinear"));
        using var single = Images(n: 1).Tensor().squeeze(0);
        using var y = new CenterCrop(3, 2).Call(single);
        Assert.Equal(new long[] { 3, 2, 2 }, y.shape);
    }

    [Fact]
    public void Resizing_and_CenterCrop_arguments_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.",
            Assert.Throws<KerasArgumentException>(() => new Resizing(2, 2, cropToAspectRatio: true, padToAspectRatio: true)).Message);
        Assert.StartsWith("Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: fill_mode=reflect",
            Assert.Throws<KerasArgumentException>(() => new Resizing(2, 2, fillMode: "reflect")).Message);
        Assert.StartsWith("Invalid value for argument `interpolation`.", Assert.Throws<KerasArgumentException>(() => new Resizing(2, 2, "cubicle")).Message);
        Assert.Contains("expects images of rank 3 (single image) or 4 (batch of images)",
            Assert.Throws<KerasArgumentException>(() => new CenterCrop(2, 2).Call(new Input(new long[] { 4 }))).Message);
    }

    // ------------------------------------------------------------------ augmentation

    [Fact]
    public void Augmentation_layers_are_the_identity_when_not_training()
    {
        // 12 images: RandomFlip leaves one image unchanged with probability 1/4, so all of them with (1/4)^12.
        var x = Images(n: 12);
        using var xt = x.Tensor();
        foreach (var layer in new Layer[]
                 {
                     new RandomFlip(), new RandomRotation(0.3), new RandomZoom(0.4), new RandomTranslation(0.3, 0.3), new RandomContrast(0.5),
                 })
        {
            using var y = layer.Call(xt, training: false);
            Assert.True(y.allclose(xt, rtol: 0, atol: 0), layer.Name);
            var input = new Input(new long[] { 5, 4, 2 });
            using var predicted = new Functional(input, layer.Call(input), name: "m").Predict(xt);
            Assert.True(predicted.allclose(xt, rtol: 0, atol: 0), layer.Name + " in Predict");
            using var trained = layer.Call(xt, training: true);
            Assert.False(trained.allclose(xt, rtol: 0, atol: 1e-6), layer.Name + " changes images while training");
        }
    }

    [Fact]
    public void RandomFlip_flips_each_image_with_probability_one_half()
    {
        var x = Images(n: 64, h: 3, w: 3, c: 1);
        using var xt = x.Tensor();
        foreach (var mode in new[] { "horizontal", "vertical", "horizontal_and_vertical" })
        {
            var y = Nd.Of(new RandomFlip(mode, seed: 2).Call(xt, training: true));
            int flipped = 0;
            for (long n = 0; n < 64; n++)
            {
                bool same = true, isFlip = true;
                foreach (var i in Nd.Indices(new long[] { 3, 3 }))
                {
                    long r = mode == "horizontal" ? i[0] : 2 - i[0], c = mode == "vertical" ? i[1] : 2 - i[1];
                    same &= y[n, i[0], i[1], 0] == x[n, i[0], i[1], 0];
                    isFlip &= y[n, i[0], i[1], 0] == x[n, r, c, 0];
                }
                Assert.True(same || isFlip, $"{mode}: image {n} is neither itself nor flipped");
                if (isFlip) flipped++;
            }
            Assert.InRange(flipped, 16, 48);
        }
    }

    [Theory]
    [InlineData("reflect", "bilinear")]
    [InlineData("wrap", "nearest")]
    [InlineData("constant", "bilinear")]
    [InlineData("nearest", "nearest")]
    public void Affine_layers_sample_the_input_as_Kerass_affine_transform(string fillMode, string interpolation)
    {
        var x = Images(n: 2, h: 5, w: 4);
        double[] angles = { 33, -70 };
        double cx = 1.5, cy = 2;
        var rotation = angles.Select(d =>
        {
            double t = d * Math.PI / 180, cos = Math.Cos(t), sin = Math.Sin(t);
            return new[] { cos, -sin, cx - cx * cos + cy * sin, sin, cos, cy - cx * sin - cy * cos };
        }).ToArray();
        BothFormats(x, (f, t) =>
        {
            using var degrees = torch.tensor(angles, torch.ScalarType.Float32);
            return new RandomRotation(0.2, fillMode, interpolation, fillValue: 3.0, dataFormat: f).Rotate(t, degrees);
        }, Affine(x, rotation, interpolation, fillMode, 3.0), 2e-3);
        double[] hz = { 1.5, 0.6 }, wz = { 0.8, 1.3 };
        var zoom = hz.Select((h, k) => new[] { wz[k], 0, cx * (1 - wz[k]), 0, h, cy * (1 - h) }).ToArray();
        BothFormats(x, (f, t) =>
        {
            using var h = torch.tensor(hz, torch.ScalarType.Float32);
            using var w = torch.tensor(wz, torch.ScalarType.Float32);
            return new RandomZoom(0.5, 0.5, fillMode, interpolation, fillValue: 3.0, dataFormat: f).Zoom(t, h, w);
        }, Affine(x, zoom, interpolation, fillMode, 3.0), 2e-3);
        double[] dy = { 1.5, -2.25 }, dx = { -0.75, 3.0 };
        var shift = dy.Select((v, k) => new[] { 1, 0, -dx[k], 0, 1, -v }).ToArray();
        BothFormats(x, (f, t) =>
        {
            using var a = torch.tensor(dy, torch.ScalarType.Float32);
            using var b = torch.tensor(dx, torch.ScalarType.Float32);
            return new RandomTranslation(0.5, 0.5, fillMode, interpolation, fillValue: 3.0, dataFormat: f).Translate(t, a, b);
        }, Affine(x, shift, interpolation, fillMode, 3.0), 2e-3);
    }

    [Fact]
    public void Training_draws_come_from_the_factor_ranges()
    {
        var x = Images(n: 3, h: 4, w: 4);
        using var xt = x.Tensor();
        // Equal bounds make the draw exact: a quarter turn, a 1.5 zoom, a shift of one row and minus one column.
        using var rotated = new RandomRotation((0.25, 0.25), "constant", "nearest").Call(xt, training: true);
        var quarter = Enumerable.Repeat(new[] { 0.0, -1, 3, 1, 0, 0 }, 3).ToArray(); // cos 90° = 0, sin 90° = 1, center (1.5, 1.5)
        LayerChecks.Close(Affine(x, quarter, "nearest", "constant", 0), rotated, 1e-5);
        using var zoomed = new RandomZoom((0.5, 0.5)).Call(xt, training: true);
        LayerChecks.Close(Affine(x, Enumerable.Repeat(new[] { 1.5, 0, -0.75, 0, 1.5, -0.75 }, 3).ToArray(), "bilinear", "reflect", 0), zoomed, 1e-4);
        using var shifted = new RandomTranslation((0.25, 0.25), (-0.25, -0.25), "wrap").Call(xt, training: true);
        LayerChecks.Close(Affine(x, Enumerable.Repeat(new[] { 1.0, 0, 1, 0, 1, -1 }, 3).ToArray(), "bilinear", "wrap", 0), shifted, 1e-4);
    }

    [Fact]
    public void RandomContrast_scales_around_the_per_channel_mean_and_clips_to_the_value_range()
    {
        var x = Nd.Random(new long[] { 8, 3, 4, 2 }, seed: 4, scale: 50);
        for (int i = 0; i < x.Data.Length; i++) x.Data[i] = (float)(x.Data[i] + 100);
        using var xt = x.Tensor();
        var layer = new RandomContrast(0.4, seed: 3);
        Assert.Equal((0.0, 0.4), layer.Range); // Keras 3.15: a number f gives (0, f), factors in [1, 1 + f)
        var y = Nd.Of(layer.Call(xt, training: true));
        for (long n = 0; n < 8; n++)
        {
            double? factor = null;
            for (long c = 0; c < 2; c++)
            {
                var pixels = Nd.Indices(new long[] { 3, 4 }).Select(i => new[] { n, i[0], i[1], c }).ToArray();
                double mean = pixels.Average(p => x[p]);
                foreach (var p in pixels)
                {
                    double f = (y[p] - mean) / (x[p] - mean);
                    Assert.InRange(y[p], 0, 255);
                    if (y[p] <= 0 || y[p] >= 255 || Math.Abs(x[p] - mean) < 1) continue;
                    factor ??= f;
                    Assert.Equal(factor.Value, f, 3); // one factor per image
                }
            }
            Assert.InRange(factor!.Value, 1.0 - 1e-4, 1.4 + 1e-4);
        }
        var clipped = Nd.Of(new RandomContrast(0.1, valueRange: (90, 110)).Adjust(xt, torch.full(new long[] { 8 }, 2.0)));
        foreach (var i in Nd.Indices(x.Shape)) Assert.InRange(clipped[i], 90, 110);
    }

    [Fact]
    public void Augmentation_configs_hold_Kerass_keys_and_load()
    {
        LayerChecks.ConfigKeys(new RandomFlip(), "mode", "seed", "data_format");
        LayerChecks.ConfigKeys(new RandomRotation(0.1), "factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format");
        LayerChecks.ConfigKeys(new RandomZoom(0.1), "height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format");
        LayerChecks.ConfigKeys(new RandomTranslation(0.1, 0.2), "height_factor", "width_factor", "fill_mode", "interpolation", "seed", "fill_value", "data_format");
        LayerChecks.ConfigKeys(new RandomContrast(0.1), "factor", "value_range", "seed", "data_format");
        LayerChecks.ConfigKeys(new Resizing(2, 3), "height", "width", "interpolation", "crop_to_aspect_ratio", "pad_to_aspect_ratio", "fill_mode", "fill_value", "antialias", "data_format");
        LayerChecks.ConfigKeys(new CenterCrop(2, 3), "height", "width", "data_format");
        Assert.Equal("[-0.1,0.1]", new RandomRotation(0.1).GetConfig()["factor"]!.ToJsonString()); // Keras writes the (lower, upper) pair
        Assert.Equal("0.1", new RandomZoom(0.1).GetConfig()["height_factor"]!.ToJsonString()); // ... and the zoom factor as given
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 6, 6, 3], "name": "in"}},
          {"class_name": "RandomFlip", "config": {"name": "f", "mode": "horizontal", "seed": 3, "data_format": "channels_last"}},
          {"class_name": "RandomRotation", "config": {"name": "r", "factor": [-0.2, 0.3], "fill_mode": "constant", "fill_value": 1.0, "interpolation": "nearest", "seed": null, "data_format": "channels_last"}},
          {"class_name": "RandomZoom", "config": {"name": "z", "height_factor": [-0.3, 0.2], "width_factor": null, "fill_mode": "wrap"}},
          {"class_name": "RandomTranslation", "config": {"name": "t", "height_factor": 0.1, "width_factor": [-0.2, 0.1]}},
          {"class_name": "RandomContrast", "config": {"name": "c", "factor": [0.1, 0.2], "value_range": [0, 1]}},
          {"class_name": "Resizing", "config": {"name": "rs", "height": 4, "width": 5, "interpolation": "nearest", "crop_to_aspect_ratio": true, "antialias": false}},
          {"class_name": "CenterCrop", "config": {"name": "cc", "height": 3, "width": 3}}]}}
        """;
        var model = Saving.ModelFromJson(json);
        Assert.Equal("horizontal", Assert.IsType<RandomFlip>(model.Layers[0]).Mode);
        var rotation = Assert.IsType<RandomRotation>(model.Layers[1]);
        Assert.Equal(((-0.2, 0.3), "constant", 1.0, "nearest"), (rotation.Range, rotation.FillMode, rotation.FillValue, rotation.Interpolation));
        var zoom = Assert.IsType<RandomZoom>(model.Layers[2]);
        Assert.Equal(((-0.3, 0.2), (ValueTuple<double, double>?)null, "wrap"), (zoom.HeightRange, zoom.WidthRange, zoom.FillMode));
        Assert.Equal((-0.2, 0.1), Assert.IsType<RandomTranslation>(model.Layers[3]).WidthRange);
        Assert.Equal((0.0, 1.0), Assert.IsType<RandomContrast>(model.Layers[4]).ValueRange);
        Assert.True(Assert.IsType<Resizing>(model.Layers[5]).CropToAspectRatio);
        using var probe = torch.zeros(new long[] { 1, 6, 6, 3 });
        using var output = model.Predict(probe);
        Assert.Equal(new long[] { 1, 3, 3, 3 }, output.shape);
        var antialiased = Saving.ModelFromJson(json.Replace("\"antialias\": false", "\"antialias\": true"));
        Assert.True(Assert.IsType<Resizing>(antialiased.Layers[5]).Antialias);
        var lanczos = Assert.Throws<KerasArgumentException>(() => Saving.ModelFromJson(json.Replace("\"interpolation\": \"nearest\", \"crop", "\"interpolation\": \"lanczos3\", \"crop"))).Message;
        Assert.Contains("layer 'rs' (Resizing)", lanczos);
        Assert.Contains("Received: interpolation=lanczos3.", lanczos);
    }

    [Fact]
    public void Augmentation_arguments_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("The `factor` argument should be a number (or a list of two numbers) in the range [-1, 1]. Received: factor=1.5",
            Assert.Throws<KerasArgumentException>(() => new RandomRotation(1.5)).Message);
        Assert.StartsWith("The `factor` argument should be a number (or a list of two numbers) in the range [0, 1]. Received: factor=(2.0, 3.0)",
            Assert.Throws<KerasArgumentException>(() => new RandomContrast((2.0, 3.0))).Message);
        Assert.StartsWith("The `height_factor` and `width_factor` arguments should be a number (or a list of two numbers) in the range (-1.0, 1.0]. Received: input_number=-1.0",
            Assert.Throws<KerasArgumentException>(() => new RandomZoom(-1.0)).Message);
        Assert.StartsWith("The `height_factor` and `width_factor` arguments should be a number (or a list of two numbers) in the range [-1.0, 1.0]. Received: input_number=1.5",
            Assert.Throws<KerasArgumentException>(() => new RandomTranslation(0.1, (0.0, 1.5))).Message);
        Assert.StartsWith("Unknown `fill_mode` mirror. Expected of one ('reflect', 'wrap', 'constant', 'nearest').",
            Assert.Throws<KerasArgumentException>(() => new RandomRotation(0.1, fillMode: "mirror")).Message);
        Assert.StartsWith("Unknown `interpolation` bicubic. Expected of one ('nearest', 'bilinear').",
            Assert.Throws<KerasArgumentException>(() => new RandomZoom(0.1, interpolation: "bicubic")).Message);
        Assert.Contains("unknown mode argument diagonal", Assert.Throws<KerasArgumentException>(() => new RandomFlip("diagonal")).Message);
    }

    [Fact]
    public void Weights_and_files_of_the_preprocessing_layers_follow_Keras()
    {
        LayerChecks.H5Layout(KerasHome, () => new RandomRotation(0.1), new long[] { 3, 3, 2 }, "random_rotation");
        LayerChecks.H5Layout(KerasHome, () => new Resizing(2, 2), new long[] { 3, 3, 2 }, "resizing");
        LayerChecks.H5Layout(KerasHome, () => new Normalization(mean: new[] { 1.0, 2.0 }, variance: new[] { 1.0, 4.0 }), new long[] { 2 }, "normalization");
    }

    [Fact]
    public void Affine_transforms_leave_no_tensors_behind()
    {
        // Every tensor made on this thread while the scope is open joins it unless disposed: after the calls (outputs
        // disposed) it must be empty. (Scopes are per thread, so tests running in parallel do not disturb the count.)
        var layer = new RandomRotation(0.3, seed: 1);
        using var x = torch.randn(new long[] { 2, 6, 6, 3 });
        using (layer.Call(x, training: true)) { }
        using var scope = torch.NewDisposeScope();
        var probe = torch.zeros(new long[] { 1 });
        Assert.Equal(1, scope.DisposablesCount); // the scope sees what is left alive
        probe.Dispose();
        Assert.Equal(0, scope.DisposablesCount);
        foreach (var l in new Layer[] { layer, new RandomZoom(0.3, fillMode: "constant"), new RandomTranslation(0.2, 0.2, interpolation: "nearest"), new Resizing(3, 4, padToAspectRatio: true), new Resizing(3, 4, "bicubic", antialias: true) })
            for (int i = 0; i < 3; i++)
                using (l.Call(x, training: true)) { }
        Assert.Equal(0, scope.DisposablesCount);
    }
}

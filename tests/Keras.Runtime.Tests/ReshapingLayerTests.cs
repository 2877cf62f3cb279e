using Keras.Errors;
using Keras.Layers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// RepeatVector, Permute, UpSampling1D/2D/3D, ZeroPadding1D/2D/3D, Cropping1D/2D/3D: values against loops written from
/// Keras' definitions, both data formats, gradients, configs (Keras' accepted forms) and Keras' errors.
/// </summary>
public class ReshapingLayerTests : KerasTestBase
{
    /// <summary>Runs the layer on <paramref name="x"/> (channels last) in both data formats and compares with <paramref name="reference"/>.</summary>
    private static void BothFormats(Func<string, Layer> make, Nd x, Func<Nd, Nd> reference)
    {
        int last = x.Shape.Length - 1;
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            var layer = make(format);
            var given = format == "channels_last" ? x : x.MoveAxis(last, 1);
            using var xt = given.Tensor();
            using var y = layer.Call(xt);
            var expected = reference(x);
            LayerChecks.Close(format == "channels_last" ? expected : expected.MoveAxis(last, 1), y, 1e-6);
            Assert.Equal(y.shape, layer.ComputeOutputShape(given.Shape));
        }
    }

    /// <summary>y[n, p, c] = x[n, p - before, c] inside the input, else 0 (negative before = cropping).</summary>
    private static Nd Shift(Nd x, (int Before, int After)[] amounts, int sign)
    {
        int rank = amounts.Length;
        var shape = (long[])x.Shape.Clone();
        for (int i = 0; i < rank; i++) shape[i + 1] += sign * (amounts[i].Before + amounts[i].After);
        var y = new Nd(shape);
        foreach (var o in Nd.Indices(shape))
        {
            var p = (long[])o.Clone();
            bool inside = true;
            for (int i = 0; i < rank; i++)
            {
                p[i + 1] = o[i + 1] - sign * amounts[i].Before;
                inside &= p[i + 1] >= 0 && p[i + 1] < x.Shape[i + 1];
            }
            y[o] = inside ? x[p] : 0;
        }
        return y;
    }

    [Fact]
    public void RepeatVector_repeats_each_sample_n_times()
    {
        using var x = torch.tensor(new float[] { 1, 2, 3, 4 }, 2, 2);
        using var y = new RepeatVector(3).Call(x);
        Assert.Equal(new long[] { 2, 3, 2 }, y.shape);
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4 }, y.data<float>().ToArray());
        Assert.StartsWith("Argument `n` should be a positive integer. Received: n=0", Assert.Throws<KerasArgumentException>(() => new RepeatVector(0)).Message);
        Assert.StartsWith("Input 0 of layer \"rv\" is incompatible with the layer: expected ndim=2, found ndim=3.",
            Assert.Throws<KerasArgumentException>(() => new RepeatVector(2, name: "rv").Call(new Input(new long[] { 3, 2 }))).Message);
        LayerChecks.ConfigKeys(new RepeatVector(2), "n");
    }

    [Fact]
    public void Permute_reorders_the_non_batch_axes()
    {
        var x = Nd.Random(new long[] { 2, 3, 4, 5 }, seed: 1).AsFloat32();
        using var xt = x.Tensor();
        var layer = new Permute(new[] { 3, 1, 2 });
        using var y = layer.Call(xt);
        var expected = new Nd(new long[] { 2, 5, 3, 4 });
        foreach (var i in Nd.Indices(expected.Shape)) expected[i] = x[i[0], i[2], i[3], i[1]]; // output axis k is input axis dims[k]
        LayerChecks.Close(expected, y, 0);
        Assert.Equal(new long[] { -1, 5, 3, 4 }, layer.ComputeOutputShape(new long[] { -1, 3, 4, 5 }));
        Assert.StartsWith("Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims=(0, 1)",
            Assert.Throws<KerasArgumentException>(() => new Permute(new[] { 0, 1 })).Message);
        LayerChecks.ConfigKeys(layer, "dims");
    }

    [Fact]
    public void UpSampling_repeats_steps_rows_columns_and_depths()
    {
        using var seq = torch.tensor(new float[] { 1, 2, 3, 4 }, 1, 2, 2);
        using var up1 = new UpSampling1D(2).Call(seq);
        Assert.Equal(new float[] { 1, 2, 1, 2, 3, 4, 3, 4 }, up1.data<float>().ToArray());

        var image = Nd.Random(new long[] { 2, 3, 2, 2 }, seed: 2).AsFloat32();
        BothFormats(f => new UpSampling2D((2, 3), f), image, x =>
        {
            var y = new Nd(new long[] { 2, 6, 6, 2 });
            foreach (var i in Nd.Indices(y.Shape)) y[i] = x[i[0], i[1] / 2, i[2] / 3, i[3]];
            return y;
        });
        var volume = Nd.Random(new long[] { 1, 2, 2, 3, 2 }, seed: 3).AsFloat32();
        BothFormats(f => new UpSampling3D((2, 1, 2), f), volume, x =>
        {
            var y = new Nd(new long[] { 1, 4, 2, 6, 2 });
            foreach (var i in Nd.Indices(y.Shape)) y[i] = x[i[0], i[1] / 2, i[2], i[3] / 2, i[4]];
            return y;
        });
    }

    /// <summary>Bilinear resizing with half-pixel centres: source = (dst + 0.5)/factor - 0.5, clamped at 0, neighbours clamped at the edge.</summary>
    private static Nd Bilinear(Nd x, int fh, int fw)
    {
        long h = x.Shape[1], w = x.Shape[2];
        var y = new Nd(new[] { x.Shape[0], h * fh, w * fw, x.Shape[3] });
        (long, long, double) Source(long dst, int factor, long size)
        {
            double s = Math.Max((dst + 0.5) / factor - 0.5, 0);
            long lo = (long)Math.Floor(s);
            return (lo, Math.Min(lo + 1, size - 1), s - lo);
        }
        foreach (var i in Nd.Indices(y.Shape))
        {
            var (r0, r1, a) = Source(i[1], fh, h);
            var (c0, c1, b) = Source(i[2], fw, w);
            y[i] = (1 - a) * ((1 - b) * x[i[0], r0, c0, i[3]] + b * x[i[0], r0, c1, i[3]]) + a * ((1 - b) * x[i[0], r1, c0, i[3]] + b * x[i[0], r1, c1, i[3]]);
        }
        return y;
    }

    [Fact]
    public void UpSampling2D_bilinear_resizes_with_half_pixel_centres()
    {
        var image = Nd.Random(new long[] { 2, 3, 4, 2 }, seed: 4).AsFloat32();
        BothFormats(f => new UpSampling2D((2, 3), f, "bilinear"), image, x => Bilinear(x, 2, 3));
        using var x64 = torch.randn(new long[] { 1, 3, 3, 2 }, torch.ScalarType.Float64);
        var layer = new UpSampling2D(2, interpolation: "BILINEAR", dtype: "float64");
        Assert.Equal("bilinear", layer.Interpolation);
        LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x64 }, layer.TrainableWeights);
    }

    [Fact]
    public void UpSampling2D_bicubic_resizes_as_Kerass_torch_backend()
    {
        var image = Nd.Random(new long[] { 2, 3, 4, 2 }, seed: 6).AsFloat32();
        BothFormats(f => new UpSampling2D((2, 3), f, "bicubic"), image, x => ResizeReference.Interpolate(x, 6, 12, "bicubic", false));
        using var x64 = torch.randn(new long[] { 1, 3, 3, 2 }, torch.ScalarType.Float64);
        var layer = new UpSampling2D(2, interpolation: "Bicubic", dtype: "float64");
        Assert.Equal("bicubic", layer.Interpolation);
        LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x64 }, layer.TrainableWeights);
    }

    [Fact]
    public void UpSampling_arguments_and_configs_follow_Keras()
    {
        Assert.StartsWith("Argument `size` should be a positive integer. Received: size=0", Assert.Throws<KerasArgumentException>(() => new UpSampling1D(0)).Message);
        Assert.StartsWith("Resizing with Lanczos interpolation is not supported by the PyTorch backend. Received: interpolation=lanczos5.",
            Assert.Throws<KerasArgumentException>(() => new UpSampling2D(2, interpolation: "lanczos5")).Message);
        Assert.StartsWith("Invalid value for argument `interpolation`. Expected of one {'bilinear': 'bilinear', 'nearest': 'nearest-exact', " +
                          "'bicubic': 'bicubic'}. Received: interpolation=area",
            Assert.Throws<KerasArgumentException>(() => new UpSampling2D(2, interpolation: "area")).Message);
        LayerChecks.ConfigKeys(new UpSampling1D(), "size");
        LayerChecks.ConfigKeys(new UpSampling2D(), "size", "data_format", "interpolation");
        LayerChecks.ConfigKeys(new UpSampling3D(), "size", "data_format");
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "UpSampling2D", "config": {"name": "u", "size": 2, "interpolation": "lanczos3"}}]}}
        """;
        Assert.Contains("lanczos3", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(json)).Message);
        var up = (UpSampling2D)Saving.ModelFromJson(json.Replace("lanczos3", "bilinear")).Layers[0];
        Assert.Equal(((2, 2), "bilinear"), (up.Size, up.Interpolation));
        var cubic = (UpSampling2D)Saving.ModelFromJson(json.Replace("lanczos3", "bicubic")).Layers[0];
        Assert.Equal("bicubic", cubic.Interpolation);
        Assert.Equal("bicubic", cubic.GetConfig()["interpolation"]!.GetValue<string>());
    }

    [Fact]
    public void ZeroPadding_adds_zeros_around_each_spatial_axis()
    {
        BothFormats(f => new ZeroPadding1D((1, 2), f), Nd.Random(new long[] { 2, 3, 2 }, 5).AsFloat32(), x => Shift(x, new[] { (1, 2) }, +1));
        BothFormats(f => new ZeroPadding2D(((2, 0), (1, 3)), f), Nd.Random(new long[] { 2, 3, 2, 2 }, 6).AsFloat32(),
            x => Shift(x, new[] { (2, 0), (1, 3) }, +1));
        BothFormats(f => new ZeroPadding2D((1, 2), f), Nd.Random(new long[] { 1, 2, 2, 1 }, 7).AsFloat32(), x => Shift(x, new[] { (1, 1), (2, 2) }, +1));
        BothFormats(f => new ZeroPadding3D(((1, 0), (0, 2), (1, 1)), f), Nd.Random(new long[] { 1, 2, 2, 2, 2 }, 8).AsFloat32(),
            x => Shift(x, new[] { (1, 0), (0, 2), (1, 1) }, +1));
    }

    [Fact]
    public void Cropping_removes_steps_around_each_spatial_axis()
    {
        var sequence = Nd.Random(new long[] { 2, 6, 3 }, 9).AsFloat32();
        using var seq = sequence.Tensor();
        using var cropped = new Cropping1D((2, 1)).Call(seq);
        LayerChecks.Close(Shift(sequence, new[] { (2, 1) }, -1), cropped, 0);
        BothFormats(f => new Cropping2D(((1, 0), (2, 1)), f), Nd.Random(new long[] { 2, 4, 5, 2 }, 10).AsFloat32(),
            x => Shift(x, new[] { (1, 0), (2, 1) }, -1));
        BothFormats(f => new Cropping3D((1, 0, 2), f), Nd.Random(new long[] { 1, 3, 2, 5, 2 }, 11).AsFloat32(),
            x => Shift(x, new[] { (1, 1), (0, 0), (2, 2) }, -1));
    }

    [Fact]
    public void Padding_and_cropping_errors_are_Kerass()
    {
        Assert.StartsWith("The `padding` argument must be a tuple of 2 integers. Received padding=(-1, 1), including values {-1} that do not satisfy `value >= 0`",
            Assert.Throws<KerasArgumentException>(() => new ZeroPadding1D((-1, 1))).Message);
        Assert.StartsWith("The `2nd entry of cropping` argument must be a tuple of 2 integers.",
            Assert.Throws<KerasArgumentException>(() => new Cropping2D(((0, 0), (0, -2)))).Message);
        Assert.StartsWith("`cropping` parameter of `Cropping1D` layer must be smaller than the input length. Received: input_shape=(None, 3, 2), cropping=(2, 1)",
            Assert.Throws<KerasArgumentException>(() => new Cropping1D((2, 1)).Call(new Input(new long[] { 3, 2 }))).Message);
        Assert.StartsWith("Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input.",
            Assert.Throws<KerasArgumentException>(() => new Cropping2D(2).Call(new Input(new long[] { 5, 4, 1 }))).Message);
        Assert.StartsWith("Input 0 of layer \"zero_padding3d\" is incompatible with the layer: expected ndim=5, found ndim=4.",
            Assert.Throws<KerasArgumentException>(() => new ZeroPadding3D().Call(new Input(new long[] { 2, 2, 2 }))).Message);
    }

    [Fact]
    public void Padding_and_cropping_configs_take_every_form_Keras_accepts()
    {
        LayerChecks.ConfigKeys(new ZeroPadding1D(), "padding", "data_format");
        LayerChecks.ConfigKeys(new ZeroPadding2D(), "padding", "data_format");
        LayerChecks.ConfigKeys(new ZeroPadding3D(), "padding", "data_format");
        LayerChecks.ConfigKeys(new Cropping1D(), "cropping");
        LayerChecks.ConfigKeys(new Cropping2D(), "cropping", "data_format");
        LayerChecks.ConfigKeys(new Cropping3D(), "cropping", "data_format");
        Assert.Equal("[[1,2],[3,4]]", new ZeroPadding2D(((1, 2), (3, 4))).GetConfig()["padding"]!.ToJsonString());
        Assert.Equal("[1,2]", new ZeroPadding1D((1, 2)).GetConfig()["padding"]!.ToJsonString());

        Layer Load(string className, string key, string value) => Saving.ModelFromJson(
            $$$"""{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "{{{className}}}", "config": {"name": "l", "{{{key}}}": {{{value}}}}}]}}""").Layers[0];
        Assert.Equal(new[] { (2, 2), (2, 2) }, ((ZeroPadding2D)Load("ZeroPadding2D", "padding", "2")).Padding);
        Assert.Equal(new[] { (1, 1), (3, 3) }, ((ZeroPadding2D)Load("ZeroPadding2D", "padding", "[1, 3]")).Padding);
        Assert.Equal(new[] { (1, 0), (0, 2) }, ((ZeroPadding2D)Load("ZeroPadding2D", "padding", "[[1, 0], [0, 2]]")).Padding);
        Assert.Equal(new[] { (1, 3) }, ((Cropping1D)Load("Cropping1D", "cropping", "[1, 3]")).Cropping);
        Assert.Equal(new[] { (1, 1), (2, 2), (0, 1) }, ((Cropping3D)Load("Cropping3D", "cropping", "[1, 2, [0, 1]]")).Cropping);
        Assert.Contains("'padding'", Assert.Throws<KerasConfigException>(() => Load("ZeroPadding2D", "padding", "[1, 2, 3]")).Message);
        Assert.Contains("'cropping'", Assert.Throws<KerasConfigException>(() => Load("Cropping2D", "cropping", "[[1, -1], [0, 0]]")).Message);
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        (Layer Layer, long[] Shape)[] cases =
        {
            (new RepeatVector(3, dtype: "float64"), new long[] { 2, 3 }),
            (new Permute(new[] { 2, 1 }, dtype: "float64"), new long[] { 2, 3, 4 }),
            (new UpSampling3D((2, 1, 2), dtype: "float64"), new long[] { 1, 2, 2, 2, 1 }),
            (new ZeroPadding2D(((1, 0), (2, 1)), dtype: "float64"), new long[] { 1, 2, 3, 2 }),
            (new Cropping3D((1, 0, 1), "channels_first", dtype: "float64"), new long[] { 1, 2, 3, 2, 4 }),
        };
        foreach (var (layer, shape) in cases)
        {
            using var x = torch.randn(shape, torch.ScalarType.Float64);
            LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x }, layer.TrainableWeights);
        }
    }
}

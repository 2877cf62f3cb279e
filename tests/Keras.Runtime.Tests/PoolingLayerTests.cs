using Keras.Errors;
using Keras.Layers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Max/AveragePooling1D/2D/3D and GlobalAverage/MaxPooling2D/3D: values against <see cref="Reference.Pool"/> (Keras'
/// window rules by hand) in both data formats, gradients, configs and Keras' errors.
/// </summary>
public class PoolingLayerTests : KerasTestBase
{
    private static void AgreesWithReference(Func<string, Layer> make, long[] input, Func<Nd, Nd> reference)
    {
        int last = input.Length - 1;
        var x = Nd.Random(input, seed: 2).AsFloat32();
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            var layer = make(format);
            var given = format == "channels_last" ? x : x.MoveAxis(last, 1);
            using var xt = given.Tensor();
            using var y = layer.Call(xt);
            var expected = reference(x);
            if (format == "channels_first" && expected.Shape.Length == input.Length) expected = expected.MoveAxis(last, 1);
            LayerChecks.Close(expected, y, atol: 1e-6, rtol: 1e-6);
            Assert.Equal(y.shape, layer.ComputeOutputShape(given.Shape));
        }
    }

    [Theory]
    [InlineData("valid", 2, null)]
    [InlineData("valid", 3, 1)]
    [InlineData("same", 3, 2)]
    [InlineData("same", 4, 1)]
    public void Pooling1D_takes_the_maximum_or_the_mean_of_each_window(string padding, int pool, int? strides)
    {
        int s = strides ?? pool;
        AgreesWithReference(f => new MaxPooling1D(pool, strides, padding, f), new long[] { 2, 9, 3 }, x => Reference.Pool(x, new[] { pool }, new[] { s }, padding, false));
        AgreesWithReference(f => new AveragePooling1D(pool, strides, padding, f), new long[] { 2, 9, 3 }, x => Reference.Pool(x, new[] { pool }, new[] { s }, padding, true));
    }

    [Theory]
    [InlineData("valid", 2, 3, 1, 2)]
    [InlineData("same", 2, 3, 2, 2)]
    [InlineData("same", 3, 2, 1, 3)]
    public void Pooling2D_takes_non_square_windows(string padding, int ph, int pw, int sh, int sw)
    {
        AgreesWithReference(f => new MaxPooling2D((ph, pw), (sh, sw), padding, f), new long[] { 2, 7, 8, 2 },
            x => Reference.Pool(x, new[] { ph, pw }, new[] { sh, sw }, padding, false));
        AgreesWithReference(f => new AveragePooling2D((ph, pw), (sh, sw), padding, f), new long[] { 2, 7, 8, 2 },
            x => Reference.Pool(x, new[] { ph, pw }, new[] { sh, sw }, padding, true));
    }

    [Theory]
    [InlineData("valid")]
    [InlineData("same")]
    public void Pooling3D_takes_three_dimensional_windows(string padding)
    {
        AgreesWithReference(f => new MaxPooling3D((2, 3, 2), (2, 2, 1), padding, f), new long[] { 1, 5, 6, 3, 2 },
            x => Reference.Pool(x, new[] { 2, 3, 2 }, new[] { 2, 2, 1 }, padding, false));
        AgreesWithReference(f => new AveragePooling3D((2, 3, 2), (2, 2, 1), padding, f), new long[] { 1, 5, 6, 3, 2 },
            x => Reference.Pool(x, new[] { 2, 3, 2 }, new[] { 2, 2, 1 }, padding, true));
    }

    [Fact]
    public void Average_pooling_with_same_padding_averages_only_the_real_inputs()
    {
        // pool 4, stride 1 on [1..5]: Keras pads 1 before and 2 after; each window averages the inputs it covers.
        using var x = torch.tensor(new float[] { 1, 2, 3, 4, 5 }, 1, 5, 1);
        using var y = new AveragePooling1D(4, 1, "same").Call(x);
        Assert.Equal(new[] { 2f, 2.5f, 3.5f, 4f, 4.5f }, y.data<float>().ToArray());
        using var m = new MaxPooling1D(4, 1, "same").Call(-x); // the padding never wins the maximum, even for negative inputs
        Assert.Equal(new[] { -1f, -1f, -2f, -3f, -4f }, m.data<float>().ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Global_pooling_reduces_every_spatial_axis(bool keepdims)
    {
        foreach (var rank in new[] { 2, 3 })
        {
            var shape = rank == 2 ? new long[] { 2, 3, 4, 5 } : new long[] { 2, 3, 2, 4, 5 };
            var x = Nd.Random(shape, seed: 4).AsFloat32();
            var channels = shape[^1];
            Nd Reduce(bool average, bool channelsFirst)
            {
                var outShape = keepdims
                    ? (channelsFirst ? new[] { shape[0], channels }.Concat(Enumerable.Repeat(1L, rank)) : new[] { shape[0] }.Concat(Enumerable.Repeat(1L, rank)).Append(channels)).ToArray()
                    : new[] { shape[0], channels };
                var y = new Nd(outShape);
                for (long n = 0; n < shape[0]; n++)
                    for (long c = 0; c < channels; c++)
                    {
                        var values = Nd.Indices(shape).Where(i => i[0] == n && i[^1] == c).Select(i => x[i]).ToArray();
                        y.Data[n * channels + c] = average ? values.Average() : values.Max();
                    }
                return y;
            }
            foreach (var format in new[] { "channels_last", "channels_first" })
            {
                bool first = format == "channels_first";
                var given = first ? x.MoveAxis(rank + 1, 1) : x;
                Layer avg = rank == 2 ? new GlobalAveragePooling2D(format, keepdims) : new GlobalAveragePooling3D(format, keepdims);
                Layer max = rank == 2 ? new GlobalMaxPooling2D(format, keepdims) : new GlobalMaxPooling3D(format, keepdims);
                using var xt = given.Tensor();
                using var a = avg.Call(xt);
                using var b = max.Call(xt);
                LayerChecks.Close(Reduce(true, first), a, 1e-6);
                LayerChecks.Close(Reduce(false, first), b, 1e-6);
                Assert.Equal(a.shape, avg.ComputeOutputShape(given.Shape));
            }
        }
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        Layer[] layers =
        {
            new AveragePooling1D(3, 2, "same", dtype: "float64"), new MaxPooling2D((2, 3), (1, 2), "same", dtype: "float64"),
            new AveragePooling3D(2, 1, "same", dtype: "float64"), new GlobalAveragePooling2D(dtype: "float64"), new GlobalMaxPooling3D(keepdims: true, dtype: "float64"),
        };
        long[][] shapes = { new long[] { 2, 7, 2 }, new long[] { 1, 4, 5, 2 }, new long[] { 1, 3, 3, 2, 2 }, new long[] { 2, 3, 3, 2 }, new long[] { 1, 2, 3, 2, 2 } };
        for (int i = 0; i < layers.Length; i++)
        {
            using var x = torch.randn(shapes[i], torch.ScalarType.Float64, generator: new torch.Generator(1)); // distinct values: max is differentiable
            LayerChecks.Gradients(t => layers[i].Call(t[0]), new[] { x }, layers[i].TrainableWeights);
        }
    }

    [Fact]
    public void Configs_hold_Kerass_keys_and_round_trip()
    {
        foreach (var layer in new Layer[] { new MaxPooling1D(), new AveragePooling1D(2), new AveragePooling2D(2), new MaxPooling3D(), new AveragePooling3D(2) })
            LayerChecks.ConfigKeys(layer, "pool_size", "padding", "strides", "data_format");
        foreach (var layer in new Layer[] { new GlobalAveragePooling2D(), new GlobalAveragePooling3D(), new GlobalMaxPooling2D(), new GlobalMaxPooling3D() })
            LayerChecks.ConfigKeys(layer, "data_format", "keepdims");
        var config = new AveragePooling2D((2, 3), (1, 2), "same", "channels_first").GetConfig();
        Assert.Equal("[2,3]", config["pool_size"]!.ToJsonString());
        Assert.Equal("[1,2]", config["strides"]!.ToJsonString()); // strides default to the pool size and are written as Keras does
        Assert.Equal("[3,3]", new MaxPooling2D(3).GetConfig()["strides"]!.ToJsonString());

        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 8, 4, 3], "name": "in"}},
          {"class_name": "AvgPool2D", "config": {"name": "p", "pool_size": 2, "strides": null, "padding": "SAME"}},
          {"class_name": "GlobalMaxPool2D", "config": {"name": "g", "keepdims": true}}]}}
        """;
        // Keras' aliases, an integer pool size, strides null (the pool size) and upper-case padding
        var model = Saving.ModelFromJson(json);
        var pool = Assert.IsType<AveragePooling2D>(model.Layers[0]);
        Assert.Equal(((2, 2), (2, 2), "same"), (pool.PoolSize, pool.Strides, pool.Padding));
        Assert.True(Assert.IsType<GlobalMaxPooling2D>(model.Layers[1]).Keepdims);
        Assert.Contains("'pool_size'", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(json.Replace("\"pool_size\": 2", "\"pool_size\": [2, 2, 2]"))).Message);
    }

    [Fact]
    public void Arguments_and_shapes_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("The `pool_size` argument must be a tuple of 2 integers. Received pool_size=(0, 2)",
            Assert.Throws<KerasArgumentException>(() => new MaxPooling2D((0, 2), null)).Message);
        Assert.StartsWith("Argument `padding` must be either 'valid' or 'same'. Received: padding=full",
            Assert.Throws<KerasArgumentException>(() => new AveragePooling1D(2, padding: "full")).Message);
        Assert.StartsWith("Input 0 of layer \"max_pooling1d\" is incompatible with the layer: expected ndim=3, found ndim=4.",
            Assert.Throws<KerasArgumentException>(() => new MaxPooling1D().Call(new Input(new long[] { 4, 4, 2 }))).Message);
        Assert.StartsWith("Computed output size would be zero or negative.",
            Assert.Throws<KerasArgumentException>(() => new MaxPooling2D(3).Call(new Input(new long[] { 2, 5, 1 }))).Message);
        Assert.StartsWith("Input 0 of layer \"global_average_pooling2d\" is incompatible with the layer: expected ndim=4, found ndim=3.",
            Assert.Throws<KerasArgumentException>(() => new GlobalAveragePooling2D().Call(new Input(new long[] { 4, 2 }))).Message);
    }

    [Fact]
    public void Weightless_layers_write_an_empty_vars_group_as_Keras()
    {
        LayerChecks.H5Layout(KerasHome, () => new MaxPooling1D(2), new long[] { 6, 2 }, "max_pooling1d");
        LayerChecks.H5Layout(KerasHome, () => new GlobalAveragePooling2D(), new long[] { 3, 3, 2 }, "global_average_pooling2d");
    }
}

using Keras.Errors;
using Keras.Layers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>GlobalAveragePooling1D and GlobalMaxPooling1D: the mean or maximum over the steps axis, both data formats.</summary>
public class GlobalPooling1DTests : KerasTestBase
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Global_pooling_1d_reduces_the_steps_axis(bool keepdims)
    {
        var x = Nd.Random(new long[] { 2, 5, 3 }, seed: 6).AsFloat32();
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            bool first = format == "channels_first";
            var given = first ? x.MoveAxis(2, 1) : x;
            var avgShape = keepdims ? (first ? new long[] { 2, 3, 1 } : new long[] { 2, 1, 3 }) : new long[] { 2, 3 };
            var avg = new Nd(avgShape);
            var max = new Nd(avgShape);
            for (long n = 0; n < 2; n++)
                for (long c = 0; c < 3; c++)
                {
                    var steps = Enumerable.Range(0, 5).Select(t => x[n, t, c]).ToArray();
                    avg.Data[n * 3 + c] = steps.Average();
                    max.Data[n * 3 + c] = steps.Max();
                }
            var a = new GlobalAveragePooling1D(format, keepdims);
            var m = new GlobalMaxPooling1D(format, keepdims);
            using var xt = given.Tensor();
            using var ya = a.Call(xt);
            using var ym = m.Call(xt);
            LayerChecks.Close(avg, ya, 1e-6);
            LayerChecks.Close(max, ym, 1e-6);
            Assert.Equal(ya.shape, a.ComputeOutputShape(given.Shape));
        }
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        using var x = torch.randn(new long[] { 2, 4, 3 }, torch.ScalarType.Float64, generator: new torch.Generator(3));
        foreach (var layer in new Layer[] { new GlobalAveragePooling1D(dtype: "float64"), new GlobalMaxPooling1D(keepdims: true, dtype: "float64") })
            LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x }, layer.TrainableWeights);
    }

    [Fact]
    public void Configs_hold_Kerass_keys_and_aliases_load()
    {
        LayerChecks.ConfigKeys(new GlobalAveragePooling1D(), "data_format", "keepdims");
        LayerChecks.ConfigKeys(new GlobalMaxPooling1D(), "data_format", "keepdims");
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 6, 4], "name": "in"}},
          {"class_name": "Reshape", "config": {"name": "r", "target_shape": [6, 4]}},
          {"class_name": "GlobalAvgPool1D", "config": {"name": "a", "data_format": "channels_first", "keepdims": true}},
          {"class_name": "Reshape", "config": {"name": "r2", "target_shape": [1, 6]}},
          {"class_name": "GlobalMaxPool1D", "config": {"name": "m"}}]}}
        """;
        var model = Saving.ModelFromJson(json);
        var avg = Assert.IsType<GlobalAveragePooling1D>(model.Layers[1]);
        Assert.Equal(("channels_first", true), (avg.DataFormat, avg.Keepdims));
        Assert.IsType<GlobalMaxPooling1D>(model.Layers[3]);
        LayerChecks.H5Layout(KerasHome, () => new GlobalMaxPooling1D(), new long[] { 4, 2 }, "global_max_pooling1d");
    }

    [Fact]
    public void Inputs_of_another_rank_are_refused_with_Kerass_message()
    {
        Assert.StartsWith("Input 0 of layer \"global_average_pooling1d\" is incompatible with the layer: expected ndim=3, found ndim=4.",
            Assert.Throws<KerasArgumentException>(() => new GlobalAveragePooling1D().Call(new Input(new long[] { 4, 2, 2 }))).Message);
    }
}

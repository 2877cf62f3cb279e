using Keras.Errors;
using Keras.Initializers;
using Keras.Layers;
using Keras.Models;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// LayerNormalization, GroupNormalization and UnitNormalization: values against Keras' formulas written as loops
/// (biased variance, rsqrt(var + epsilon)), gradients, configs with every key Keras writes, weights in Keras' order and
/// H5 layout, and Keras' errors.
/// </summary>
public class NormalizationLayerTests : KerasTestBase
{
    /// <summary>Mean and biased variance of the values selected by <paramref name="member"/> (index → group id), per group.</summary>
    private static Nd NormalizeGroups(Nd x, Func<long[], long> group, Func<long[], double> gamma, Func<long[], double> beta, double epsilon,
        bool center = true)
    {
        var sums = new Dictionary<long, (double Sum, double Sq, int N)>();
        foreach (var i in Nd.Indices(x.Shape))
        {
            var g = group(i);
            sums.TryGetValue(g, out var s);
            sums[g] = (s.Sum + x[i], s.Sq, s.N + 1);
        }
        var means = sums.ToDictionary(p => p.Key, p => p.Value.Sum / p.Value.N);
        var vars = new Dictionary<long, double>();
        foreach (var i in Nd.Indices(x.Shape))
        {
            var g = group(i);
            vars[g] = vars.GetValueOrDefault(g) + Math.Pow(x[i] - means[g], 2) / sums[g].N;
        }
        var y = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape))
        {
            var g = group(i);
            double centered = center ? x[i] - means[g] : x[i];
            y[i] = centered / Math.Sqrt(vars[g] + epsilon) * gamma(i) + beta(i);
        }
        return y;
    }

    private static void Randomize(Layer layer, int seed)
    {
        var random = new Random(seed);
        layer.SetWeights(layer.Weights.Select(w =>
        {
            var values = Enumerable.Range(0, (int)w.Shape.Aggregate(1L, (a, b) => a * b)).Select(_ => (float)(random.NextDouble() * 2 - 0.5)).ToArray();
            return torch.tensor(values, w.Shape);
        }).ToArray());
    }

    [Fact]
    public void LayerNormalization_normalizes_each_example_over_the_last_axis_and_applies_gamma_and_beta()
    {
        var x = Nd.Random(new long[] { 2, 3, 5 }, seed: 3, scale: 4).AsFloat32();
        var layer = new LayerNormalization(epsilon: 1e-3);
        using var xt = x.Tensor();
        layer.Build(xt.shape);
        Randomize(layer, 1);
        Assert.Equal(new[] { "gamma", "beta" }, layer.Weights.Select(w => w.Name));
        var gamma = Nd.Of(layer.Gamma!.Value);
        var beta = Nd.Of(layer.Beta!.Value);
        using var y = layer.Call(xt);
        var expected = NormalizeGroups(x, i => i[0] * 10 + i[1], i => gamma[i[2]], i => beta[i[2]], 1e-3);
        LayerChecks.Close(expected, y, 1e-5, 1e-5);
    }

    [Fact]
    public void LayerNormalization_over_several_axes_has_weights_of_their_shape()
    {
        var x = Nd.Random(new long[] { 2, 3, 4 }, seed: 5, scale: 2).AsFloat32();
        var layer = new LayerNormalization(new[] { 2, 1 }, epsilon: 0.01);
        using var xt = x.Tensor();
        layer.Build(xt.shape);
        Assert.Equal(new[] { 1, 2 }, layer.Axis); // sorted as Keras keeps them
        Assert.Equal(new long[] { 3, 4 }, layer.Gamma!.Shape);
        Randomize(layer, 2);
        var gamma = Nd.Of(layer.Gamma.Value);
        var beta = Nd.Of(layer.Beta!.Value);
        using var y = layer.Call(xt);
        LayerChecks.Close(NormalizeGroups(x, i => i[0], i => gamma[i[1], i[2]], i => beta[i[1], i[2]], 0.01), y, 1e-5, 1e-5);
    }

    [Fact]
    public void LayerNormalization_rms_scaling_divides_by_the_standard_deviation_without_centering_and_has_no_beta()
    {
        var x = Nd.Random(new long[] { 3, 4 }, seed: 6, scale: 3).AsFloat32();
        var layer = new LayerNormalization(rmsScaling: true);
        using var xt = x.Tensor();
        using var y = layer.Call(xt);
        Assert.Equal(new[] { "gamma" }, layer.Weights.Select(w => w.Name));
        LayerChecks.Close(NormalizeGroups(x, i => i[0], _ => 1, _ => 0, 1e-3, center: false), y, 1e-5, 1e-5);
    }

    [Fact]
    public void LayerNormalization_without_center_and_scale_has_no_weights()
    {
        var layer = new LayerNormalization(center: false, scale: false);
        layer.Build(new long[] { -1, 4 });
        Assert.Empty(layer.Weights);
    }

    [Fact]
    public void Half_precision_inputs_are_normalized_with_float32_statistics()
    {
        // Values near 6e4: their squares overflow float16, float32 statistics do not.
        var values = new double[] { 60000, 60032, 60064, 60128 }; // exact in float16 (spacing 32 there)
        var layer = new LayerNormalization(dtype: "mixed_float16");
        using var xt = torch.tensor(values, new long[] { 1, 4 }).to_type(torch.ScalarType.Float16);
        using var y = layer.Call(xt);
        Assert.Equal(torch.ScalarType.Float16, y.dtype);
        Assert.Equal(torch.ScalarType.Float32, layer.Gamma!.Value.dtype);
        var expected = NormalizeGroups(new Nd(new long[] { 1, 4 }, values), _ => 0, _ => 1, _ => 0, 1e-3);
        LayerChecks.Close(expected, y, 2e-3, 2e-3);
        var group = new GroupNormalization(groups: 1, dtype: "mixed_float16");
        using var g = group.Call(xt.reshape(1, 1, 4));
        LayerChecks.Close(new Nd(new long[] { 1, 1, 4 }, expected.Data), g, 2e-3, 2e-3);
    }

    [Fact]
    public void GroupNormalization_normalizes_groups_of_channels_over_every_other_axis()
    {
        var x = Nd.Random(new long[] { 2, 3, 2, 6 }, seed: 7, scale: 3).AsFloat32();
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            bool first = format == "channels_first";
            var given = first ? x.MoveAxis(3, 1) : x;
            var layer = new GroupNormalization(groups: 3, axis: first ? 1 : -1, epsilon: 1e-2);
            using var xt = given.Tensor();
            layer.Build(xt.shape);
            Randomize(layer, 3);
            var gamma = Nd.Of(layer.Gamma!.Value);
            var beta = Nd.Of(layer.Beta!.Value);
            using var y = layer.Call(xt);
            int c = first ? 1 : 3;
            var expected = NormalizeGroups(given, i => i[0] * 100 + i[c] / 2, i => gamma[i[c]], i => beta[i[c]], 1e-2);
            LayerChecks.Close(expected, y, 1e-5, 1e-5);
        }
    }

    [Fact]
    public void GroupNormalization_with_groups_minus_one_is_instance_normalization_and_saves_the_channel_count()
    {
        var x = Nd.Random(new long[] { 2, 5, 3 }, seed: 8).AsFloat32();
        var layer = new GroupNormalization(groups: -1);
        Assert.Equal(-1, (int)layer.GetConfig()["groups"]!);
        using var xt = x.Tensor();
        using var y = layer.Call(xt);
        Assert.Equal(3, (int)layer.GetConfig()["groups"]!);
        LayerChecks.Close(NormalizeGroups(x, i => i[0] * 10 + i[2], _ => 1, _ => 0, 1e-3), y, 1e-5, 1e-5);
    }

    [Fact]
    public void UnitNormalization_scales_to_unit_l2_norm_and_leaves_zero_vectors_at_zero()
    {
        var x = Nd.Random(new long[] { 2, 3, 4 }, seed: 9).AsFloat32();
        for (int i = 0; i < 4; i++) x[0, 1, i] = 0;
        using var xt = x.Tensor();
        using var y = new UnitNormalization().Call(xt);
        var expected = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape))
        {
            double sq = 0;
            for (long k = 0; k < 4; k++) sq += Math.Pow(x[i[0], i[1], k], 2);
            expected[i] = x[i] * Math.Min(1 / Math.Sqrt(sq), 1e12);
        }
        LayerChecks.Close(expected, y, 1e-6, 1e-5);
        using var joint = new UnitNormalization(new[] { 1, 2 }).Call(xt);
        var expectedJoint = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape))
        {
            double sq = Nd.Indices(x.Shape).Where(j => j[0] == i[0]).Sum(j => x[j] * x[j]);
            expectedJoint[i] = x[i] / Math.Sqrt(sq);
        }
        LayerChecks.Close(expectedJoint, joint, 1e-6, 1e-5);
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        var layers = new Layer[]
        {
            new LayerNormalization(dtype: "float64"), new LayerNormalization(new[] { 1, 2 }, dtype: "float64"),
            new LayerNormalization(rmsScaling: true, dtype: "float64"), new GroupNormalization(2, dtype: "float64"),
            new GroupNormalization(3, axis: 1, dtype: "float64"), new UnitNormalization(dtype: "float64"),
        };
        foreach (var layer in layers)
        {
            using var x = torch.randn(new long[] { 2, 3, 6 }, torch.ScalarType.Float64, generator: new torch.Generator(4));
            layer.Build(x.shape);
            if (layer.Weights.Count > 0)
                layer.SetWeights(layer.Weights.Select((w, i) => torch.randn(w.Shape, torch.ScalarType.Float64, generator: new torch.Generator((ulong)(10 + i)))).ToArray());
            LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x }, layer.TrainableWeights);
        }
    }

    [Fact]
    public void Configs_hold_every_key_Keras_writes()
    {
        string[] norm = { "epsilon", "center", "scale", "beta_initializer", "gamma_initializer", "beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint" };
        LayerChecks.ConfigKeys(new LayerNormalization(), norm.Append("axis").Append("rms_scaling").ToArray());
        LayerChecks.ConfigKeys(new GroupNormalization(), norm.Append("axis").Append("groups").ToArray());
        LayerChecks.ConfigKeys(new UnitNormalization(), "axis");
        var layer = new LayerNormalization();
        Assert.Equal("-1", layer.GetConfig()["axis"]!.ToJsonString());
        layer.Build(new long[] { -1, 3 });
        Assert.Equal("[-1]", layer.GetConfig()["axis"]!.ToJsonString()); // Keras makes the axis a list when it builds
        Assert.Equal("[1,2]", new UnitNormalization(new[] { 1, 2 }).GetConfig()["axis"]!.ToJsonString());
    }

    [Fact]
    public void Configs_as_Keras_writes_them_load_with_every_argument()
    {
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 6], "name": "in"}},
          {"class_name": "LayerNormalization", "config": {"name": "ln", "trainable": true, "dtype": "float32", "axis": [-1], "epsilon": 1e-5,
            "center": false, "scale": true, "rms_scaling": false, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
            "gamma_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 2.0}, "registered_name": null},
            "beta_regularizer": null, "gamma_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null},
            "beta_constraint": null, "gamma_constraint": null}},
          {"class_name": "GroupNormalization", "config": {"name": "gn", "groups": 3, "axis": -1, "epsilon": 0.001, "center": true, "scale": false}},
          {"class_name": "UnitNormalization", "config": {"name": "un", "axis": [1, 2]}}]}}
        """;
        var model = Saving.ModelFromJson(json);
        var ln = Assert.IsType<LayerNormalization>(model.Layers[0]);
        Assert.Equal((1e-5, false, true), (ln.Epsilon, ln.Center, ln.Scale));
        Assert.IsType<Constant>(ln.GammaInitializer);
        Assert.NotNull(ln.GammaRegularizer);
        Assert.Equal(new[] { "gamma" }, ln.Weights.Select(w => w.Name));
        Assert.Equal(2f, ln.Gamma!.ToArray<float>()[0]);
        var gn = Assert.IsType<GroupNormalization>(model.Layers[1]);
        Assert.Equal((3, false), (gn.Groups, gn.Scale));
        Assert.Equal(new[] { 1, 2 }, Assert.IsType<UnitNormalization>(model.Layers[2]).Axis);
        Assert.Contains("'rms_scaling'", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(json.Replace("\"rms_scaling\": false", "\"rms_scaling\": 3"))).Message);
    }

    [Fact]
    public void Weights_are_saved_in_Kerass_order_and_H5_layout()
    {
        LayerChecks.H5Layout(KerasHome, () => new LayerNormalization(), new long[] { 3, 4 }, "layer_normalization", new long[] { 4 }, new long[] { 4 });
        LayerChecks.H5Layout(KerasHome, () => new LayerNormalization(new[] { 1, 2 }), new long[] { 3, 4 }, "layer_normalization", new long[] { 3, 4 }, new long[] { 3, 4 });
        LayerChecks.H5Layout(KerasHome, () => new GroupNormalization(2), new long[] { 3, 4 }, "group_normalization", new long[] { 4 }, new long[] { 4 });
        LayerChecks.H5Layout(KerasHome, () => new UnitNormalization(), new long[] { 4 }, "unit_normalization");
    }

    [Fact]
    public void A_keras_file_with_a_layer_normalization_loads_its_weights_and_predicts_Kerass_values()
    {
        var gamma = new Nd(new long[] { 3 }, new[] { 0.5, 2.0, -1.0 });
        var beta = new Nd(new long[] { 3 }, new[] { 0.1, 0.0, 0.3 });
        const string config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "trainable": true, "dtype": "float32", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "in"}, "registered_name": null},
          {"module": "keras.layers", "class_name": "LayerNormalization", "config": {"name": "layer_normalization", "trainable": true, "dtype": "float32", "axis": [-1], "epsilon": 0.001,
            "center": true, "scale": true, "rms_scaling": false, "beta_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
            "gamma_initializer": {"module": "keras.initializers", "class_name": "Ones", "config": {}, "registered_name": null}, "beta_regularizer": null,
            "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 3]}}]},
          "registered_name": null, "build_config": {"input_shape": [null, 3]}}
        """;
        string path = LayerChecks.KerasFile(KerasHome, config, f =>
        {
            var vars = new H5Group { ["0"] = LayerChecks.Dataset(gamma), ["1"] = LayerChecks.Dataset(beta) };
            vars.Attributes["name"] = "layer_normalization";
            f["layers"] = new H5Group { ["layer_normalization"] = new H5Group { ["vars"] = vars } };
        });
        var model = Saving.LoadModel(path);
        var x = new Nd(new long[] { 2, 3 }, new[] { 1.0, 2.0, 4.0, -3.0, 0.0, 3.0 });
        using var xt = x.Tensor();
        using var y = model.Predict(xt);
        LayerChecks.Close(NormalizeGroups(x, i => i[0], i => gamma[i[1]], i => beta[i[1]], 1e-3), y, 1e-5, 1e-4);
    }

    [Fact]
    public void Arguments_and_shapes_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("Axis 2 is out of bounds for input shape (None, 3). Received: axis=2",
            Assert.Throws<KerasArgumentException>(() => new LayerNormalization(2).Call(new Input(new long[] { 3 }))).Message);
        Assert.StartsWith("Received an invalid value for argument `groups`, expected a positive integer (or `-1` for instance normalization). Received: groups=0",
            Assert.Throws<KerasArgumentException>(() => new GroupNormalization(0)).Message);
        Assert.StartsWith("Number of groups (8) cannot be more than the number of channels (4).",
            Assert.Throws<KerasArgumentException>(() => new GroupNormalization(8).Call(new Input(new long[] { 4 }))).Message);
        Assert.StartsWith("Number of groups (3) must be a multiple of the number of channels (4).",
            Assert.Throws<KerasArgumentException>(() => new GroupNormalization(3).Call(new Input(new long[] { 4 }))).Message);
        Assert.StartsWith("Axis -1 of input tensor should have a defined dimension",
            Assert.Throws<KerasArgumentException>(() => new GroupNormalization(2).Call(new Input(new long[] { -1 }))).Message);
        Assert.StartsWith("Axis 3 is out of bounds for input shape (None, 4).",
            Assert.Throws<KerasArgumentException>(() => new UnitNormalization(3).Call(new Input(new long[] { 4 }))).Message);
        var built = new GroupNormalization(2);
        built.Build(new long[] { -1, 4 });
        using var wrong = torch.zeros(new long[] { 2, 6 });
        Assert.Contains("expected axis -1 of input shape to have value 4", Assert.Throws<KerasArgumentException>(() => built.Call(wrong)).Message);
    }
}

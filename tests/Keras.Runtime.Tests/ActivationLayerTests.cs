using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Layers;
using Keras.Models;
using Keras.Regularizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>ReLU, LeakyReLU, PReLU, ELU and Softmax as layers: Keras' formulas, gradients, configs, weights, errors.</summary>
public class ActivationLayerTests : KerasTestBase
{
    private static readonly double[] Inputs = { -3, -1.5, -0.5, 0, 0.25, 0.5, 1, 2, 4.5 };

    private static double[] Apply(Layer layer, double[] values)
    {
        using var x = torch.tensor(values.Select(v => (float)v).ToArray(), 1, values.Length);
        using var y = layer.Call(x);
        return y.data<float>().ToArray().Select(v => (double)v).ToArray();
    }

    [Theory]
    [InlineData(null, 0.0, 0.0)]
    [InlineData(6.0, 0.0, 0.0)]
    [InlineData(1.5, 0.0, 0.0)]
    [InlineData(null, 0.1, 0.0)]
    [InlineData(null, 0.0, 0.5)]
    [InlineData(2.0, 0.2, 0.5)]
    [InlineData(0.2, 0.3, 1.0)] // cap below the threshold
    public void ReLU_follows_Kerass_formula(double? maxValue, double negativeSlope, double threshold)
    {
        // Keras: x where x > threshold (capped at max_value), negative_slope·(x - threshold) below it (0 at the threshold).
        double Expected(double x) =>
            x > threshold ? Math.Min(x, maxValue ?? double.PositiveInfinity) : negativeSlope * (x - threshold);
        var actual = Apply(new ReLU(maxValue, negativeSlope, threshold), Inputs);
        for (int i = 0; i < Inputs.Length; i++) Assert.Equal(Expected(Inputs[i]), actual[i], 6);
    }

    [Fact]
    public void LeakyReLU_ELU_follow_Kerass_formulas()
    {
        var leaky = Apply(new LeakyReLU(), Inputs);
        var elu = Apply(new ELU(0.7), Inputs);
        for (int i = 0; i < Inputs.Length; i++)
        {
            double x = Inputs[i];
            Assert.Equal(x >= 0 ? x : 0.3 * x, leaky[i], 6); // Keras' default slope is 0.3
            Assert.Equal(x > 0 ? x : 0.7 * (Math.Exp(x) - 1), elu[i], 6);
        }
    }

    [Fact]
    public void PReLU_learns_one_slope_per_position_shared_along_shared_axes()
    {
        var prelu = new PReLU(sharedAxes: new[] { 1, 2 });
        prelu.Build(new long[] { -1, 2, 3, 4 });
        Assert.Equal(new long[] { 1, 1, 4 }, prelu.Alpha!.Shape);
        Assert.All(prelu.Alpha.ToArray<float>(), a => Assert.Equal(0f, a)); // Keras' default initializer: zeros
        var alpha = new[] { 0.1f, -0.5f, 2f, 0f };
        prelu.SetWeights(new[] { torch.tensor(alpha, 1, 1, 4) });
        var x = Nd.Random(new long[] { 2, 2, 3, 4 }, seed: 3).AsFloat32();
        using var xt = x.Tensor();
        using var y = prelu.Call(xt);
        var expected = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape)) expected[i] = x[i] >= 0 ? x[i] : alpha[i[3]] * x[i];
        LayerChecks.Close(expected, y, 1e-6);
        // inputs may differ along shared axes, not along the others
        using var taller = torch.rand(1, 5, 7, 4);
        prelu.Call(taller).Dispose();
        using var wrong = torch.rand(1, 2, 3, 5);
        Assert.StartsWith("Input 0 of layer", Assert.Throws<KerasArgumentException>(() => prelu.Call(wrong)).Message);
    }

    [Fact]
    public void Softmax_normalizes_along_its_axes_and_honours_masks()
    {
        var x = Nd.Random(new long[] { 2, 3, 4 }, seed: 5).AsFloat32();
        using var xt = x.Tensor();
        using var single = new Softmax(1).Call(xt);
        using var joint = new Softmax(new[] { 1, 2 }).Call(xt);
        var expected1 = new Nd(x.Shape);
        var expected12 = new Nd(x.Shape);
        foreach (var i in Nd.Indices(x.Shape))
        {
            expected1[i] = Math.Exp(x[i]) / Enumerable.Range(0, 3).Sum(k => Math.Exp(x[i[0], k, i[2]]));
            expected12[i] = Math.Exp(x[i]) / Nd.Indices(new long[] { 3, 4 }).Sum(k => Math.Exp(x[i[0], k[0], k[1]]));
        }
        LayerChecks.Close(expected1, single, 1e-6);
        LayerChecks.Close(expected12, joint, 1e-6);

        // Masked positions are left out, and a fully masked row is all zeros (Keras).
        using var logits = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var mask = torch.tensor(new[] { true, false, true, false, false, false }, 2, 3);
        using var masked = new Softmax().Call(logits, mask: mask);
        double e1 = Math.Exp(1), e3 = Math.Exp(3);
        Assert.Equal(new[] { e1 / (e1 + e3), 0, e3 / (e1 + e3), 0, 0, 0 }, masked.data<float>().ToArray().Select(v => (double)v), new Tolerance(1e-6));
        using var badMask = torch.ones(new long[] { 2, 2 }, torch.ScalarType.Bool);
        Assert.StartsWith("The `mask` must be broadcastable to `inputs`.", Assert.Throws<KerasArgumentException>(() => new Softmax().Call(logits, mask: badMask)).Message);
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        private readonly double _tolerance;
        public Tolerance(double tolerance) => _tolerance = tolerance;
        public bool Equals(double a, double b) => Math.Abs(a - b) <= _tolerance;
        public int GetHashCode(double value) => 0;
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        // inputs away from the kinks (0 and the threshold), where the functions are differentiable
        using var x = torch.tensor(new[] { -2.1, -0.7, 0.35, 0.9, 1.7, 3.3 }, new long[] { 2, 3 }, torch.ScalarType.Float64);
        foreach (var layer in new Layer[]
                 {
                     new ReLU(2.5, 0.2, 0.5, dtype: "float64"), new LeakyReLU(0.1, dtype: "float64"), new ELU(0.5, dtype: "float64"),
                     new Softmax(dtype: "float64"), new Softmax(new[] { 0, 1 }, dtype: "float64"),
                 })
            LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x }, layer.TrainableWeights);
        var prelu = new PReLU(new Constant(0.3), sharedAxes: new[] { 1 }, dtype: "float64");
        using var x3 = torch.tensor(new[] { -2.1, -0.7, 0.35, 0.9, 1.7, -3.3, 0.6, -1.1 }, new long[] { 2, 2, 2 }, torch.ScalarType.Float64);
        prelu.Build(new long[] { -1, 2, 2 });
        LayerChecks.Gradients(t => prelu.Call(t[0]), new[] { x3 }, prelu.TrainableWeights);
    }

    [Fact]
    public void Configs_hold_Kerass_keys_and_round_trip()
    {
        LayerChecks.ConfigKeys(new ReLU(), "max_value", "negative_slope", "threshold");
        LayerChecks.ConfigKeys(new LeakyReLU(), "negative_slope");
        LayerChecks.ConfigKeys(new PReLU(), "alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes");
        LayerChecks.ConfigKeys(new ELU(), "alpha");
        LayerChecks.ConfigKeys(new Softmax(), "axis");
        Assert.Equal("Zeros", new PReLU().GetConfig()["alpha_initializer"]!["class_name"]!.GetValue<string>());

        var x = new Input(new long[] { 3, 2 });
        var prelu = new PReLU(new Constant(0.25), new L2(0.5), new NonNeg(), new[] { 1 });
        var relu = new ReLU(6, 0.1, 0.5);
        var softmax = new Softmax(new[] { 1, 2 });
        var model = new Functional(x, softmax.Call(relu.Call(prelu.Call(x))));
        string path = Path.Combine(KerasHome, "activations.keras");
        model.Save(path);
        var copy = (Functional)Saving.LoadModel(path);
        var p = Assert.IsType<PReLU>(copy.Layers[0]);
        Assert.Equal(0.5, ((L2)p.AlphaRegularizer!).Factor2);
        Assert.Equal(new[] { 1 }, p.SharedAxes!);
        Assert.IsType<NonNeg>(p.Alpha!.Constraint);
        Assert.Same(p.AlphaRegularizer, p.Alpha.Regularizer);
        var r = Assert.IsType<ReLU>(copy.Layers[1]);
        Assert.Equal((6.0, 0.1, 0.5), (r.MaxValue!.Value, r.NegativeSlope, r.Threshold));
        Assert.Equal(new[] { 1, 2 }, Assert.IsType<Softmax>(copy.Layers[2]).Axis);
    }

    [Fact]
    public void LeakyReLU_loads_tf_keras_alpha_and_PReLU_saves_alpha_in_Kerass_layout()
    {
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "LeakyReLU", "config": {"name": "l", "alpha": 0.05, "trainable": true, "dtype": "float32"}}]}}
        """;
        Assert.Equal(0.05, Assert.IsType<LeakyReLU>(Saving.ModelFromJson(json).Layers[0]).NegativeSlope);
        LayerChecks.H5Layout(KerasHome, () => new PReLU(new RandomUniform(seed: 1), sharedAxes: new[] { 2 }), new long[] { 3, 4 }, "p_re_lu", new long[] { 3, 1 });
        LayerChecks.H5Layout(KerasHome, () => new LeakyReLU(), new long[] { 3 }, "leaky_re_lu");
    }

    [Fact]
    public void Arguments_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("max_value of a ReLU layer cannot be a negative value. Received: max_value=-1.0",
            Assert.Throws<KerasArgumentException>(() => new ReLU(maxValue: -1)).Message);
        Assert.StartsWith("negative_slope of a ReLU layer cannot be None or a negative value. Received: negative_slope=-0.5",
            Assert.Throws<KerasArgumentException>(() => new ReLU(negativeSlope: -0.5)).Message);
        Assert.StartsWith("threshold of a ReLU layer cannot be None or a negative value. Received: threshold=-2.0",
            Assert.Throws<KerasArgumentException>(() => new ReLU(threshold: -2)).Message);
        Assert.StartsWith("The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. Received: negative_slope=-0.1",
            Assert.Throws<KerasArgumentException>(() => new LeakyReLU(-0.1)).Message);
        Assert.Contains("shared_axes", Assert.Throws<KerasArgumentException>(() => new PReLU(sharedAxes: new[] { 3 }).Build(new long[] { -1, 2, 2 })).Message);
        Assert.StartsWith("axis 2 is out of bounds", Assert.Throws<KerasArgumentException>(() => new Softmax(2).Call(new Input(new long[] { 3 }))).Message);
    }
}

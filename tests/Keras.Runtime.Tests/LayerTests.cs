using Keras.Errors;
using Keras.Initializers;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Layer base, Dense and Sequential (keras-reference.md §2.3, §3, §5.8).</summary>
public class LayerTests : KerasTestBase
{
    [Fact]
    public void Dense_builds_on_first_call_with_kernel_input_dim_by_units_and_zero_bias()
    {
        var dense = new Dense(3);
        Assert.False(dense.Built);
        Assert.Empty(dense.Weights);
        using var x = torch.ones(2, 5);
        using var y = dense.Call(x);
        Assert.True(dense.Built);
        Assert.Equal(new long[] { 2, 3 }, y.shape);
        Assert.Equal(new long[] { 5, 3 }, dense.Kernel!.Shape);
        Assert.Equal(new long[] { 3 }, dense.Bias!.Shape);
        Assert.All(dense.Bias.ToArray<float>(), b => Assert.Equal(0f, b));
        Assert.Equal(new[] { "dense/kernel", "dense/bias" }, dense.Weights.Select(w => w.Path));
        Assert.Equal(18, dense.CountParams());
    }

    [Fact]
    public void Dense_computes_activation_of_inputs_times_kernel_plus_bias()
    {
        var dense = new Dense(2, activation: "relu", kernelInitializer: new Ones(), biasInitializer: new Ones());
        using var x = torch.tensor(new float[] { 1, -2, 3, -4, -5, -6 }, 2, 3);
        using var y = dense.Call(x);
        Assert.Equal(new float[] { 3, 3, 0, 0 }, y.data<float>().ToArray());
    }

    [Fact]
    public void Glorot_uniform_stays_within_its_limit()
    {
        var dense = new Dense(50);
        dense.Build(new long[] { -1, 30 });
        double limit = Math.Sqrt(6.0 / (30 + 50));
        Assert.All(dense.Kernel!.ToArray<float>(), v => Assert.InRange(v, -limit, limit));
        Assert.True(dense.Kernel.ToArray<float>().Distinct().Count() > 1000);
    }

    [Fact]
    public void Dense_rejects_non_positive_units_and_unknown_input_dim()
    {
        Assert.StartsWith("Received an invalid value for `units`, expected a positive integer. Received: units=0",
            Assert.Throws<KerasArgumentException>(() => new Dense(0)).Message);
        Assert.Contains("The last dimension of the inputs to a Dense layer should be defined",
            Assert.Throws<KerasArgumentException>(() => new Dense(2).Build(new long[] { -1, -1 })).Message);
    }

    [Fact]
    public void Dense_checks_its_input_spec_like_keras_instead_of_letting_torch_abort_the_process()
    {
        var dense = new Dense(2);
        dense.Build(new long[] { -1, 3 });
        using var wide = torch.ones(2, 5);
        Assert.Equal("Input 0 of layer \"dense\" is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape (2, 5)",
            Assert.Throws<KerasArgumentException>(() => dense.Call(wide)).Message);
        using var flat = torch.ones(3);
        Assert.Contains("expected min_ndim=2, found ndim=1. Full shape received: (3,)",
            Assert.Throws<KerasArgumentException>(() => dense.Call(flat)).Message);
        Assert.Contains("expected axis -1 of input shape to have value 3",
            Assert.Throws<KerasArgumentException>(() => dense.Call(new Input(new long[] { 4 }))).Message);
    }

    [Fact]
    public void Unknown_activation_is_rejected_with_a_suggestion()
    {
        var e = Assert.Throws<KerasArgumentException>(() => new Dense(2, activation: "rleu"));
        Assert.Contains("Could not interpret activation function identifier: rleu", e.Message);
        Assert.Contains("Did you mean 'relu'?", e.Message);
    }

    [Theory]
    [InlineData("float64", torch.ScalarType.Float64)]
    [InlineData("float16", torch.ScalarType.Float16)]
    [InlineData("bfloat16", torch.ScalarType.BFloat16)]
    public void Layers_compute_in_the_configured_floatx(string floatx, torch.ScalarType expected)
    {
        Config.SetFloatx(floatx);
        var model = new Sequential(new Layer[] { new Dense(4, activation: "relu"), new Dense(2) });
        using var x = torch.rand(3, 5); // float32 input is cast to the compute dtype
        using var y = model.Call(x);
        Assert.Equal(expected, y.dtype);
        Assert.All(model.Weights, w => Assert.Equal(floatx, w.Dtype));
    }

    [Fact]
    public void Mixed_float16_keeps_float32_variables_and_computes_in_float16()
    {
        Config.SetDtypePolicy("mixed_float16");
        var dense = new Dense(2);
        using var x = torch.rand(3, 4);
        using var y = dense.Call(x);
        Assert.Equal(torch.ScalarType.Float16, y.dtype);
        Assert.Equal("float32", dense.Kernel!.Dtype);
        Assert.Equal(torch.ScalarType.Float32, dense.Kernel.Value.dtype);
    }

    [Fact]
    public void Integer_inputs_are_not_autocast()
    {
        var layer = new IdentityLayer();
        using var x = torch.ones(2, 2, torch.ScalarType.Int64);
        using var y = layer.Call(x);
        Assert.Equal(torch.ScalarType.Int64, y.dtype);
    }

    private sealed class IdentityLayer : Layer
    {
        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training) => inputs.alias();
    }

    [Fact]
    public void A_frozen_layer_has_no_trainable_weights_and_model_trainable_is_recursive()
    {
        var model = new Sequential(new Layer[] { new Dense(3), new Dense(1) });
        model.Build(new long[] { -1, 4 });
        Assert.Equal(4, model.TrainableWeights.Count);
        Assert.Empty(model.NonTrainableWeights);

        model.Layers[0].Trainable = false;
        Assert.Equal(2, model.TrainableWeights.Count);
        Assert.Equal(2, model.NonTrainableWeights.Count);

        model.Trainable = false;
        Assert.All(model.Layers, l => Assert.False(l.Trainable));
        Assert.Empty(model.TrainableWeights);
        Assert.Equal(4, model.NonTrainableWeights.Count);
        Assert.Equal(4, model.Weights.Count);
    }

    [Fact]
    public void Sequential_rejects_duplicate_layer_names_with_kerass_message()
    {
        var model = new Sequential(new Layer[] { new Dense(2, name: "d") });
        var e = Assert.Throws<KerasArgumentException>(() => model.Add(new Dense(3, name: "d")));
        Assert.StartsWith("All layers added to a Sequential model should have unique names. Name 'd' is already the name of a layer in this model.", e.Message);
    }

    [Fact]
    public void Sequential_is_auto_named_and_chains_shapes()
    {
        var model = new Sequential();
        model.Add(new Dense(8));
        model.Add(new Dense(2));
        Assert.Equal("sequential", model.Name);
        Assert.Equal(new long[] { -1, 2 }, model.ComputeOutputShape(new long[] { -1, 5 }));
        Assert.Equal("dense_1", model.Pop().Name);
        Assert.Single(model.Layers);
        Assert.Equal("sequential_1", new Sequential().Name);
    }

    [Fact]
    public void Sequential_forward_pass_disposes_intermediate_tensors()
    {
        var model = new Sequential(Enumerable.Range(0, 5).Select(_ => (Layer)new Dense(4)));
        using var x = torch.ones(2, 4);
        model.Call(x).Dispose();
        // Every tensor made on this thread while the scope is open joins it unless disposed; finalizers of other tests'
        // garbage cannot change this count, as they change torch.Tensor.TotalCount.
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < 20; i++) model.Call(x).Dispose();
        Assert.Equal(0, scope.DisposablesCount);
    }

    [Fact]
    public void A_layer_built_inside_a_dispose_scope_keeps_its_weights_after_the_scope()
    {
        var dense = new Dense(2);
        using (torch.NewDisposeScope())
        {
            using var x = torch.ones(1, 3);
            dense.Call(x); // builds here; the output is the scope's
        }
        Assert.False(dense.Kernel!.Value.IsInvalid);
        using var again = torch.ones(1, 3);
        using var y = dense.Call(again);
        Assert.Equal(new long[] { 1, 2 }, y.shape);
    }

    [Fact]
    public void Symbolic_calls_propagate_shapes_and_keras_tensors_are_recognised()
    {
        var input = new Input(new long[] { 784 });
        Assert.Equal(new long[] { -1, 784 }, input.Shape);
        var output = new Dense(10).Call(new Dense(64).Call(input));
        Assert.Equal(new long[] { -1, 10 }, output.Shape);
        Assert.True(Backend.IsKerasTensor(input));
        Assert.True(Backend.IsKerasTensor(output));
        Assert.Equal("<KerasTensor shape=(None, 10), dtype=float32>", output.ToString());
    }

    [Fact]
    public void Is_keras_tensor_is_false_for_concrete_tensors_and_variables_and_rejects_non_tensors()
    {
        using var t = torch.ones(2);
        Assert.False(Backend.IsKerasTensor(t));
        var dense = new Dense(2);
        dense.Build(new long[] { -1, 3 });
        Assert.False(Backend.IsKerasTensor(dense.Kernel));
        var e = Assert.Throws<KerasArgumentException>(() => Backend.IsKerasTensor(new[] { 1, 2 }));
        Assert.StartsWith("Unexpectedly found an instance of type `System.Int32[]`. Expected a symbolic tensor instance.", e.Message);
        Assert.Throws<KerasArgumentException>(() => Backend.IsKerasTensor(0));
    }

    [Fact]
    public void Get_and_set_weights_copy_values_and_check_count_and_shapes_like_keras()
    {
        var a = new Sequential(new Layer[] { new Dense(3), new Dense(1) });
        var b = new Sequential(new Layer[] { new Dense(3), new Dense(1) });
        a.Build(new long[] { -1, 2 });
        b.Build(new long[] { -1, 2 });
        var weights = a.GetWeights();
        b.SetWeights(weights);
        using var x = torch.rand(4, 2);
        using var ya = a.Call(x);
        using var yb = b.Call(x);
        Assert.True(ya.allclose(yb));
        foreach (var w in weights) w.Dispose();
        Assert.False(a.Weights[0].Value.IsInvalid); // the copies were the caller's

        var e = Assert.Throws<KerasArgumentException>(() => b.SetWeights(new[] { torch.zeros(2, 3) }));
        Assert.StartsWith("You called `set_weights(weights)` on layer \"sequential_1\" with a weight list of length 1, but the layer was expecting 4 weights.", e.Message);
        var wrong = new[] { torch.zeros(3, 3), torch.zeros(3), torch.zeros(3, 1), torch.zeros(1) };
        Assert.Contains("weight shape (2, 3) is not compatible with provided weight shape (3, 3)", Assert.Throws<KerasArgumentException>(() => b.SetWeights(wrong)).Message);
    }

    [Fact]
    public void Variables_assign_checks_shapes()
    {
        var dense = new Dense(2);
        dense.Build(new long[] { -1, 3 });
        using var ones = torch.ones(3, 2);
        dense.Kernel!.Assign(ones);
        Assert.All(dense.Kernel.ToArray<float>(), v => Assert.Equal(1f, v));
        using var wrong = torch.ones(2, 2);
        Assert.Contains("must match", Assert.Throws<KerasArgumentException>(() => dense.Kernel.Assign(wrong)).Message);
    }
}

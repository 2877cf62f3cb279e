using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using PureHDF;
using TorchSharp;
using Xunit;
using static Keras.Runtime.Tests.MaskingAndRnnTests;

namespace Keras.Runtime.Tests;

/// <summary>
/// Bidirectional and TimeDistributed: values against Keras' formulas written as loops, masks, gradients, nested configs
/// and Keras' H5 layout of the inner layers.
/// </summary>
public class WrapperLayerTests : KerasTestBase
{
    private static (Nd W, Nd U, Nd B) RandomSimpleRnn(int features, int units, int seed) =>
        (Nd.Random(new long[] { features, units }, seed).AsFloat32(), Nd.Random(new long[] { units, units }, seed + 1, 0.6).AsFloat32(),
         Nd.Random(new long[] { units }, seed + 2).AsFloat32());

    /// <summary>Flips a (batch, time, units) array on the time axis.</summary>
    private static Nd Flip(Nd a)
    {
        var f = new Nd(a.Shape);
        foreach (var i in Nd.Indices(a.Shape)) f[i[0], a.Shape[1] - 1 - i[1], i[2]] = a[i];
        return f;
    }

    private static Nd Merge(Nd a, Nd b, string mode)
    {
        if (mode == "concat")
        {
            var shape = a.Shape.ToArray();
            long u = shape[^1];
            shape[^1] *= 2;
            var c = new Nd(shape);
            foreach (var i in Nd.Indices(a.Shape))
            {
                var j = i.ToArray();
                c[j] = a[i];
                j[^1] += u;
                c[j] = b[i];
            }
            return c;
        }
        var r = new Nd(a.Shape);
        for (int k = 0; k < r.Data.Length; k++)
            r.Data[k] = mode switch { "sum" => a.Data[k] + b.Data[k], "mul" => a.Data[k] * b.Data[k], _ => (a.Data[k] + b.Data[k]) / 2 };
        return r;
    }

    [Theory]
    [InlineData("concat", true)]
    [InlineData("sum", true)]
    [InlineData("mul", false)]
    [InlineData("ave", false)]
    public void Bidirectional_merges_the_forward_and_the_flipped_backward_run(string mode, bool sequences)
    {
        var x = Nd.Random(new long[] { 2, 5, 3 }, 30).AsFloat32();
        var layer = new Bidirectional(new SimpleRNN(2, returnSequences: sequences), mergeMode: mode);
        layer.Build(new long[] { -1, 5, 3 });
        var (wf, uf, bf) = RandomSimpleRnn(3, 2, 31);
        var (wb, ub, bb) = RandomSimpleRnn(3, 2, 41);
        SetWeights(layer.Forward, wf, uf, bf);
        SetWeights(layer.Backward, wb, ub, bb);
        using var xt = x.Tensor();
        using var y = layer.Call(xt);
        var forward = ReferenceRnn(x, null, false, 2, 1, SimpleRnnCell(wf, uf, bf, Math.Tanh)).Outputs;
        var backward = ReferenceRnn(x, null, true, 2, 1, SimpleRnnCell(wb, ub, bb, Math.Tanh)).Outputs;
        var expected = sequences ? Merge(forward, Flip(backward), mode) : Merge(LastStep(forward), LastStep(backward), mode);
        LayerChecks.Close(expected, y, 1e-5, 1e-4);
        Assert.Equal(expected.Shape, layer.ComputeOutputShape(new long[] { 2, 5, 3 }));
    }

    [Fact]
    public void Bidirectional_with_merge_mode_none_and_return_state_gives_every_output_and_state()
    {
        var layer = new Bidirectional(new LSTM(2, returnState: true), mergeMode: null);
        using var x = torch.rand(3, 4, 2);
        var all = layer.CallAll(x);
        Assert.Equal(6, all.Length); // y, y_rev, h_f, c_f, h_b, c_b
        using var forward = layer.Forward.Call(x);
        using var backward = layer.Backward.Call(x);
        Assert.True(all[0].allclose(forward, atol: 1e-6));
        Assert.True(all[1].allclose(backward, atol: 1e-6));
        Assert.True(all[2].allclose(forward, atol: 1e-6)); // h of the forward run = its last output
        Assert.True(all[4].allclose(backward, atol: 1e-6));
        foreach (var t in all) t.Dispose();
        Assert.Contains("merge_mode=None", Assert.Throws<KerasArgumentException>(() => layer.Call(x)).Message);
    }

    [Fact]
    public void Bidirectional_outputs_zeros_on_masked_steps_when_it_returns_sequences()
    {
        var x = Nd.Random(new long[] { 2, 5, 3 }, 50).AsFloat32();
        var layer = new Bidirectional(new SimpleRNN(2, returnSequences: true), mergeMode: "concat");
        layer.Build(new long[] { -1, 5, 3 });
        Assert.True(layer.Forward.ZeroOutputForMask);
        var (wf, uf, bf) = RandomSimpleRnn(3, 2, 51);
        var (wb, ub, bb) = RandomSimpleRnn(3, 2, 61);
        SetWeights(layer.Forward, wf, uf, bf);
        SetWeights(layer.Backward, wb, ub, bb);
        using var xt = x.Tensor();
        using var mask = MaskTensor(MiddleMask);
        var (y, outMask) = layer.CallWithMask(xt, mask);
        using (y)
        using (outMask)
        {
            var forward = ReferenceRnn(x, MiddleMask, false, 2, 1, SimpleRnnCell(wf, uf, bf, Math.Tanh), zeroOutputForMask: true).Outputs;
            var backward = ReferenceRnn(x, MiddleMask, true, 2, 1, SimpleRnnCell(wb, ub, bb, Math.Tanh), zeroOutputForMask: true).Outputs;
            LayerChecks.Close(Merge(forward, Flip(backward), "concat"), y, 1e-5, 1e-4);
            Assert.True(outMask!.eq(mask).all().item<bool>());
        }
    }

    [Fact]
    public void Bidirectional_gradients_match_finite_differences()
    {
        var layer = new Bidirectional(new GRU(2, returnSequences: true, options: new RecurrentOptions { Dtype = "float64" }), mergeMode: "mul", dtype: "float64");
        layer.Build(new long[] { -1, 4, 2 });
        using var x = torch.randn(new long[] { 2, 4, 2 }, torch.ScalarType.Float64);
        LayerChecks.Gradients(inputs => layer.Call(inputs[0]), new[] { x }, layer.TrainableWeights);
    }

    [Fact]
    public void Bidirectional_saves_nested_configs_and_weights_as_keras_does()
    {
        Utils.SetRandomSeed(8);
        var layer = new Bidirectional(new LSTM(3, returnSequences: true, name: "lstm"), mergeMode: "sum", name: "bidirectional");
        var model = new Sequential(new Layer[] { layer, new Dense(1) });
        model.Build(new long[] { -1, 4, 2 });
        var c = layer.GetConfig();
        LayerChecks.ConfigKeys(layer, "merge_mode", "layer", "backward_layer");
        Assert.Equal("forward_lstm", c["layer"]!["config"]!["name"]!.GetValue<string>());
        Assert.Equal("backward_lstm", c["backward_layer"]!["config"]!["name"]!.GetValue<string>());
        Assert.True(c["backward_layer"]!["config"]!["go_backwards"]!.GetValue<bool>());
        Assert.True(c["layer"]!["config"]!["zero_output_for_mask"]!.GetValue<bool>());
        Assert.Equal("LSTM", c["layer"]!["class_name"]!.GetValue<string>());
        Assert.NotNull(c["layer"]!["build_config"]); // nested layers carry their build_config, as Keras writes them

        string path = Path.Combine(KerasHome, "bidirectional.keras");
        model.Save(path);
        string weights = Path.Combine(KerasHome, "bidirectional.weights.h5");
        model.SaveWeights(weights);
        using (var file = H5File.OpenRead(weights))
        {
            Assert.Empty(file.Group("layers/bidirectional/vars").Children());
            foreach (var (side, inner) in new[] { ("forward_layer", layer.Forward), ("backward_layer", layer.Backward) })
            {
                var kernel = (LSTM)inner;
                Assert.Equal(new ulong[] { 2, 12 }, file.Dataset($"layers/bidirectional/{side}/cell/vars/0").Space.Dimensions);
                Assert.Equal(new ulong[] { 3, 12 }, file.Dataset($"layers/bidirectional/{side}/cell/vars/1").Space.Dimensions);
                Assert.Equal(kernel.Bias!.ToArray<float>(), file.Dataset($"layers/bidirectional/{side}/cell/vars/2").Read<float[]>());
            }
        }
        var reloaded = Saving.LoadModel(path);
        var copy = Assert.IsType<Bidirectional>(reloaded.Layers[0]);
        Assert.Equal(c.ToJsonString(), copy.GetConfig().ToJsonString());
        using var x = torch.rand(2, 4, 2);
        using var a = model.Predict(x);
        using var b = reloaded.Predict(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.Equal(8, model.Weights.Count); // 3 per LSTM × 2, plus Dense's 2
    }

    [Fact]
    public void Bidirectional_takes_a_given_backward_layer_and_raises_kerass_errors()
    {
        var backward = new GRU(2, goBackwards: true, name: "my_backward");
        var layer = new Bidirectional(new GRU(2), backwardLayer: backward);
        Assert.Same(backward, layer.Backward);
        Assert.Contains("Invalid merge mode", Assert.Throws<KerasArgumentException>(() => new Bidirectional(new GRU(2), mergeMode: "max")).Message);
        Assert.Contains("different `go_backwards`",
            Assert.Throws<KerasArgumentException>(() => new Bidirectional(new GRU(2), backwardLayer: new GRU(2))).Message);
        Assert.Contains("\"return_sequences\"",
            Assert.Throws<KerasArgumentException>(() => new Bidirectional(new GRU(2), backwardLayer: new GRU(2, goBackwards: true, returnSequences: true))).Message);
        Assert.Contains("Bidirectional", Assert.Throws<KerasArgumentException>(() => new Bidirectional(new Dense(2))).Message);
        var stateless = new Bidirectional(new GRU(2));
        Assert.Throws<KerasInvalidOperationException>(() => stateless.ResetStates());
    }

    [Fact]
    public void A_stateful_bidirectional_layer_carries_both_states_until_reset()
    {
        var layer = new Bidirectional(new SimpleRNN(2, stateful: true));
        using var x = torch.rand(2, 3, 2);
        using var first = layer.Call(x);
        using var second = layer.Call(x);
        Assert.False(first.allclose(second, atol: 1e-6));
        layer.ResetStates();
        using var third = layer.Call(x);
        Assert.True(first.allclose(third, atol: 1e-6));
    }

    [Fact]
    public void TimeDistributed_applies_the_inner_layer_to_every_step()
    {
        var x = Nd.Random(new long[] { 2, 3, 4 }, 70).AsFloat32();
        var dense = new Dense(2, activation: "tanh");
        var layer = new TimeDistributed(dense);
        layer.Build(new long[] { -1, 3, 4 });
        var w = Nd.Random(new long[] { 4, 2 }, 71).AsFloat32();
        var b = Nd.Random(new long[] { 2 }, 72).AsFloat32();
        SetWeights(dense, w, b);
        using var xt = x.Tensor();
        using var y = layer.Call(xt);
        var expected = new Nd(new long[] { 2, 3, 2 });
        foreach (var i in Nd.Indices(expected.Shape))
        {
            double s = b[i[2]];
            for (long f = 0; f < 4; f++) s += x[i[0], i[1], f] * w[f, i[2]];
            expected[i] = Math.Tanh(s);
        }
        LayerChecks.Close(expected, y, 1e-6, 1e-5);
        Assert.Equal(new long[] { -1, 3, 2 }, layer.ComputeOutputShape(new long[] { -1, 3, 4 }));
        using var flat = torch.rand(2, 4);
        Assert.Contains("at least 3 dimensions", Assert.Throws<KerasArgumentException>(() => layer.Call(flat)).Message);
        Assert.Contains("TimeDistributed", Assert.Throws<KerasArgumentException>(() => new TimeDistributed(null!)).Message);
    }

    [Fact]
    public void TimeDistributed_gradients_match_finite_differences()
    {
        var layer = new TimeDistributed(new Dense(3, activation: "sigmoid", dtype: "float64"), dtype: "float64");
        layer.Build(new long[] { -1, 3, 2 });
        using var x = torch.randn(new long[] { 2, 3, 2 }, torch.ScalarType.Float64);
        LayerChecks.Gradients(inputs => layer.Call(inputs[0]), new[] { x }, layer.TrainableWeights);
    }

    [Fact]
    public void TimeDistributed_saves_its_inner_layer_config_and_weights_as_keras_does()
    {
        Utils.SetRandomSeed(9);
        var dense = new Dense(2, name: "inner_dense");
        var layer = new TimeDistributed(dense, name: "time_distributed");
        LayerChecks.ConfigKeys(layer, "layer");
        var model = new Sequential(new Layer[] { layer });
        model.Build(new long[] { -1, 3, 4 });
        Assert.Equal("inner_dense", layer.GetConfig()["layer"]!["config"]!["name"]!.GetValue<string>());
        string weights = Path.Combine(KerasHome, "td.weights.h5");
        model.SaveWeights(weights);
        using (var file = H5File.OpenRead(weights))
        {
            Assert.Equal("inner_dense", file.Group("layers/time_distributed/layer/vars").Attribute("name").Read<string>());
            Assert.Equal(dense.Weights[0].ToArray<float>(), file.Dataset("layers/time_distributed/layer/vars/0").Read<float[]>());
            Assert.Equal(new ulong[] { 2 }, file.Dataset("layers/time_distributed/layer/vars/1").Space.Dimensions);
        }
        string path = Path.Combine(KerasHome, "td.keras");
        model.Save(path);
        var reloaded = Saving.LoadModel(path);
        Assert.Equal(layer.GetConfig().ToJsonString(), reloaded.Layers[0].GetConfig().ToJsonString());
        using var x = torch.rand(2, 3, 4);
        using var a = model.Predict(x);
        using var b = reloaded.Predict(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    [Fact]
    public void Wrapper_calls_release_every_intermediate_handle()
    {
        var bidirectional = new Bidirectional(new LSTM(3, returnSequences: true, returnState: true), mergeMode: "ave");
        var td = new TimeDistributed(new Dense(2));
        using var x = torch.rand(2, 4, 3);
        using var mask = MaskTensor(new[,] { { true, true, false, false }, { true, false, true, true } });
        bidirectional.Call(x, mask).Dispose();
        foreach (var t in bidirectional.CallAll(x)) t.Dispose();
        td.Call(x).Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int i = 0; i < 10; i++)
        {
            bidirectional.Call(x, mask).Dispose();
            foreach (var t in bidirectional.CallAll(x)) t.Dispose();
            td.Call(x, mask).Dispose();
        }
        Assert.Equal(before, torch.Tensor.TotalCount);
    }
}

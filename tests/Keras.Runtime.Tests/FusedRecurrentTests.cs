using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// The fused recurrent kernels (TorchSharp's nn.LSTM/GRU/RNN) and the step loop compute the same outputs, states and
/// gradients, for every configuration Keras' cuDNN rule sends to the fused kernel (LSTM, GRU and SimpleRNN). Three units
/// on purpose: LibTorch 2.10's CPU inference LSTM kernel is wrong at such sizes, and FusedRecurrence avoids it.
/// </summary>
public class FusedRecurrentTests : KerasTestBase
{
    public static IEnumerable<object[]> Configurations()
    {
        foreach (var kind in new[] { "lstm", "gru", "simple_rnn" })
            foreach (bool sequences in new[] { false, true })
                foreach (bool backwards in new[] { false, true })
                    yield return new object[] { kind, sequences, backwards };
    }

    private static Recurrent Make(string kind, bool sequences, bool backwards, bool stateful = false, bool returnState = false) => kind switch
    {
        "lstm" => new LSTM(3, returnSequences: sequences, goBackwards: backwards, stateful: stateful, returnState: returnState),
        "gru" => new GRU(3, returnSequences: sequences, goBackwards: backwards, stateful: stateful, returnState: returnState),
        _ => new SimpleRNN(3, returnSequences: sequences, goBackwards: backwards, stateful: stateful, returnState: returnState),
    };

    private static (Recurrent Fused, Recurrent Loop) Pair(string kind, bool sequences, bool backwards, bool stateful = false)
    {
        var fused = Make(kind, sequences, backwards, stateful, returnState: true);
        var loop = Make(kind, sequences, backwards, stateful, returnState: true);
        fused.Build(new long[] { -1, 5, 2 });
        loop.Build(new long[] { -1, 5, 2 });
        for (int i = 0; i < fused.Weights.Count; i++)
        {
            using var noise = torch.randn(fused.Weights[i].Shape).mul_(0.3);
            fused.Weights[i].Assign(noise);
            loop.Weights[i].Assign(noise);
        }
        loop.ForceStepLoop = true;
        return (fused, loop);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void The_fused_kernel_and_the_step_loop_give_the_same_outputs_states_and_gradients(string kind, bool sequences, bool backwards)
    {
        Utils.SetRandomSeed(21);
        var (fused, loop) = Pair(kind, sequences, backwards);
        using var x = torch.randn(4, 5, 2);
        var a = fused.CallWithStates(x);
        var b = loop.CallWithStates(x);
        Assert.Equal(b.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Assert.True(a[i].allclose(b[i], rtol: 1e-4, atol: 1e-5), $"{kind}: output {i} differs: {string.Join(",", a[i].data<float>().ToArray().Take(6))} vs {string.Join(",", b[i].data<float>().ToArray().Take(6))}");

        // Gradients of the same loss with respect to the inputs and every weight.
        using var xa = x.detach().requires_grad_(true);
        using var xb = x.detach().requires_grad_(true);
        using var probe = torch.randn(a[0].shape);
        using var ya = fused.Call(xa, training: true);
        using var yb = loop.Call(xb, training: true);
        using var la = (ya * probe).sum();
        using var lb = (yb * probe).sum();
        var ga = torch.autograd.grad(new[] { la }, new[] { xa }.Concat(fused.TrainableWeights.Select(w => w.Value)).ToArray());
        var gb = torch.autograd.grad(new[] { lb }, new[] { xb }.Concat(loop.TrainableWeights.Select(w => w.Value)).ToArray());
        for (int i = 0; i < ga.Count; i++) Assert.True(ga[i].allclose(gb[i], rtol: 1e-4, atol: 1e-5), $"{kind}: gradient {i} differs");
        using (torch.no_grad())
        {
            using var pa = fused.Call(x);
            using var pb = loop.Call(x);
            Assert.True(pa.allclose(pb, rtol: 1e-4, atol: 1e-5), $"{kind}: inference differs");
        }
        foreach (var t in a.Concat(b).Concat(ga).Concat(gb)) t.Dispose();
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("simple_rnn")]
    public void Stateful_fused_and_step_loop_layers_carry_the_same_states(string kind)
    {
        var (fused, loop) = Pair(kind, true, false, stateful: true);
        using var x = torch.randn(2, 5, 2);
        for (int call = 0; call < 3; call++)
        {
            using var a = fused.Call(x);
            using var b = loop.Call(x);
            Assert.True(a.allclose(b, rtol: 1e-4, atol: 1e-5), $"{kind}: call {call} differs");
        }
        Assert.True(fused.State!.allclose(loop.State!, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Training_through_the_fused_kernel_matches_the_step_loop_after_several_steps()
    {
        Utils.SetRandomSeed(22);
        var (fused, loop) = Pair("gru", false, false);
        using var x = torch.randn(8, 5, 2);
        using var y = torch.randn(8, 1);
        var models = new[] { fused, loop }.Select(r =>
        {
            var dense = new Dense(1, kernelInitializer: new Keras.Initializers.Constant(0.5));
            var m = new Sequential(new Layer[] { r, dense });
            m.Compile(new Keras.Optimizers.Adam(0.01), new Keras.Losses.MeanSquaredError());
            m.Fit(x, y, batchSize: 4, epochs: 3, shuffle: false, verbose: 0);
            return m;
        }).ToArray();
        using var pa = models[0].Predict(x);
        using var pb = models[1].Predict(x);
        Assert.True(pa.allclose(pb, rtol: 1e-3, atol: 1e-4));
    }

    [Fact]
    public void The_fused_kernel_runs_for_keras_cudnn_configurations_only()
    {
        Assert.True(UsesFused(new GRU(2)));
        Assert.True(UsesFused(new SimpleRNN(2)));
        Assert.True(UsesFused(new GRU(2, dropout: 0.3)));          // input dropout is applied to the sequence first
        Assert.False(UsesFused(new GRU(2, recurrentDropout: 0.3)));
        Assert.False(UsesFused(new GRU(2, useBias: false)));
        Assert.False(UsesFused(new GRU(2, activation: "relu")));
        Assert.False(UsesFused(new SimpleRNN(2, activation: "sigmoid")));
    }

    private static bool UsesFused(Recurrent layer) => layer.UsesFusedKernelForTests(null);

    [Fact]
    public void Masked_calls_and_recurrent_dropout_use_the_step_loop()
    {
        // Keras' rule: masks that are not right padding (row 0 has holes) and recurrent dropout leave the fused kernel.
        var (fused, loop) = Pair("gru", true, false);
        using var x = torch.randn(2, 5, 2);
        using var mask = torch.tensor(new[] { true, true, false, true, false, true, true, true, true, false }, 2, 5);
        using var a = fused.Call(x, mask);
        using var b = loop.Call(x, mask);
        Assert.True(a.allclose(b, rtol: 0, atol: 0)); // the same code ran
        Assert.Equal(0, fused.FusedCalls);
    }
}

using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Masked calls on the fused kernels: a right-padded mask with no fully masked row (Keras' cuDNN mask rule) runs as
/// packed sequences and gives the step loop's outputs, final states and gradients (Keras' masked-step semantics: the
/// states carry over, the output repeats the previous one, zeros with zero_output_for_mask; go_backwards processes each
/// row's padding first). Any other mask stays on the step loop. Three units on purpose (see FusedRecurrentTests).
/// </summary>
public class FusedMaskedRecurrentTests : KerasTestBase
{
    // Rows of lengths 5 (fully kept), 1, 3 and 2: unsorted, so the packed kernel's sorting is exercised.
    private static readonly bool[,] RightPadded =
    {
        { true, true, true, true, true },
        { true, false, false, false, false },
        { true, true, true, false, false },
        { true, true, false, false, false },
    };

    public static IEnumerable<object[]> Configurations()
    {
        foreach (var kind in new[] { "lstm", "gru", "simple_rnn" })
            foreach (bool sequences in new[] { false, true })
                foreach (bool backwards in new[] { false, true })
                    foreach (bool zeroOutput in new[] { false, true })
                        yield return new object[] { kind, sequences, backwards, zeroOutput };
    }

    private static Recurrent Make(string kind, bool sequences, bool backwards, bool stateful, bool zeroOutput, bool returnState = true)
    {
        var options = new RecurrentOptions { ZeroOutputForMask = zeroOutput };
        return kind switch
        {
            "lstm" => new LSTM(3, returnSequences: sequences, goBackwards: backwards, stateful: stateful, returnState: returnState, options: options),
            "gru" => new GRU(3, returnSequences: sequences, goBackwards: backwards, stateful: stateful, returnState: returnState, options: options),
            _ => new SimpleRNN(3, returnSequences: sequences, goBackwards: backwards, stateful: stateful, returnState: returnState, options: options),
        };
    }

    private static void CopyNoise(IReadOnlyList<KerasVariable> to, IReadOnlyList<KerasVariable> from, bool draw)
    {
        for (int i = 0; i < to.Count; i++)
        {
            if (draw)
            {
                using var noise = torch.randn(from[i].Shape).mul_(0.4);
                from[i].Assign(noise);
            }
            to[i].Assign(from[i].Value);
        }
    }

    private static (Recurrent Fused, Recurrent Loop) Pair(string kind, bool sequences, bool backwards, bool stateful = false, bool zeroOutput = false)
    {
        var fused = Make(kind, sequences, backwards, stateful, zeroOutput);
        var loop = Make(kind, sequences, backwards, stateful, zeroOutput);
        fused.Build(new long[] { -1, 5, 2 });
        loop.Build(new long[] { -1, 5, 2 });
        CopyNoise(loop.Weights, fused.Weights, draw: true);
        loop.ForceStepLoop = true;
        return (fused, loop);
    }

    private static void Close(torch.Tensor a, torch.Tensor b, string what)
    {
        Assert.Equal(b.shape, a.shape);
        if (a.allclose(b, rtol: 1e-4, atol: 1e-5)) return;
        using var ca = a.contiguous();
        using var cb = b.contiguous();
        Assert.Fail($"{what} differs: {string.Join(",", ca.data<float>().ToArray().Take(8))} vs {string.Join(",", cb.data<float>().ToArray().Take(8))}");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void A_right_padded_mask_runs_packed_and_matches_the_step_loop_in_outputs_states_and_gradients(string kind, bool sequences, bool backwards,
        bool zeroOutput)
    {
        Utils.SetRandomSeed(31);
        var (fused, loop) = Pair(kind, sequences, backwards, zeroOutput: zeroOutput);
        using var x = torch.randn(4, 5, 2);
        using var mask = MaskingAndRnnTests.MaskTensor(RightPadded);
        int stateCount = kind == "lstm" ? 2 : 1;
        var initial = Enumerable.Range(0, stateCount).Select(_ => torch.randn(4, 3).mul_(0.5)).ToArray();

        // Forward values (with gradients enabled, no leaf needing them) and the final states, from zero and given initial states.
        foreach (var start in new[] { null, initial })
        {
            var a = fused.CallWithStates(x, mask, initialState: start);
            var b = loop.CallWithStates(x, mask, initialState: start);
            Assert.Equal(b.Length, a.Length);
            for (int i = 0; i < a.Length; i++) Close(a[i], b[i], $"{kind}: output {i}");
            foreach (var t in a.Concat(b)) t.Dispose();
        }
        using (var a = fused.Call(x, mask))
        using (var b = loop.Call(x, mask))
            Close(a, b, $"{kind}: output without states");
        Assert.Equal(0, loop.FusedCalls);

        // Inference without autograd (LibTorch's CPU inference LSTM kernel is the one FusedRecurrence avoids).
        using (torch.no_grad())
        {
            var a = fused.CallWithStates(x, mask, initialState: initial);
            var b = loop.CallWithStates(x, mask, initialState: initial);
            for (int i = 0; i < a.Length; i++) Close(a[i], b[i], $"{kind}: inference output {i}");
            foreach (var t in a.Concat(b)) t.Dispose();
            using var c = fused.Call(x, mask);
            using var d = loop.Call(x, mask);
            Close(c, d, $"{kind}: inference output without states");
        }

        // Gradients of one loss over the output and every final state, with respect to the inputs, the initial states and every weight.
        torch.Tensor[] Gradients(Recurrent layer, bool withStates)
        {
            using var xi = x.detach().requires_grad_(true);
            var states = withStates ? initial.Select(s => s.detach().requires_grad_(true)).ToArray() : Array.Empty<torch.Tensor>();
            var outputs = withStates ? layer.CallWithStates(xi, mask, training: true, initialState: states) : new[] { layer.Call(xi, mask, training: true) };
            torch.Tensor loss = torch.zeros(1);
            for (int i = 0; i < outputs.Length; i++)
            {
                torch.manual_seed(100 + i);
                using var probe = torch.randn(outputs[i].shape);
                using var term = (outputs[i] * probe).sum();
                var next = loss.add(term);
                loss.Dispose();
                loss = next;
            }
            var leaves = new[] { xi }.Concat(states).Concat(layer.TrainableWeights.Select(w => w.Value)).ToArray();
            var grads = torch.autograd.grad(new[] { loss }, leaves).ToArray();
            loss.Dispose();
            foreach (var t in outputs.Concat(states)) t.Dispose();
            return grads;
        }
        foreach (bool withStates in new[] { true, false })
        {
            var ga = Gradients(fused, withStates);
            var gb = Gradients(loop, withStates);
            Assert.Equal(gb.Length, ga.Length);
            for (int i = 0; i < ga.Length; i++) Close(ga[i], gb[i], $"{kind}: gradient {i} ({(withStates ? "with" : "without")} states)");
            foreach (var t in ga.Concat(gb)) t.Dispose();
        }
        foreach (var t in initial) t.Dispose();
        // Every masked call ran fused: an LSTM whose states were kept on packed sequences, the rest by lengths on the padded kernel.
        Assert.Equal(7, fused.MaskedFusedCalls);
        Assert.Equal(kind == "lstm" ? 4 : 0, fused.PackedCalls);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("simple_rnn")]
    public void Stateful_layers_carry_the_state_of_each_rows_last_kept_step_on_the_packed_path(string kind)
    {
        var (fused, loop) = Pair(kind, true, false, stateful: true);
        using var x = torch.randn(4, 5, 2);
        using var mask = MaskingAndRnnTests.MaskTensor(RightPadded);
        for (int call = 0; call < 3; call++)
        {
            using var a = fused.Call(x, mask);
            using var b = loop.Call(x, mask);
            Close(a, b, $"{kind}: call {call}");
            Close(fused.State!, loop.State!, $"{kind}: state after call {call}");
        }
        Assert.Equal(3, fused.MaskedFusedCalls);
        Assert.Equal(kind == "lstm" ? 3 : 0, fused.PackedCalls); // a stateful LSTM keeps its cell state: packed
    }

    [Theory]
    [InlineData("lstm", true, "concat", true)]
    [InlineData("lstm", false, "sum", true)]
    [InlineData("lstm", true, "concat", false)]
    [InlineData("lstm", false, "ave", false)]
    [InlineData("gru", true, "ave", true)]
    [InlineData("gru", false, "concat", false)]
    [InlineData("simple_rnn", true, "mul", true)]
    [InlineData("simple_rnn", false, "concat", false)]
    public void Bidirectional_layers_run_both_directions_fused_with_the_mask_and_match_the_step_loop(string kind, bool sequences, string merge, bool states)
    {
        Utils.SetRandomSeed(32);
        Bidirectional Wrap() => new Bidirectional(Make(kind, sequences, false, false, false, returnState: states), merge);
        var fused = Wrap();
        var loop = Wrap();
        fused.Build(new long[] { -1, 5, 2 });
        loop.Build(new long[] { -1, 5, 2 });
        CopyNoise(loop.Forward.Weights, fused.Forward.Weights, draw: true);
        CopyNoise(loop.Backward.Weights, fused.Backward.Weights, draw: true);
        loop.Forward.ForceStepLoop = true;
        loop.Backward.ForceStepLoop = true;
        using var x = torch.randn(4, 5, 2);
        using var mask = MaskingAndRnnTests.MaskTensor(RightPadded);
        var a = fused.CallAll(x, mask);
        var b = loop.CallAll(x, mask);
        Assert.Equal(!states ? 1 : kind == "lstm" ? 5 : 3, a.Length); // merged output, then each direction's states (return_state)
        for (int i = 0; i < a.Length; i++) Close(a[i], b[i], $"{kind}: output {i}");
        Assert.Equal(1, fused.Forward.MaskedFusedCalls);
        Assert.Equal(1, fused.Backward.MaskedFusedCalls);

        using var xa = x.detach().requires_grad_(true);
        using var xb = x.detach().requires_grad_(true);
        using var ya = fused.Call(xa, mask, training: true);
        using var yb = loop.Call(xb, mask, training: true);
        using var probe = torch.randn(ya.shape);
        using var la = (ya * probe).sum();
        using var lb = (yb * probe).sum();
        var ga = torch.autograd.grad(new[] { la }, new[] { xa }.Concat(fused.TrainableWeights.Select(w => w.Value)).ToArray());
        var gb = torch.autograd.grad(new[] { lb }, new[] { xb }.Concat(loop.TrainableWeights.Select(w => w.Value)).ToArray());
        for (int i = 0; i < ga.Count; i++) Close(ga[i], gb[i], $"{kind}: gradient {i}");
        foreach (var t in a.Concat(b).Concat(ga).Concat(gb)) t.Dispose();
    }

    [Fact]
    public void A_masked_fused_lstm_follows_kerass_masked_loop_computed_independently()
    {
        // Keras' rnn() written as plain loops (MaskingAndRnnTests.ReferenceRnn): forwards and backwards, outputs and states
        // (packed, the states being kept), and outputs alone (by lengths on the padded kernel).
        var x = Nd.Random(new long[] { 4, 5, 2 }, 41).AsFloat32();
        var w = Nd.Random(new long[] { 2, 12 }, 42, 0.5).AsFloat32();
        var u = Nd.Random(new long[] { 3, 12 }, 43, 0.5).AsFloat32();
        var bias = Nd.Random(new long[] { 12 }, 44, 0.5).AsFloat32();
        using var xt = x.Tensor();
        using var mask = MaskingAndRnnTests.MaskTensor(RightPadded);
        foreach (bool backwards in new[] { false, true })
        {
            var lstm = new LSTM(3, returnSequences: true, returnState: true, goBackwards: backwards);
            lstm.Build(new long[] { -1, 5, 2 });
            MaskingAndRnnTests.SetWeights(lstm, w, u, bias);
            var y = lstm.CallWithStates(xt, mask);
            Assert.Equal(1, lstm.PackedCalls);
            var (outputs, finals) = MaskingAndRnnTests.ReferenceRnn(x, RightPadded, backwards, 3, 2, MaskingAndRnnTests.LstmCell(w, u, bias));
            LayerChecks.Close(outputs, y[0], 1e-5, 1e-4);
            LayerChecks.Close(MaskingAndRnnTests.States(finals, 0), y[1], 1e-5, 1e-4);
            LayerChecks.Close(MaskingAndRnnTests.States(finals, 1), y[2], 1e-5, 1e-4);
            foreach (var t in y) t.Dispose();
            using var alone = lstm.Call(xt, mask);
            Assert.Equal(2, lstm.MaskedFusedCalls);
            Assert.Equal(1, lstm.PackedCalls);
            LayerChecks.Close(outputs, alone, 1e-5, 1e-4);
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("simple_rnn")]
    public void Masks_that_are_not_right_padding_stay_on_the_step_loop(string kind)
    {
        // Keras' cuDNN rule refuses left padding, holes and fully masked rows: the step loop's own results, exactly.
        var masks = new[]
        {
            new[,] { { false, false, true, true, true }, { true, true, true, true, true } },   // left padding
            new[,] { { true, false, true, false, false }, { true, true, true, true, true } },  // a hole
            new[,] { { false, false, false, false, false }, { true, true, false, false, false } }, // a fully masked row
        };
        foreach (bool backwards in new[] { false, true })
        {
            var (fused, loop) = Pair(kind, true, backwards);
            using var x = torch.randn(2, 5, 2);
            foreach (var m in masks)
            {
                using var mask = MaskingAndRnnTests.MaskTensor(m);
                Assert.False(fused.UsesFusedKernelForTests(mask));
                var a = fused.CallWithStates(x, mask);
                var b = loop.CallWithStates(x, mask);
                for (int i = 0; i < a.Length; i++) Assert.True(a[i].allclose(b[i], rtol: 0, atol: 0), $"{kind}: output {i} is not the step loop's");
                foreach (var t in a.Concat(b)) t.Dispose();
            }
            Assert.Equal(0, fused.FusedCalls);
        }
    }

    [Fact]
    public void A_mask_that_keeps_every_step_runs_the_plain_fused_kernel()
    {
        var (fused, loop) = Pair("gru", true, true);
        using var x = torch.randn(2, 5, 2);
        using var mask = torch.ones(new long[] { 2, 5 }, torch.ScalarType.Bool);
        Assert.True(fused.UsesFusedKernelForTests(mask));
        using var a = fused.Call(x, mask);
        using var b = loop.Call(x, mask);
        Close(a, b, "gru");
        Assert.Equal(1, fused.FusedCalls);
        Assert.Equal(0, fused.MaskedFusedCalls);
    }

    [Fact]
    public void An_embedding_with_mask_zero_feeds_a_packed_lstm_in_a_model_that_trains_like_the_step_loop()
    {
        Utils.SetRandomSeed(33);
        // Token rows right-padded with 0, as tokenizers pad; Embedding(mask_zero) gives the mask.
        using var tokens = torch.tensor(new long[] { 3, 1, 4, 1, 5, 2, 6, 0, 0, 0, 5, 3, 0, 0, 0, 2, 2, 2, 2, 0 }, 4, 5);
        using var y = torch.randn(4, 1);
        var models = new bool[] { false, true }.Select(loopOnly =>
        {
            Utils.SetRandomSeed(34);
            var lstm = new LSTM(3) { ForceStepLoop = loopOnly };
            var m = new Sequential(new Layer[] { new Embedding(7, 2, maskZero: true), lstm, new Dense(1) });
            m.Compile(new Keras.Optimizers.Adam(0.01), new Keras.Losses.MeanSquaredError());
            m.Fit(tokens, y, batchSize: 2, epochs: 3, shuffle: false, verbose: 0);
            Assert.Equal(loopOnly ? 0 : 6, lstm.MaskedFusedCalls);
            return m;
        }).ToArray();
        using var pa = models[0].Predict(tokens);
        using var pb = models[1].Predict(tokens);
        Assert.True(pa.allclose(pb, rtol: 1e-3, atol: 1e-4));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Packed_calls_leave_no_tensors_behind(bool backwards)
    {
        var (fused, _) = Pair("lstm", true, backwards);
        using var x = torch.randn(4, 5, 2);
        using var mask = MaskingAndRnnTests.MaskTensor(RightPadded);
        void Once()
        {
            using var scope = torch.NewDisposeScope(); // as a training step runs: the autograd function's gradient wrappers land in it
            using (var y = fused.Call(x, mask)) { }
            using (torch.no_grad())
            using (var y = fused.Call(x, mask)) { }
            // The loss uses every output: TorchSharp counts a managed wrapper it never releases for each output of a custom
            // autograd function that gets no gradient (an undefined tensor, no native memory), which would blur the count.
            using var xi = x.detach().requires_grad_(true);
            var outputs = fused.CallWithStates(xi, mask, training: true);
            var sums = outputs.Select(o => o.sum()).ToArray();
            using var stacked = torch.stack(sums);
            using var total = stacked.sum();
            var grads = torch.autograd.grad(new[] { total }, new[] { xi }.Concat(fused.TrainableWeights.Select(w => w.Value)).ToArray());
            foreach (var t in grads.Concat(outputs).Concat(sums)) t.Dispose();
        }
        static void Collect()
        {
            for (int i = 0; i < 2; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
        Once();
        Collect();
        long before = torch.Tensor.TotalCount;
        for (int i = 0; i < 10; i++) Once();
        Collect();
        Assert.Equal(before, torch.Tensor.TotalCount);
    }
}

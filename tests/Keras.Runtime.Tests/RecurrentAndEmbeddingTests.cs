using Keras.Errors;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>LSTM (return sequences, stateful with ResetStates, Keras' weight layout) and Embedding.</summary>
public class RecurrentAndEmbeddingTests : KerasTestBase
{
    [Fact]
    public void Lstm_returns_the_last_output_or_every_step_with_kerass_weight_layout()
    {
        var last = new LSTM(5);
        var all = new LSTM(5, returnSequences: true);
        using var x = torch.rand(3, 7, 4);
        using var y = last.Call(x);
        using var ys = all.Call(x);
        Assert.Equal(new long[] { 3, 5 }, y.shape);
        Assert.Equal(new long[] { 3, 7, 5 }, ys.shape);
        Assert.Equal(new long[] { 4, 20 }, last.Kernel!.Shape);
        Assert.Equal(new long[] { 5, 20 }, last.RecurrentKernel!.Shape);
        var bias = last.Bias!.ToArray<float>();
        Assert.Equal(Enumerable.Repeat(0f, 5).Concat(Enumerable.Repeat(1f, 5)).Concat(Enumerable.Repeat(0f, 10)), bias); // unit_forget_bias
        using var gram = last.RecurrentKernel.Value.detach().matmul(last.RecurrentKernel.Value.detach().t());
        Assert.True(gram.allclose(torch.eye(5), atol: 1e-5)); // orthogonal recurrent kernel
    }

    [Fact]
    public void The_last_step_of_return_sequences_equals_the_plain_output()
    {
        var layer = new LSTM(3, returnSequences: true);
        using var x = torch.rand(2, 5, 2);
        using var all = layer.Call(x);
        var plain = new LSTM(3);
        plain.Build(new long[] { -1, 5, 2 });
        for (int i = 0; i < 3; i++) plain.Weights[i].Assign(layer.Weights[i].Value);
        using var last = plain.Call(x);
        using var lastStep = all.select(1, 4);
        Assert.True(lastStep.allclose(last, atol: 1e-6));
    }

    [Fact]
    public void A_stateful_lstm_carries_its_state_until_reset_states()
    {
        var stateful = new LSTM(4, stateful: true);
        using var whole = torch.rand(2, 6, 3);
        using var first = whole.narrow(1, 0, 3);
        using var second = whole.narrow(1, 3, 3);
        var reference = new LSTM(4);
        reference.Build(new long[] { -1, 6, 3 });
        stateful.Build(new long[] { -1, 3, 3 });
        for (int i = 0; i < 3; i++) reference.Weights[i].Assign(stateful.Weights[i].Value);

        stateful.Call(first).Dispose();
        using var continued = stateful.Call(second);     // starts from the carried state
        using var expected = reference.Call(whole);       // the whole sequence in one call
        Assert.True(continued.allclose(expected, atol: 1e-5));

        stateful.ResetStates();
        Assert.Null(stateful.State);
        using var fresh = stateful.Call(second);
        using var fromZero = reference.Call(second);
        Assert.True(fresh.allclose(fromZero, atol: 1e-5));

        using var otherBatch = torch.rand(5, 3, 3);
        Assert.Contains("stateful", Assert.Throws<KerasArgumentException>(() => stateful.Call(otherBatch)).Message);
    }

    [Fact]
    public void An_embedding_and_lstm_model_learns_to_detect_a_token()
    {
        Utils.SetRandomSeed(11);
        // Sequences of 6 tokens from 1..9; label 1 when token 7 appears.
        var rng = new Random(3);
        var tokens = new long[512 * 6];
        var labels = new float[512];
        for (int s = 0; s < 512; s++)
        {
            for (int t = 0; t < 6; t++) tokens[s * 6 + t] = rng.Next(1, 10);
            labels[s] = Enumerable.Range(0, 6).Any(t => tokens[s * 6 + t] == 7) ? 1 : 0;
        }
        using var x = torch.tensor(tokens, 512, 6);
        using var y = torch.tensor(labels, 512, 1);
        var model = new Sequential(new Layer[] { new Embedding(10, 8), new LSTM(16), new Dense(1, activation: "sigmoid") });
        model.Compile(new Adam(0.01), new BinaryCrossentropy(), new[] { Metrics.Metric.Get("accuracy") });
        model.Fit(x, y, batchSize: 32, epochs: 15, verbose: 0);
        var result = model.Evaluate(x, y, verbose: 0);
        Assert.True(result["accuracy"] > 0.95, $"accuracy {result["accuracy"]:0.000}");
    }

    [Fact]
    public void Gru_follows_kerass_reset_after_equations()
    {
        var gru = new GRU(2);
        gru.Build(new long[] { -1, 1, 1 });
        using var kernel = torch.tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f }, 1, 6);
        using var recurrent = torch.full(new long[] { 2, 6 }, 0.1f);
        using var bias = torch.tensor(new float[] { 0, 0, 0, 0, 0, 0, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f }, 2, 6);
        gru.Kernel!.Assign(kernel);
        gru.RecurrentKernel!.Assign(recurrent);
        gru.Bias!.Assign(bias);
        using var x = torch.ones(1, 1, 1);
        using var h = gru.Call(x);
        // h_prev = 0: recurrent part = recurrent bias 0.1; z = σ(x·W_z + 0.1), r = σ(x·W_r + 0.1), hh = tanh(x·W_h + r·0.1)
        double Sig(double v) => 1 / (1 + Math.Exp(-v));
        var expected = new[] { 0, 1 }.Select(j =>
        {
            double z = Sig(new[] { 0.1, 0.2 }[j] + 0.1), r = Sig(new[] { 0.3, 0.4 }[j] + 0.1);
            double hh = Math.Tanh(new[] { 0.5, 0.6 }[j] + r * 0.1);
            return (float)((1 - z) * hh);
        }).ToArray();
        Assert.Equal(expected[0], h.data<float>()[0], 5);
        Assert.Equal(expected[1], h.data<float>()[1], 5);
    }

    [Fact]
    public void A_stateful_gru_continues_a_sequence_across_calls()
    {
        var stateful = new GRU(3, stateful: true, returnSequences: true);
        var reference = new GRU(3, returnSequences: true);
        stateful.Build(new long[] { -1, 2, 2 });
        reference.Build(new long[] { -1, 4, 2 });
        for (int i = 0; i < 3; i++) reference.Weights[i].Assign(stateful.Weights[i].Value);
        using var whole = torch.rand(2, 4, 2);
        stateful.Call(whole.narrow(1, 0, 2)).Dispose();
        using var second = stateful.Call(whole.narrow(1, 2, 2));
        using var all = reference.Call(whole);
        using var tail = all.narrow(1, 2, 2);
        Assert.True(second.allclose(tail, atol: 1e-5));
        stateful.ResetStates();
        Assert.Null(stateful.State);
    }

    [Fact]
    public void Recurrent_calls_outside_any_dispose_scope_release_every_intermediate_handle()
    {
        var lstm = new LSTM(4, returnSequences: true, stateful: true);
        var gru = new GRU(4);
        using var x = torch.rand(2, 5, 3);
        lstm.Call(x).Dispose();
        gru.Call(x).Dispose();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int i = 0; i < 20; i++)
        {
            lstm.Call(x).Dispose();
            gru.Call(x).Dispose();
        }
        Assert.Equal(before, torch.Tensor.TotalCount);
    }

    [Fact]
    public void Embedding_looks_up_rows_and_rejects_out_of_range_indices()
    {
        var embedding = new Embedding(4, 2);
        using var indices = torch.tensor(new long[] { 0, 3, 3 }, 1, 3);
        using var vectors = embedding.Call(indices);
        Assert.Equal(new long[] { 1, 3, 2 }, vectors.shape);
        Assert.All(embedding.Embeddings!.ToArray<float>(), v => Assert.InRange(v, -0.05f, 0.05f));
        using var bad = torch.tensor(new long[] { 4 }, 1, 1);
        Assert.Contains("indices must be in [0, 4)", Assert.Throws<KerasArgumentException>(() => embedding.Call(bad)).Message);
    }
}

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' attention masks in MultiHeadAttention: query, value and key masks (filled in from the inputs' masks in a
/// Functional graph), <c>attention_mask</c> and <c>use_causal_mask</c>, joined with a logical and as Keras'
/// <c>_compute_attention_mask</c>; masked scores get a large negative number before the softmax and masked
/// probabilities zero after it. Expected values come from the plain-loop reference below, written from Keras' formulas.
/// </summary>
public class AttentionMaskTests : KerasTestBase
{
    /// <summary>
    /// Keras' multi-head attention by hand (no biases): q = x·Wq, k = v·Wk, v = v·Wv per head, scores q·k/√d, masked
    /// softmax over the value steps, output Σ_h (p·v)·Wo. <paramref name="keep"/>(b, t, s) says whether query step t may
    /// attend to value step s.
    /// </summary>
    private static float[] Reference(MultiHeadAttention layer, float[] query, float[] value, long batch, long t, long s, long features,
        Func<long, long, long, bool> keep)
    {
        float[] W(string name) => layer.Weights.Single(w => w.Name == name).ToArray<float>();
        var wq = W("query/kernel");
        var wk = W("key/kernel");
        var wv = W("value/kernel");
        var wo = W("attention_output/kernel");
        int heads = layer.NumHeads, dk = layer.KeyDim, dv = layer.ValueDim;
        var output = new float[batch * t * features];
        for (long b = 0; b < batch; b++)
            for (int h = 0; h < heads; h++)
            {
                double Proj(float[] x, long step, float[] kernel, int dim, int d) // x[b, step, :] · kernel[:, h, d]
                {
                    double sum = 0;
                    for (long f = 0; f < features; f++) sum += x[(b * (x == query ? t : s) + step) * features + f] * kernel[(f * heads + h) * dim + d];
                    return sum;
                }
                for (long i = 0; i < t; i++)
                {
                    var scores = new double[s];
                    for (long j = 0; j < s; j++)
                    {
                        double dot = 0;
                        for (int d = 0; d < dk; d++) dot += Proj(query, i, wq, dk, d) * Proj(value, j, wk, dk, d);
                        scores[j] = keep(b, i, j) ? dot / Math.Sqrt(dk) : -1e9;
                    }
                    double max = scores.Max();
                    var p = scores.Select(x => Math.Exp(x - max)).ToArray();
                    double total = p.Sum();
                    for (long j = 0; j < s; j++) p[j] = keep(b, i, j) ? p[j] / total : 0;
                    for (int d = 0; d < dv; d++)
                    {
                        double attended = 0;
                        for (long j = 0; j < s; j++) attended += p[j] * Proj(value, j, wv, dv, d);
                        for (long o = 0; o < features; o++) output[(b * t + i) * features + o] += (float)(attended * wo[(h * dv + d) * features + o]);
                    }
                }
            }
        return output;
    }

    private static void AssertClose(float[] expected, torch.Tensor actual)
    {
        var got = actual.data<float>().ToArray();
        Assert.Equal(expected.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.True(Math.Abs(expected[i] - got[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]), $"[{i}] expected {expected[i]}, got {got[i]}");
    }

    private static float[] Random(long n, int seed)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, (int)n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
    }

    [Fact]
    public void The_causal_mask_lets_each_query_step_attend_to_itself_and_earlier_steps_only()
    {
        var mha = new MultiHeadAttention(2, 3, useBias: false, name: "mha");
        var x = Random(2 * 4 * 5, 1);
        using var xt = torch.tensor(x, new long[] { 2, 4, 5 });
        using var y = mha.Call(xt, xt, useCausalMask: true);
        AssertClose(Reference(mha, x, x, 2, 4, 4, 5, (b, i, j) => j <= i), y);
        // Without the mask the last query step is unchanged (it sees everything either way) but the first is not.
        using var full = mha.Call(xt, xt);
        Assert.False(full.allclose(y, rtol: 1e-4, atol: 1e-5));
        Assert.True(full.select(1, 3).allclose(y.select(1, 3), rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Query_value_and_attention_masks_are_joined_and_a_query_step_with_nothing_to_attend_to_gets_zeros_before_the_output_projection()
    {
        var mha = new MultiHeadAttention(1, 2, useBias: false, name: "mha");
        var q = Random(2 * 3 * 4, 2);
        var v = Random(2 * 5 * 4, 3);
        using var qt = torch.tensor(q, new long[] { 2, 3, 4 });
        using var vt = torch.tensor(v, new long[] { 2, 5, 4 });
        bool[] queryKeep = { true, true, false, true, true, true };        // (2, 3)
        bool[] valueKeep = { true, true, true, false, false, true, false, true, true, true }; // (2, 5)
        var attention = new bool[2 * 3 * 5];
        for (int i = 0; i < attention.Length; i++) attention[i] = i % 7 != 3;
        using var queryMask = torch.tensor(queryKeep, new long[] { 2, 3 });
        using var valueMask = torch.tensor(valueKeep, new long[] { 2, 5 });
        using var attentionMask = torch.tensor(attention, new long[] { 2, 3, 5 });
        using var y = mha.Call(qt, vt, attentionMask: attentionMask, queryMask: queryMask, valueMask: valueMask);
        var expected = Reference(mha, q, v, 2, 3, 5, 4, (b, i, j) => queryKeep[b * 3 + i] && valueKeep[b * 5 + j] && attention[(b * 3 + i) * 5 + j]);
        AssertClose(expected, y);
        // Query step (0, 2) is masked: every probability is zero, so its output is zero (no biases).
        Assert.All(y[0, 2].data<float>().ToArray(), value => Assert.Equal(0f, value));
    }

    [Fact]
    public void A_mask_of_the_wrong_shape_is_Kerass_error_naming_it()
    {
        var mha = new MultiHeadAttention(1, 2, name: "mha");
        using var q = torch.randn(2, 3, 4);
        using var bad = torch.ones(new long[] { 2, 4 }, torch.ScalarType.Bool);
        Assert.Contains("value_mask must have shape (2, 3)", Assert.Throws<KerasArgumentException>(() => mha.Call(q, q, valueMask: bad)).Message);
    }

    private static (Functional Model, MultiHeadAttention Mha) PaddedTransformerBlock(bool causal)
    {
        var tokens = new Input(new long[] { 4 }, name: "tokens");
        var embedded = new Embedding(7, 4, maskZero: true, name: "embedding").Call(tokens);
        var mha = new MultiHeadAttention(2, 2, useBias: false, name: "mha");
        var attended = mha.Call(embedded, embedded, useCausalMask: causal);
        var pooled = new GlobalAveragePooling1D(name: "pool").Call(attended); // averages the unmasked steps: the query mask propagates
        return (new Functional(tokens, pooled, name: "block"), mha);
    }

    [Fact]
    public void In_a_graph_the_padding_mask_of_mask_zero_reaches_the_attention_as_query_and_value_masks_and_its_output_keeps_the_query_mask()
    {
        var (model, mha) = PaddedTransformerBlock(causal: false);
        var ids = new float[] { 3, 5, 0, 0, 1, 2, 6, 0 };
        using var tokens = torch.tensor(ids, new long[] { 2, 4 });
        using var y = model.Predict(tokens);
        var embedding = (Embedding)model.Layers.Single(l => l.Name == "embedding");
        using var vectors = embedding.Call(tokens);
        var x = vectors.data<float>().ToArray();
        var attended = Reference(mha, x, x, 2, 4, 4, 4, (b, i, j) => ids[b * 4 + i] != 0 && ids[b * 4 + j] != 0);
        // GlobalAveragePooling1D over the kept steps only.
        var expected = new float[2 * 4];
        for (int b = 0; b < 2; b++)
        {
            int kept = Enumerable.Range(0, 4).Count(i => ids[b * 4 + i] != 0);
            for (int i = 0; i < 4; i++)
                if (ids[b * 4 + i] != 0)
                    for (int f = 0; f < 4; f++) expected[b * 4 + f] += attended[(b * 4 + i) * 4 + f] / kept;
        }
        AssertClose(expected, y);
    }

    [Fact]
    public void A_causal_block_saves_use_causal_mask_and_a_Keras_file_passing_the_masks_as_tensor_kwargs_loads_and_predicts_the_same()
    {
        var (model, _) = PaddedTransformerBlock(causal: true);
        string saved = Path.Combine(KerasHome, "block.keras");
        model.Save(saved);
        var config = JsonNode.Parse(ArchiveEntry(saved, "config.json"))!;
        var layers = config["config"]!["layers"]!.AsArray();
        var node = layers.Single(l => (string?)l!["name"] == "mha")!["inbound_nodes"]![0]!;
        Assert.True((bool)node["kwargs"]!["use_causal_mask"]!);

        // What Keras 3 writes for the same graph: a NotEqual op computing the padding mask from the token ids, passed
        // as the query_mask and value_mask keyword arguments.
        JsonNode Tensor(string layer, string dtype, int? features) => new JsonObject
        {
            ["class_name"] = "__keras_tensor__",
            ["config"] = new JsonObject
            {
                ["shape"] = features is int f ? new JsonArray(null, 4, f) : new JsonArray(null, 4), ["dtype"] = dtype, ["keras_history"] = new JsonArray(layer, 0, 0),
            },
        };
        layers.Insert(1, new JsonObject
        {
            ["module"] = "keras.src.ops.numpy", ["class_name"] = "NotEqual", ["config"] = new JsonObject { ["name"] = "not_equal" },
            ["registered_name"] = "NotEqual", ["name"] = "not_equal",
            ["inbound_nodes"] = new JsonArray(new JsonObject { ["args"] = new JsonArray(Tensor("tokens", "float32", null), 0), ["kwargs"] = new JsonObject() }),
        });
        node["kwargs"]!["query_mask"] = Tensor("not_equal", "bool", null);
        node["kwargs"]!["value_mask"] = Tensor("not_equal", "bool", null);
        node["kwargs"]!["key_mask"] = null;
        node["kwargs"]!["attention_mask"] = null;
        node["kwargs"]!["return_attention_scores"] = false;
        string path = Path.Combine(KerasHome, "keras_block.keras");
        File.WriteAllBytes(path, Hostile.ZipBuilder.Keras(config.ToJsonString(), ArchiveEntry(saved, "model.weights.h5")).Build());

        var loaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var tokens = torch.tensor(new float[] { 3, 5, 0, 0, 1, 2, 6, 4 }, new long[] { 2, 4 });
        using var expected = model.Predict(tokens);
        using var actual = loaded.Predict(tokens);
        Assert.True(expected.allclose(actual, rtol: 1e-6, atol: 1e-7));
    }

    [Fact]
    public void An_explicit_attention_mask_tensor_in_a_graph_is_an_input_of_the_call_and_round_trips()
    {
        var q = new Input(new long[] { 3, 4 }, name: "q");
        var allowed = new Input(new long[] { 3, 3 }, name: "allowed");
        var mha = new MultiHeadAttention(1, 2, useBias: false, name: "mha");
        var model = new Functional(new[] { q, allowed }, new[] { mha.Call(q, q, attentionMask: allowed) }, name: "explicit");
        var x = Random(1 * 3 * 4, 5);
        var allow = new float[] { 1, 0, 0, 1, 1, 0, 0, 1, 1 };
        using var xt = torch.tensor(x, new long[] { 1, 3, 4 });
        using var at = torch.tensor(allow, new long[] { 1, 3, 3 });
        var y = model.Predict(new[] { xt, at });
        AssertClose(Reference(mha, x, x, 1, 3, 3, 4, (b, i, j) => allow[i * 3 + j] != 0), y[0]);
        string path = Path.Combine(KerasHome, "explicit.keras");
        model.Save(path);
        var again = Assert.IsType<Functional>(Saving.LoadModel(path)).Predict(new[] { xt, at });
        Assert.True(y[0].allclose(again[0], rtol: 0, atol: 0));
        foreach (var t in y.Concat(again)) t.Dispose();
    }
}

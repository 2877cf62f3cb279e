using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Attention, AdditiveAttention, Dot, Identity, and MultiHeadAttention cross-attention in a Functional graph: values
/// against loops from Keras' formulas, gradients, weights, configs, saved calls and Keras' errors.
/// </summary>
public class AttentionAndDotTests : KerasTestBase
{
    /// <summary>
    /// Keras' attention by hand: scores s_ij = score(q_i, k_j), minus 1e9 where the value step is masked or j &gt; i
    /// (causal); softmax over j; output Σ_j w_ij v_j, zero where the query step is masked.
    /// </summary>
    internal static (Nd Output, Nd Weights) Attend(Nd q, Nd v, Nd k, Func<double[], double[], double> score, bool causal = false,
        bool[,]? valueMask = null, bool[,]? queryMask = null)
    {
        long b = q.Shape[0], tq = q.Shape[1], tv = v.Shape[1], d = q.Shape[2], dv = v.Shape[2];
        var output = new Nd(new[] { b, tq, dv });
        var weights = new Nd(new[] { b, tq, tv });
        double[] Row(Nd x, long n, long t) => Enumerable.Range(0, (int)x.Shape[2]).Select(c => x[n, t, c]).ToArray();
        for (long n = 0; n < b; n++)
            for (long i = 0; i < tq; i++)
            {
                var s = new double[tv];
                for (long j = 0; j < tv; j++)
                {
                    s[j] = score(Row(q, n, i), Row(k, n, j));
                    if ((valueMask != null && !valueMask[n, j]) || (causal && j > i)) s[j] -= 1e9;
                }
                double max = s.Max();
                var e = s.Select(x => Math.Exp(x - max)).ToArray();
                double sum = e.Sum();
                for (long j = 0; j < tv; j++) weights[n, i, j] = e[j] / sum;
                bool keep = queryMask == null || queryMask[n, i];
                for (long c = 0; c < dv; c++)
                    output[n, i, c] = keep ? Enumerable.Range(0, (int)tv).Sum(j => weights[n, i, j] * v[n, j, c]) : 0;
            }
        return (output, weights);
    }

    internal static double Dot(double[] a, double[] b) => a.Zip(b, (x, y) => x * y).Sum();

    [Theory]
    [InlineData(false, "dot", false)]
    [InlineData(true, "dot", true)]
    [InlineData(false, "concat", false)]
    [InlineData(true, "concat", true)]
    public void Attention_follows_Kerass_score_modes_scale_and_causal_mask(bool useScale, string scoreMode, bool causal)
    {
        var q = Nd.Random(new long[] { 2, 3, 4 }, 1).AsFloat32();
        var v = Nd.Random(new long[] { 2, 5, 2 }, 2).AsFloat32();
        var k = Nd.Random(new long[] { 2, 5, 4 }, 3).AsFloat32();
        var layer = new Attention(useScale, scoreMode);
        using var qt = q.Tensor();
        using var vt = v.Tensor();
        using var kt = k.Tensor();
        using var y = layer.Call(new[] { qt, vt, kt }, useCausalMask: causal);
        Assert.Equal(0, layer.Weights.Count - (useScale ? 1 : 0) - (scoreMode == "concat" ? 1 : 0)); // scalar weights, initialized to 1
        const double scale = 1.0; // Keras initializes both scalars to ones
        Func<double[], double[], double> score = scoreMode == "dot"
            ? (a, c) => scale * Dot(a, c)
            : (a, c) => scale * a.Zip(c, (x, z) => Math.Tanh(scale * (x + z))).Sum();
        LayerChecks.Close(Attend(q, v, k, score, causal).Output, y, 1e-5, 1e-5);

        if (useScale) // a trained scale changes the scores
        {
            layer.Scale!.Assign(torch.tensor(0.5f));
            using var y2 = layer.Call(new[] { qt, vt, kt }, useCausalMask: causal);
            Func<double[], double[], double> scaled = scoreMode == "dot"
                ? (a, c) => 0.5 * Dot(a, c)
                : (a, c) => a.Zip(c, (x, z) => Math.Tanh(0.5 * (x + z))).Sum();
            LayerChecks.Close(Attend(q, v, k, scaled, causal).Output, y2, 1e-5, 1e-5);
        }
    }

    [Fact]
    public void Attention_masks_value_steps_and_query_steps_and_returns_its_scores()
    {
        var q = Nd.Random(new long[] { 2, 3, 4 }, 4).AsFloat32();
        var v = Nd.Random(new long[] { 2, 4, 4 }, 5).AsFloat32();
        var valueMask = new bool[,] { { true, true, false, true }, { true, false, false, false } };
        var queryMask = new bool[,] { { true, false, true }, { true, true, true } };
        using var qt = q.Tensor();
        using var vt = v.Tensor();
        using var vm = torch.tensor(new[] { true, true, false, true, true, false, false, false }, 2, 4);
        using var qm = torch.tensor(new[] { 1L, 0, 1, 1, 1, 1 }, 2, 3); // integer masks count as booleans
        var (output, scores) = new Attention().CallWithScores(new[] { qt, vt }, new torch.Tensor?[] { qm, vm }, useCausalMask: true);
        using (output)
        using (scores)
        {
            var (expected, weights) = Attend(q, v, v, Dot, causal: true, valueMask, queryMask);
            LayerChecks.Close(expected, output, 1e-5, 1e-5);
            LayerChecks.Close(weights, scores, 1e-6, 1e-5);
        }
    }

    [Fact]
    public void AdditiveAttention_scores_with_a_learned_scale_vector()
    {
        var q = Nd.Random(new long[] { 2, 3, 4 }, 6).AsFloat32();
        var v = Nd.Random(new long[] { 2, 5, 3 }, 7).AsFloat32();
        var k = Nd.Random(new long[] { 2, 5, 4 }, 8).AsFloat32();
        var layer = new AdditiveAttention();
        using var qt = q.Tensor();
        using var vt = v.Tensor();
        using var kt = k.Tensor();
        using var y = layer.Call(new[] { qt, vt, kt });
        Assert.Equal(new long[] { 4 }, layer.Scale!.Shape);
        var scale = layer.Scale.ToArray<float>();
        LayerChecks.Close(Attend(q, v, k, (a, c) => a.Select((x, d) => scale[d] * Math.Tanh(x + c[d])).Sum()).Output, y, 1e-5, 1e-5);
        using var plain = new AdditiveAttention(useScale: false).Call(new[] { qt, vt, kt });
        LayerChecks.Close(Attend(q, v, k, (a, c) => a.Select((x, d) => Math.Tanh(x + c[d])).Sum()).Output, plain, 1e-5, 1e-5);
    }

    [Fact]
    public void Attention_dropout_applies_only_in_training_and_follows_its_seed()
    {
        using var q = torch.rand(2, 4, 3);
        using var v = torch.rand(2, 6, 3);
        var a = new Attention(dropout: 0.5, seed: 7);
        var b = new Attention(dropout: 0.5, seed: 7);
        using var inference = a.Call(new[] { q, v }, training: false);
        using var plain = new Attention().Call(new[] { q, v });
        Assert.True(inference.allclose(plain));
        using var trainA = a.Call(new[] { q, v }, training: true);
        using var trainB = b.Call(new[] { q, v }, training: true);
        Assert.False(trainA.allclose(plain));
        Assert.True(trainA.allclose(trainB)); // same seed, same masks
        Assert.Single(a.RandomGenerators); // saved by BackupAndRestore with the other dropout generators
    }

    [Fact]
    public void Attention_gradients_match_finite_differences()
    {
        using var q = torch.randn(new long[] { 2, 3, 2 }, torch.ScalarType.Float64);
        using var v = torch.randn(new long[] { 2, 4, 3 }, torch.ScalarType.Float64);
        using var k = torch.randn(new long[] { 2, 4, 2 }, torch.ScalarType.Float64);
        foreach (var layer in new Attention[]
                 {
                     new Attention(useScale: true, dtype: "float64"), new Attention(useScale: true, scoreMode: "concat", dtype: "float64"),
                     new AdditiveAttention(dtype: "float64"),
                 })
        {
            layer.Call(new[] { q, v, k }, useCausalMask: true).Dispose();
            foreach (var w in layer.Weights) w.Assign(torch.rand(w.Shape, torch.ScalarType.Float64) + 0.5);
            LayerChecks.Gradients(t => layer.Call(t, useCausalMask: true), new[] { q, v, k }, layer.TrainableWeights);
        }
    }

    [Fact]
    public void Attention_arguments_and_inputs_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=add",
            Assert.Throws<KerasArgumentException>(() => new Attention(scoreMode: "add")).Message);
        using var q = torch.rand(2, 3, 4);
        Assert.StartsWith("Attention layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: 1.",
            Assert.Throws<KerasArgumentException>(() => new Attention().Call(new[] { q })).Message);
        Assert.StartsWith("AdditiveAttention layer must be called on a list of inputs, namely [query, value] or [query, value, key].",
            Assert.Throws<KerasArgumentException>(() => new AdditiveAttention().Call(q)).Message);
        Assert.StartsWith("Attention layer must be called on a list of inputs",
            Assert.Throws<KerasArgumentException>(() => new Attention().Call(new Input(new long[] { 3, 4 }))).Message);
        using var v = torch.rand(2, 5, 3);
        Assert.Contains("query and key must have the same last dimension", Assert.Throws<KerasArgumentException>(() => new Attention().Call(new[] { q, v })).Message);
        using var v4 = torch.rand(2, 5, 4);
        using var k = torch.rand(2, 6, 4);
        Assert.Contains("value and key must have the same number of steps", Assert.Throws<KerasArgumentException>(() => new Attention().Call(new[] { q, v4, k })).Message);
        Assert.StartsWith("Attention layer accepts mask list of length 2 or 3.",
            Assert.Throws<KerasArgumentException>(() => new Attention().Call(new[] { q, v4 }, new torch.Tensor?[] { null })).Message);
    }

    [Fact]
    public void Attention_configs_and_weights_are_Kerass()
    {
        LayerChecks.ConfigKeys(new Attention(), "use_scale", "score_mode", "dropout", "seed");
        LayerChecks.ConfigKeys(new AdditiveAttention(), "use_scale", "dropout", "seed");
        var q = new Input(new long[] { 3, 4 });
        var v = new Input(new long[] { 5, 4 });
        var attention = new Attention(useScale: true, scoreMode: "concat");
        var additive = new AdditiveAttention();
        var model = new Functional(new[] { q, v }, new[] { attention.Call(new[] { q, v }), additive.Call(new[] { q, v }) });
        attention.Scale!.Assign(torch.tensor(0.75f));
        string path = Path.Combine(KerasHome, "attention.weights.h5");
        model.SaveWeights(path);
        using var file = H5File.OpenRead(path);
        Assert.Equal(0.75f, file.Dataset("layers/attention/vars/0").Read<float>());             // scale ()
        Assert.Empty(file.Dataset("layers/attention/vars/1").Space.Dimensions);                  // concat_score_weight ()
        Assert.Equal(new ulong[] { 4 }, file.Dataset("layers/additive_attention/vars/0").Space.Dimensions); // scale (dim)
    }

    [Fact]
    public void Attention_calls_save_and_reload_in_a_Functional_graph_with_their_causal_mask()
    {
        var q = new Input(new long[] { 4, 3 }, name: "query");
        var v = new Input(new long[] { 4, 3 }, name: "value");
        var causal = new Attention(useScale: true).Call(new[] { q, v }, useCausalMask: true);
        var output = new AdditiveAttention().Call(new[] { causal, v, q });
        var model = new Functional(new[] { q, v }, new[] { output });
        var config = JsonNode.Parse(model.ToJson())!;
        var nodes = config["config"]!["layers"]!.AsArray().Single(l => (string?)l!["class_name"] == "Attention")!["inbound_nodes"]![0]!;
        Assert.True(nodes["kwargs"]!["use_causal_mask"]!.GetValue<bool>());
        Assert.Equal(2, nodes["args"]![0]!.AsArray().Count); // Keras' list argument [query, value]

        string path = Path.Combine(KerasHome, "attention.keras");
        model.Save(path);
        var copy = (Functional)Saving.LoadModel(path);
        using var xq = torch.rand(2, 4, 3);
        using var xv = torch.rand(2, 4, 3);
        var expected = model.Call(new[] { xq, xv });
        var actual = copy.Call(new[] { xq, xv });
        Assert.True(expected[0].allclose(actual[0], rtol: 0, atol: 0));
        // the causal mask matters: without it the reloaded graph would differ
        var second = Saving.ModelFromJson(model.ToJson().Replace("\"use_causal_mask\":true", "\"use_causal_mask\":false"));
        second.SetWeights(model.GetWeights());
        Assert.False(((Functional)second).Call(new[] { xq, xv })[0].allclose(expected[0]));
        foreach (var t in expected.Concat(actual)) t.Dispose();
    }

    [Fact]
    public void A_saved_call_argument_this_runtime_cannot_honour_is_refused()
    {
        var q = new Input(new long[] { 4, 3 });
        var model = new Functional(q, new Attention().Call(new[] { q, q }));
        string json = model.ToJson().Replace("\"kwargs\":{}", "\"kwargs\":{\"return_attention_scores\":true}");
        Assert.Contains("return_attention_scores", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(json)).Message);
        string unknown = model.ToJson().Replace("\"kwargs\":{}", "\"kwargs\":{\"sharpness\":2}");
        Assert.Contains("sharpness", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(unknown)).Message);
    }

    [Fact]
    public void MultiHeadAttention_cross_attention_runs_saves_and_reloads_in_a_Functional_graph()
    {
        var q = new Input(new long[] { 3, 4 });
        var v = new Input(new long[] { 5, 6 });
        var k = new Input(new long[] { 5, 2 });
        var mha = new MultiHeadAttention(2, 3);
        var y = mha.Call(q, v, k);
        Assert.Equal(new long[] { -1, 3, 4 }, y.Shape);
        Assert.Equal(new long[] { 2, 2, 3 }, mha.Weights[1].Shape); // key kernel from the key's features
        Assert.Equal(new long[] { 6, 2, 3 }, mha.Weights[2].Shape); // value kernel from the value's
        var model = new Functional(new[] { q, v, k }, new[] { y });
        string path = Path.Combine(KerasHome, "mha.keras");
        model.Save(path);
        var copy = (Functional)Saving.LoadModel(path);
        using var xq = torch.rand(2, 3, 4);
        using var xv = torch.rand(2, 5, 6);
        using var xk = torch.rand(2, 5, 2);
        using var direct = mha.Call(xq, xv, xk);
        using var a = model.Call(new[] { xq, xv, xk })[0];
        using var b = copy.Call(new[] { xq, xv, xk })[0];
        Assert.True(direct.allclose(a, rtol: 0, atol: 0));
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        var node = JsonNode.Parse(model.ToJson())!["config"]!["layers"]!.AsArray().Single(l => (string?)l!["class_name"] == "MultiHeadAttention")!["inbound_nodes"]![0]!;
        Assert.Equal(3, node["args"]!.AsArray().Count); // query, value, key positionally, as Keras writes them

        // self-attention is written with the tensor twice (Keras' mha(x, x)) and reloads as self-attention
        var x = new Input(new long[] { 3, 4 });
        var self = new Functional(x, new MultiHeadAttention(1, 2).Call(x));
        var selfNode = JsonNode.Parse(self.ToJson())!["config"]!["layers"]!.AsArray().Single(l => (string?)l!["class_name"] == "MultiHeadAttention")!["inbound_nodes"]![0]!;
        Assert.Equal(2, selfNode["args"]!.AsArray().Count);
        var selfCopy = (Functional)Saving.ModelFromJson(self.ToJson());
        selfCopy.SetWeights(self.GetWeights());
        using var a2 = self.Call(new[] { xq })[0];
        using var b2 = selfCopy.Call(new[] { xq })[0];
        Assert.True(a2.allclose(b2, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_tf_keras_graph_with_Attention_MultiHeadAttention_and_Dot_loads()
    {
        // tf.keras 2 nodes: [[layer, node, tensor, kwargs], ...]; MultiHeadAttention's value arrives as a kwargs reference.
        const string json = """
        {"class_name": "Functional", "config": {"name": "model", "layers": [
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4, 3], "dtype": "float32", "name": "q"}, "name": "q", "inbound_nodes": []},
          {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 5, 3], "dtype": "float32", "name": "v"}, "name": "v", "inbound_nodes": []},
          {"class_name": "MultiHeadAttention", "config": {"name": "mha", "trainable": true, "dtype": "float32", "num_heads": 1, "key_dim": 2, "value_dim": 2,
             "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1], "query_shape": [null, 4, 3], "key_shape": [null, 5, 3], "value_shape": [null, 5, 3]},
           "name": "mha", "inbound_nodes": [[["q", 0, 0, {"value": ["v", 0, 0]}]]]},
          {"class_name": "Attention", "config": {"name": "att", "trainable": true, "dtype": "float32", "use_scale": false, "score_mode": "dot", "dropout": 0.0},
           "name": "att", "inbound_nodes": [[["mha", 0, 0, {}], ["v", 0, 0, {}]]]},
          {"class_name": "Dot", "config": {"name": "dot", "trainable": true, "dtype": "float32", "axes": [2, 2], "normalize": false},
           "name": "dot", "inbound_nodes": [[["att", 0, 0, {}], ["q", 0, 0, {}]]]}],
          "input_layers": [["q", 0, 0], ["v", 0, 0]], "output_layers": [["dot", 0, 0]]}}
        """;
        var model = Assert.IsType<Functional>(Saving.ModelFromJson(json));
        Assert.Equal(new long[] { -1, 4, 4 }, model.OutputTensor.Shape);
        using var q = torch.rand(2, 4, 3);
        using var v = torch.rand(2, 5, 3);
        var mha = (MultiHeadAttention)model.Layers.Single(l => l.Name == "mha");
        using var cross = mha.Call(q, v);
        using var attended = ((Attention)model.Layers.Single(l => l.Name == "att")).Call(new[] { cross, v });
        using var expected = attended.matmul(q.transpose(1, 2)); // Dot over the feature axes: (2, 4, 4)
        using var actual = model.Call(new[] { q, v })[0];
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: 1e-6));
    }

    // ------------------------------------------------------------------ Dot

    [Fact]
    public void Dot_is_Kerass_batch_dot_along_the_given_axes()
    {
        var a = Nd.Random(new long[] { 2, 3, 4 }, 1).AsFloat32();
        var b = Nd.Random(new long[] { 2, 4, 5 }, 2).AsFloat32();
        var c = Nd.Random(new long[] { 2, 3, 2 }, 3).AsFloat32();
        using var at = a.Tensor();
        using var bt = b.Tensor();
        using var ct = c.Tensor();
        using var ab = new Dot((2, 1)).Call(new[] { at, bt });
        var expected = new Nd(new long[] { 2, 3, 5 });
        foreach (var i in Nd.Indices(expected.Shape)) expected[i] = Enumerable.Range(0, 4).Sum(k => a[i[0], i[1], k] * b[i[0], k, i[2]]);
        LayerChecks.Close(expected, ab, 1e-5);

        using var ac = new Dot(1).Call(new[] { at, ct }); // contract axis 1 of both: (2, 4, 2)
        var expected2 = new Nd(new long[] { 2, 4, 2 });
        foreach (var i in Nd.Indices(expected2.Shape)) expected2[i] = Enumerable.Range(0, 3).Sum(k => a[i[0], k, i[1]] * c[i[0], k, i[2]]);
        LayerChecks.Close(expected2, ac, 1e-5);

        // two vectors: (batch, 1); with normalize the cosine
        var u = Nd.Random(new long[] { 3, 4 }, 4).AsFloat32();
        var w = Nd.Random(new long[] { 3, 4 }, 5).AsFloat32();
        using var ut = u.Tensor();
        using var wt = w.Tensor();
        using var cosine = new Dot(-1, normalize: true).Call(new[] { ut, wt });
        var expected3 = new Nd(new long[] { 3, 1 });
        for (int n = 0; n < 3; n++)
        {
            var x = Enumerable.Range(0, 4).Select(k => u[n, k]).ToArray();
            var y = Enumerable.Range(0, 4).Select(k => w[n, k]).ToArray();
            expected3[n, 0] = Dot(x, y) / Math.Sqrt(Dot(x, x) * Dot(y, y));
        }
        LayerChecks.Close(expected3, cosine, 1e-6);
        Assert.Equal(new long[] { -1, 3, 5 }, new Dot((2, 1)).Call(new Input(new long[] { 3, 4 }), new Input(new long[] { 4, 5 })).Shape);
    }

    [Fact]
    public void Dot_gradients_match_finite_differences_and_errors_are_Kerass()
    {
        using var a = torch.randn(new long[] { 2, 3, 4 }, torch.ScalarType.Float64);
        using var b = torch.randn(new long[] { 2, 3, 2 }, torch.ScalarType.Float64);
        var dot = new Dot(1, normalize: true, dtype: "float64");
        LayerChecks.Gradients(t => dot.Call(t), new[] { a, b }, dot.TrainableWeights);

        using var c = torch.rand(2, 5);
        using var d = torch.rand(2, 4);
        Assert.StartsWith("Incompatible input shapes: axis values 5 (at axis 1) != 4 (at axis 1). Full input shapes: (2, 5), (2, 4)",
            Assert.Throws<KerasArgumentException>(() => new Dot(1).Call(new[] { c, d })).Message);
        Assert.StartsWith("Cannot perform batch_dot over axis 0.", Assert.Throws<KerasArgumentException>(() => new Dot(0).Call(new[] { c, c })).Message);
        using var e = torch.rand(2);
        Assert.StartsWith("Cannot do batch_dot on inputs with rank < 2.", Assert.Throws<KerasArgumentException>(() => new Dot(1).Call(new[] { e, e })).Message);
        Assert.StartsWith("A merge layer should be called on a list of at least 2 inputs.", Assert.Throws<KerasArgumentException>(() => new Dot(1).Call(new[] { c })).Message);
        LayerChecks.ConfigKeys(new Dot(1), "axes", "normalize");
        Assert.Equal("[2,1]", new Dot((2, 1)).GetConfig()["axes"]!.ToJsonString());
        Assert.Equal("-1", new Dot(-1).GetConfig()["axes"]!.ToJsonString());
    }

    [Fact]
    public void Identity_returns_its_input()
    {
        using var x = torch.rand(2, 3);
        using var y = new Identity().Call(x);
        Assert.True(x.allclose(y, rtol: 0, atol: 0));
        LayerChecks.ConfigKeys(new Identity());
        using var x64 = torch.randn(new long[] { 2, 3 }, torch.ScalarType.Float64);
        var identity = new Identity(dtype: "float64");
        LayerChecks.Gradients(t => identity.Call(t[0]), new[] { x64 }, identity.TrainableWeights);
    }
}

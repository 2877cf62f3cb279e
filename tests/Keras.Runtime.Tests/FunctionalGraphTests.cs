using Keras.Errors;
using PureHDF;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Functional graphs beyond a chain: branches, merge layers, shared layers, several inputs and outputs.</summary>
public class FunctionalGraphTests : KerasTestBase
{
    private static float[] Data(torch.Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void Merge_layers_compute_as_Keras()
    {
        using var a = torch.tensor(new float[] { 1, 2, 3, 4 }, new long[] { 2, 2 });
        using var b = torch.tensor(new float[] { 10, 20, 30, 40 }, new long[] { 2, 2 });
        using var c = torch.tensor(new float[] { 5, 5 }, new long[] { 2, 1 });
        Tensor(new Add(), new[] { a, b, c }, 16, 27, 38, 49);
        Tensor(new Subtract(), new[] { b, a }, 9, 18, 27, 36);
        Tensor(new Multiply(), new[] { a, c }, 5, 10, 15, 20);
        Tensor(new Average(), new[] { a, b }, 5.5f, 11, 16.5f, 22);
        Tensor(new Maximum(), new[] { a, c }, 5, 5, 5, 5);
        Tensor(new Minimum(), new[] { a, c }, 1, 2, 3, 4);
        Tensor(new Concatenate(), new[] { a, c }, 1, 2, 5, 3, 4, 5);
        Tensor(new Concatenate(axis: 0), new[] { a, b }, 1, 2, 3, 4, 10, 20, 30, 40);

        static void Tensor(Merge layer, torch.Tensor[] inputs, params float[] expected)
        {
            using var y = layer.Call(inputs);
            Assert.Equal(expected, Data(y));
        }
    }

    [Fact]
    public void Merge_layers_compute_in_the_policys_compute_dtype()
    {
        Config.SetDtypePolicy("mixed_float16");
        var add = new Add();
        using var a = torch.ones(2, 2);
        using var b = torch.ones(2, 2);
        using var y = add.Call(new[] { a, b });
        Assert.Equal(torch.ScalarType.Float16, y.dtype);
        Assert.Equal(torch.ScalarType.Float32, a.dtype); // inputs untouched
    }

    [Fact]
    public void Merge_layers_reject_what_Keras_rejects()
    {
        var a = new Input(new long[] { 3 });
        var b = new Input(new long[] { 4 });
        var c = new Input(new long[] { 2, 4 });
        Assert.Contains("Inputs have incompatible shapes", Assert.Throws<KerasArgumentException>(() => new Add().Call(a, b)).Message);
        Assert.Contains("should be called on exactly 2 inputs", Assert.Throws<KerasArgumentException>(() => new Subtract().Call(a, a, a)).Message);
        Assert.Contains("matching shapes except for the concatenation axis", Assert.Throws<KerasArgumentException>(() => new Concatenate().Call(a, c)).Message);
        Assert.Equal(new long[] { -1, 7 }, new Concatenate().Call(a, b).Shape);
        using var x = torch.ones(2, 3);
        Assert.Contains("should be called on a list of inputs", Assert.Throws<KerasArgumentException>(() => new Add().Call(x)).Message);
    }

    /// <summary>Two inputs, a shared Dense applied to both (Siamese), merged, and two outputs.</summary>
    private static (Functional Model, Dense Shared) Siamese()
    {
        var left = new Input(new long[] { 3 }, name: "left");
        var right = new Input(new long[] { 3 }, name: "right");
        var shared = new Dense(4, activation: "tanh", name: "shared");
        var l = shared.Call(left);
        var r = shared.Call(right);
        var merged = new Concatenate(name: "merged").Call(l, r);
        var distance = new Subtract(name: "diff").Call(l, r);
        var score = new Dense(1, name: "score").Call(merged);
        var magnitude = new Dense(2, name: "magnitude").Call(distance);
        return (new Functional(new[] { left, right }, new[] { score, magnitude }, name: "siamese"), shared);
    }

    [Fact]
    public void A_graph_with_a_shared_layer_two_inputs_and_two_outputs_computes_each_output()
    {
        var (model, shared) = Siamese();
        // Keras' map_graph order: by depth from the outputs, ties by first visit.
        Assert.Equal(new[] { "shared", "merged", "diff", "score", "magnitude" }, model.Layers.Select(l => l.Name));
        Assert.Equal(2, model.Inputs.Count);
        Assert.Equal(new long[] { -1, 2 }, model.Outputs[1].Shape);

        using var a = torch.randn(5, 3);
        using var b = torch.randn(5, 3);
        var outputs = model.Call(new[] { a, b });
        try
        {
            using var la = shared.Call(a);
            using var lb = shared.Call(b);
            using var merged = torch.cat(new[] { la, lb }, 1);
            using var expectedScore = model.GetLayer("score").Call(merged);
            using var diff = la.sub(lb);
            using var expectedMagnitude = model.GetLayer("magnitude").Call(diff);
            Assert.True(outputs[0].allclose(expectedScore));
            Assert.True(outputs[1].allclose(expectedMagnitude));
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
        using var single = torch.ones(2, 3);
        Assert.Contains("has 2 inputs and 2 outputs", Assert.Throws<KerasArgumentException>(() => model.Call(single)).Message);
        Assert.Contains("expects 2 input(s)", Assert.Throws<KerasArgumentException>(() => model.Call(new[] { a })).Message);
        using var wrong = torch.ones(5, 4);
        Assert.Contains("is incompatible", Assert.Throws<KerasArgumentException>(() => model.Call(new[] { a, wrong })).Message);
    }

    [Fact]
    public void Layers_are_ordered_by_depth_then_first_visit_as_Keras_so_weight_groups_get_Kerass_names()
    {
        var x = new Input(new long[] { 2 });
        var shallow = new Dense(1, name: "shallow").Call(x);
        var deep = new Dense(1, name: "c").Call(new Dense(2, name: "b").Call(new Dense(2, name: "a").Call(x)));
        var model = new Functional(new[] { x }, new[] { shallow, deep });
        Assert.Equal(new[] { "a", "b", "shallow", "c" }, model.Layers.Select(l => l.Name));
        string path = Path.Combine(KerasHome, "order.weights.h5");
        model.SaveWeights(path);
        using var file = H5File.OpenRead(path);
        Assert.Equal("shallow", file.Group("layers/dense_2/vars").Attribute("name").Read<string>());
    }

    [Fact]
    public void An_input_no_output_depends_on_is_accepted_with_a_warning()
    {
        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        var used = new Input(new long[] { 2 }, name: "used");
        var unused = new Input(new long[] { 3 }, name: "unused");
        var model = new Functional(new[] { used, unused }, new[] { new Dense(1).Call(used) });
        Assert.Contains("has inputs that no output depends on", warnings.ToString());
        Assert.Contains("name=unused", warnings.ToString());
        using var a = torch.ones(4, 2);
        using var b = torch.ones(4, 3);
        var outputs = model.Call(new[] { a, b });
        Assert.Equal(new long[] { 4, 1 }, outputs[0].shape);
        outputs[0].Dispose();
    }

    [Fact]
    public void Summary_lists_inputs_and_connections_for_a_graph_and_no_connections_for_a_chain()
    {
        var stdout = new StringWriter();
        Utilities.IoUtils.StdoutOverride = stdout;
        var (model, _) = Siamese();
        model.Summary();
        string text = stdout.ToString();
        Assert.Contains("Connected to", text);
        Assert.Contains("left (InputLayer)", text);
        Assert.Contains("shared[0][0], shared[1][0]", text); // the merge's two inputs: the shared layer's two calls
        Assert.Contains("left[0][0]", text);
        Assert.Contains("Total params: 35", text);        // shared 16 + score 9 + magnitude 10 (merges have none)

        stdout.GetStringBuilder().Clear();
        var input = new Input(new long[] { 3 }, name: "features");
        new Functional(input, new Dense(2, name: "out").Call(new Dense(4, name: "hidden").Call(input))).Summary();
        text = stdout.ToString();
        Assert.DoesNotContain("Connected to", text);
        Assert.Contains("features (InputLayer)", text);
        Assert.Contains("out (Dense)", text);
    }

    [Fact]
    public void A_graph_call_leaves_no_intermediate_tensor_behind()
    {
        var (model, _) = Siamese();
        using var a = torch.randn(5, 3);
        using var b = torch.randn(5, 3);
        foreach (var o in model.Call(new[] { a, b })) o.Dispose(); // warm-up
        // Every tensor made on this thread while the scope is open joins it unless disposed; finalizers of other tests'
        // garbage cannot change this count, as they change torch.Tensor.TotalCount.
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < 20; i++)
            foreach (var o in model.Call(new[] { a, b })) o.Dispose();
        Assert.Equal(0, scope.DisposablesCount);
    }

    [Fact]
    public void Graphs_round_trip_through_keras_files_and_json()
    {
        var (model, _) = Siamese();
        string path = Path.Combine(KerasHome, "siamese.keras");
        model.Save(path);
        var loaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        Assert.Equal(model.Layers.Select(l => l.Name), loaded.Layers.Select(l => l.Name));
        Assert.Equal(new[] { "left", "right" }, loaded.Inputs.Select(i => i.Name));
        using var a = torch.randn(4, 3);
        using var b = torch.randn(4, 3);
        var expected = model.Call(new[] { a, b });
        var actual = loaded.Call(new[] { a, b });
        for (int i = 0; i < 2; i++) Assert.True(expected[i].allclose(actual[i], rtol: 0, atol: 0));
        foreach (var t in expected.Concat(actual)) t.Dispose();

        var json = System.Text.Json.Nodes.JsonNode.Parse(model.ToJson())!;
        var shared = json["config"]!["layers"]!.AsArray().Single(l => (string?)l!["name"] == "shared")!;
        Assert.Equal(2, shared["inbound_nodes"]!.AsArray().Count); // one node per call, as Keras
        var merged = json["config"]!["layers"]!.AsArray().Single(l => (string?)l!["name"] == "merged")!;
        Assert.Equal("""["shared",1,0]""", merged["inbound_nodes"]![0]!["args"]![0]![1]!["config"]!["keras_history"]!.ToJsonString());
        Assert.Equal("""[["score",0,0],["magnitude",0,0]]""", json["config"]!["output_layers"]!.ToJsonString());
    }
}

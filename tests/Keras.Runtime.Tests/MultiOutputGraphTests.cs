using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' layer calls with several outputs in Functional graphs: an RNN's <c>return_state</c> states (keras_history
/// <c>[layer, node, tensor_index]</c>), <c>initial_state</c> taken from another call (the encoder-decoder pattern),
/// Bidirectional with <c>merge_mode=None</c>, and the mask ops Keras 3 saves for <c>mask_zero</c>.
/// </summary>
public class MultiOutputGraphTests : KerasTestBase
{
    private static float[] Values(torch.Tensor t) => t.to_type(torch.ScalarType.Float32).data<float>().ToArray();

    private static void AssertClose(torch.Tensor expected, torch.Tensor actual, double atol = 1e-6) =>
        Assert.True(expected.allclose(actual, rtol: 1e-5, atol: atol), $"expected {string.Join(", ", Values(expected))}\nactual   {string.Join(", ", Values(actual))}");

    private (Functional Model, LSTM Encoder, LSTM Decoder, Dense Head) Seq2Seq()
    {
        var encoderInput = new Input(new long[] { 5, 3 }, name: "encoder_input");
        var decoderInput = new Input(new long[] { 4, 2 }, name: "decoder_input");
        var encoder = new LSTM(4, returnState: true, name: "encoder");
        var encoded = encoder.CallAll(encoderInput); // output, h, c
        Assert.Equal(3, encoded.Length);
        var decoder = new LSTM(4, returnSequences: true, returnState: true, name: "decoder");
        var decoded = decoder.CallAll(decoderInput, new[] { encoded[1], encoded[2] });
        var head = new Dense(2, name: "head");
        var output = head.Call(decoded[0]);
        return (new Functional(new[] { encoderInput, decoderInput }, new[] { output }, name: "seq2seq"), encoder, decoder, head);
    }

    [Fact]
    public void An_encoder_LSTMs_return_state_states_start_the_decoder_LSTM_as_its_initial_state_in_Kerass_encoder_decoder_pattern()
    {
        var (model, encoder, decoder, head) = Seq2Seq();
        using var source = torch.randn(3, 5, 3);
        using var target = torch.randn(3, 4, 2);
        var graph = model.Predict(new[] { source, target });

        // The same calls made one by one on tensors: the encoder's final h and c are the decoder's initial states.
        var states = encoder.CallWithStates(source);
        var sequence = decoder.CallWithStates(target, null, null, new[] { states[1], states[2] });
        using var expected = head.Call(sequence[0]);
        AssertClose(expected, graph[0]);
        // Starting the decoder from zeros gives something else: the states really flow from the encoder.
        using var fromZeros = decoder.Call(target);
        using var headFromZeros = head.Call(fromZeros);
        Assert.False(headFromZeros.allclose(graph[0], rtol: 1e-3, atol: 1e-4));
        foreach (var t in states.Concat(sequence).Concat(graph)) t.Dispose();
    }

    [Fact]
    public void An_encoder_decoder_graph_saves_the_states_with_their_tensor_index_and_the_initial_state_kwarg_and_reloads()
    {
        var (model, _, _, _) = Seq2Seq();
        var config = JsonNode.Parse(model.ToJson())!["config"]!;
        var decoderEntry = config["layers"]!.AsArray().Single(l => (string?)l!["name"] == "decoder")!;
        var node = decoderEntry["inbound_nodes"]![0]!;
        Assert.Equal("decoder_input", (string?)node["args"]![0]!["config"]!["keras_history"]![0]);
        var initial = node["kwargs"]!["initial_state"]!.AsArray();
        Assert.Equal(new[] { "[\"encoder\",0,1]", "[\"encoder\",0,2]" }, initial.Select(s => s!["config"]!["keras_history"]!.ToJsonString()));
        Assert.Equal(new[] { "[\"head\",0,0]" }, config["output_layers"]!.AsArray().Select(o => o!.ToJsonString()));

        string path = Path.Combine(KerasHome, "seq2seq.keras");
        model.Save(path);
        var reloaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var source = torch.randn(2, 5, 3);
        using var target = torch.randn(2, 4, 2);
        var expected = model.Predict(new[] { source, target });
        var actual = reloaded.Predict(new[] { source, target });
        Assert.True(expected[0].allclose(actual[0], rtol: 0, atol: 0));
        foreach (var t in expected.Concat(actual)) t.Dispose();
    }

    [Fact]
    public void Training_an_encoder_decoder_graph_updates_the_encoder_through_the_states_it_hands_the_decoder()
    {
        var (model, encoder, _, _) = Seq2Seq();
        model.Compile(new Adam(0.05), new Losses.MeanSquaredError());
        using var source = torch.randn(16, 5, 3);
        using var target = torch.randn(16, 4, 2);
        using var y = torch.randn(16, 4, 2);
        var kernelBefore = encoder.TrainableWeights[0].ToArray<float>();
        var history = model.Fit(new[] { source, target }, new[] { y }, batchSize: 8, epochs: 20, verbose: 0);
        var losses = history.HistoryDict["loss"];
        Assert.True(losses[^1] < losses[0] * 0.9, $"loss {losses[0]} -> {losses[^1]}");
        // The encoder only reaches the loss through the decoder's initial states.
        Assert.NotEqual(kernelBefore, encoder.TrainableWeights[0].ToArray<float>());
    }

    [Fact]
    public void A_models_outputs_can_be_an_RNNs_states_and_a_GRUs_final_state_equals_its_last_output()
    {
        var x = new Input(new long[] { 6, 3 });
        var gru = new GRU(4, returnState: true, name: "gru");
        var outs = gru.CallAll(x);
        Assert.Equal(2, outs.Length);
        var model = new Functional(new[] { x }, outs, name: "states");
        var config = JsonNode.Parse(model.ToJson())!["config"]!;
        Assert.Equal("[[\"gru\",0,0],[\"gru\",0,1]]", config["output_layers"]!.ToJsonString());

        using var data = torch.randn(5, 6, 3);
        var result = model.Predict(new[] { data });
        // Keras' GRU: the returned state h is the output of the last step.
        Assert.True(result[0].allclose(result[1], rtol: 0, atol: 0));

        string path = Path.Combine(KerasHome, "states.keras");
        model.Save(path);
        var reloaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        var again = reloaded.Predict(new[] { data });
        Assert.True(result[1].allclose(again[1], rtol: 0, atol: 0));
        foreach (var t in result.Concat(again)) t.Dispose();
    }

    [Fact]
    public void A_layer_can_take_an_RNN_state_as_its_input_and_the_unused_outputs_of_a_call_leave_no_tensor_behind()
    {
        var x = new Input(new long[] { 6, 3 });
        var lstm = new LSTM(4, returnSequences: true, returnState: true, name: "lstm");
        var outs = lstm.CallAll(x);
        var head = new Dense(1, name: "head");
        var model = new Functional(x, head.Call(outs[2]), name: "from_cell_state"); // only c is used
        using var data = torch.randn(3, 6, 3);
        var states = lstm.CallWithStates(data);
        using var expected = head.Call(states[2]);
        using (var actual = model.Predict(data)) AssertClose(expected, actual);
        foreach (var t in states) t.Dispose();

        using (model.Call(data)) { } // warm-up
        // Every tensor made on this thread while the scope is open joins it unless disposed: an unreleased output of the
        // LSTM's call (the sequence or h, which nothing uses) would stay in it.
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < 5; i++)
            using (model.Call(data)) { }
        Assert.Equal(0, scope.DisposablesCount);
    }

    [Fact]
    public void Calling_a_return_state_RNN_with_Call_gives_its_output_and_the_graph_still_saves_every_output()
    {
        var x = new Input(new long[] { 6, 3 });
        var lstm = new LSTM(4, returnState: true, name: "lstm");
        var y = lstm.Call(x);
        Assert.Equal(new long[] { -1, 4 }, y.Shape);
        var model = new Functional(x, y, name: "first_output");
        using var data = torch.randn(2, 6, 3);
        using var expected = lstm.Call(data);
        using var actual = model.Predict(data);
        AssertClose(expected, actual);
        string path = Path.Combine(KerasHome, "first.keras");
        model.Save(path);
        using var again = Assert.IsType<Functional>(Saving.LoadModel(path)).Predict(data);
        Assert.True(actual.allclose(again, rtol: 0, atol: 0));
    }

    [Fact]
    public void Bidirectional_with_merge_mode_None_gives_the_forward_and_the_backward_outputs_in_a_graph()
    {
        var x = new Input(new long[] { 5, 3 });
        var bi = new Bidirectional(new LSTM(2, returnSequences: true), mergeMode: null, name: "bi");
        Assert.Contains("CallAll", Assert.Throws<KerasArgumentException>(() => bi.Call(x)).Message);
        var both = bi.CallAll(x);
        Assert.Equal(2, both.Length);
        var joined = new Concatenate().Call(both[0], both[1]);
        var model = new Functional(x, joined, name: "unmerged");

        using var data = torch.randn(3, 5, 3);
        var eager = bi.CallAll(data);
        using var expected = torch.cat(new[] { eager[0], eager[1] }, -1);
        using (var actual = model.Predict(data)) AssertClose(expected, actual);
        // Keras' backward output is flipped back to input order: its first step saw the whole reversed sequence.
        using var reversed = bi.Backward.Call(data);
        AssertClose(reversed.flip(1), eager[1]);

        string path = Path.Combine(KerasHome, "unmerged.keras");
        model.Save(path);
        var reloaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var again = reloaded.Predict(data);
        AssertClose(expected, again);
        foreach (var t in eager) t.Dispose();
    }

    [Fact]
    public void Bidirectional_with_return_state_gives_the_merged_output_then_the_forward_and_backward_states()
    {
        var x = new Input(new long[] { 5, 3 });
        var bi = new Bidirectional(new LSTM(2, returnState: true), name: "bi");
        var outs = bi.CallAll(x);
        Assert.Equal(5, outs.Length); // concat, forward h, c, backward h, c
        Assert.Equal(new long[] { -1, 4 }, outs[0].Shape);
        var model = new Functional(new[] { x }, new[] { outs[0], outs[3] }, name: "bi_states");
        using var data = torch.randn(2, 5, 3);
        var result = model.Predict(new[] { data });
        // Without return_sequences the forward half of the output is the forward h and the backward half the backward h.
        AssertClose(result[0].narrow(1, 2, 2), result[1]);
        string path = Path.Combine(KerasHome, "bi_states.keras");
        model.Save(path);
        var again = Assert.IsType<Functional>(Saving.LoadModel(path)).Predict(new[] { data });
        Assert.True(result[1].allclose(again[1], rtol: 0, atol: 0));
        foreach (var t in result.Concat(again)) t.Dispose();
    }

    [Fact]
    public void An_RNN_given_initial_states_in_a_graph_runs_without_the_sequence_mask_because_Keras_fills_mask_only_for_one_tensor_argument()
    {
        var tokens = new Input(new long[] { 4 });
        var h0 = new Input(new long[] { 3 });
        var embedding = new Embedding(6, 2, maskZero: true, name: "embedding");
        var embedded = embedding.Call(tokens);
        var gru = new GRU(3, name: "gru");
        var withState = gru.CallAll(embedded, new[] { h0 })[0];
        var model = new Functional(new[] { tokens, h0 }, new[] { withState }, name: "initial_state_unmasked");
        using var ids = torch.tensor(new float[] { 1, 2, 0, 0, 3, 0, 0, 0 }, new long[] { 2, 4 });
        using var start = torch.randn(2, 3);
        var graph = model.Predict(new[] { ids, start });
        using var vectors = embedding.Call(ids);
        var unmasked = gru.CallWithStates(vectors, null, null, new[] { start });
        AssertClose(unmasked[0], graph[0]);
        foreach (var t in unmasked.Concat(graph)) t.Dispose();
    }

    [Fact]
    public void A_Keras_3_file_whose_LSTM_gets_its_mask_from_a_saved_NotEqual_op_on_the_token_ids_loads_and_skips_the_padding()
    {
        // Keras 3 computes Embedding's mask_zero mask symbolically as not_equal(tokens, 0): the file holds a NotEqual op
        // node, and the LSTM's node passes its output as the `mask` keyword argument.
        var tokens = new Input(new long[] { 4 }, name: "tokens");
        var embedding = new Embedding(6, 3, maskZero: true, name: "embedding");
        var lstm = new LSTM(2, name: "lstm");
        var built = new Functional(tokens, lstm.Call(embedding.Call(tokens)), name: "masked");
        string saved = Path.Combine(KerasHome, "built.keras");
        built.Save(saved);
        var config = JsonNode.Parse(ArchiveEntry(saved, "config.json"))!;
        var layers = config["config"]!["layers"]!.AsArray();
        JsonNode Tensor(string layer, string dtype) => new JsonObject
        {
            ["class_name"] = "__keras_tensor__",
            ["config"] = new JsonObject { ["shape"] = new JsonArray(null, 4), ["dtype"] = dtype, ["keras_history"] = new JsonArray(layer, 0, 0) },
        };
        layers.Insert(2, new JsonObject
        {
            ["module"] = "keras.src.ops.numpy", ["class_name"] = "NotEqual", ["config"] = new JsonObject { ["name"] = "not_equal" },
            ["registered_name"] = "NotEqual", ["name"] = "not_equal",
            ["inbound_nodes"] = new JsonArray(new JsonObject { ["args"] = new JsonArray(Tensor("tokens", "float32"), 0), ["kwargs"] = new JsonObject() }),
        });
        var lstmNode = layers.Single(l => (string?)l!["name"] == "lstm")!["inbound_nodes"]![0]!;
        lstmNode["kwargs"] = new JsonObject { ["training"] = null, ["mask"] = Tensor("not_equal", "bool") };
        string path = Path.Combine(KerasHome, "not_equal.keras");
        File.WriteAllBytes(path, Hostile.ZipBuilder.Keras(config.ToJsonString(), ArchiveEntry(saved, "model.weights.h5")).Build());

        var model = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var padded = torch.tensor(new float[] { 1, 2, 0, 0, 3, 4, 5, 0 }, new long[] { 2, 4 });
        using var y = model.Predict(padded);
        // Masked steps are skipped: each row's output is the LSTM run on its kept tokens alone.
        var loadedEmbedding = (Embedding)model.Layers.Single(l => l.Name == "embedding");
        var loadedLstm = (LSTM)model.Layers.Single(l => l.Name == "lstm");
        using var first = torch.tensor(new float[] { 1, 2 }, new long[] { 1, 2 });
        using var second = torch.tensor(new float[] { 3, 4, 5 }, new long[] { 1, 3 });
        using var e1 = loadedEmbedding.Call(first);
        using var e2 = loadedEmbedding.Call(second);
        using var y1 = loadedLstm.Call(e1);
        using var y2 = loadedLstm.Call(e2);
        using var expected = torch.cat(new[] { y1, y2 }, 0);
        AssertClose(expected, y);
        using var original = built.Predict(padded);
        AssertClose(original, y);
    }

    [Fact]
    public void Keras_mask_ops_compare_and_reduce_to_booleans()
    {
        var x = new Input(new long[] { 2, 3 });
        var mask = new Ops.Any(new[] { -1 }).Call(new Ops.NotEqual().Call(x, 0.0));
        Assert.Equal("bool", mask.Dtype);
        Assert.Equal(new long[] { -1, 2 }, mask.Shape);
        var all = new Ops.All().Call(new Ops.Equal().Call(x, 1.0));
        Assert.Equal(new long[0], all.Shape);
        var model = new Functional(new[] { x }, new[] { mask, all }, name: "masks");
        using var data = torch.tensor(new float[] { 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1 }, new long[] { 2, 2, 3 });
        var result = model.Call(new[] { data });
        Assert.Equal(torch.ScalarType.Bool, result[0].dtype);
        Assert.Equal(new[] { false, true, true, true }, result[0].data<bool>().ToArray());
        Assert.False(result[1].item<bool>()); // not every value is 1
        foreach (var t in result) t.Dispose();
    }

    [Fact]
    public void A_reference_to_an_output_a_call_does_not_give_is_a_config_error_naming_the_reference()
    {
        var x = new Input(new long[] { 3 }, name: "x");
        var model = new Functional(x, new Dense(2, name: "dense").Call(x), name: "single");
        string saved = Path.Combine(KerasHome, "single.keras");
        model.Save(saved);
        var config = JsonNode.Parse(ArchiveEntry(saved, "config.json"))!;
        config["config"]!["output_layers"] = JsonNode.Parse("[[\"dense\", 0, 1]]");
        string path = Path.Combine(KerasHome, "bad_index.keras");
        File.WriteAllBytes(path, Hostile.ZipBuilder.Keras(config.ToJsonString(), ArchiveEntry(saved, "model.weights.h5")).Build());
        var error = Assert.Throws<KerasConfigException>(() => Saving.LoadModel(path));
        Assert.Contains("[\"dense\", 0, 1]", error.Message);
        Assert.Contains("gives 1 output", error.Message);
    }
}

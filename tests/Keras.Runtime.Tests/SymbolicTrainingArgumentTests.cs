using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' symbolic call argument <c>training</c> (the fine-tuning guide's <c>base_model(inputs, training=False)</c>):
/// recorded in the graph, honoured when the graph runs, written to and read from the node's kwargs as Keras does.
/// </summary>
public class SymbolicTrainingArgumentTests : KerasTestBase
{
    private static (Functional Model, BatchNormalization Norm) FineTuningModel(bool? training)
    {
        var norm = new BatchNormalization(momentum: 0.5, name: "norm");
        var baseModel = new Sequential(new Layer[] { new Dense(3, name: "features"), norm }, name: "base");
        var inputs = new Input(new long[] { 2 });
        var features = baseModel.Call(inputs, training: training);
        var outputs = new Dense(1, name: "head").Call(features);
        return (new Functional(inputs, outputs), norm);
    }

    private static float[] MovingMean(BatchNormalization norm) => norm.MovingMean!.Value.data<float>().ToArray();

    [Fact]
    public void A_nested_model_called_with_training_false_keeps_its_batchnorm_statistics_during_fit()
    {
        var (model, norm) = FineTuningModel(training: false);
        model.Compile("sgd", "mse");
        using var x = torch.rand(16, 2).add_(1.0f);
        using var y = torch.rand(16, 1);
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0);
        // Inference mode: BatchNormalization never updates its moving mean (it stays at its zeros initializer).
        Assert.All(MovingMean(norm), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Without_training_the_nested_model_follows_fit_and_updates_its_statistics()
    {
        var (model, norm) = FineTuningModel(training: null);
        model.Compile("sgd", "mse");
        using var x = torch.rand(16, 2).add_(1.0f);
        using var y = torch.rand(16, 1);
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0);
        Assert.Contains(MovingMean(norm), v => v != 0f);
    }

    [Fact]
    public void The_call_records_training_and_a_call_without_it_records_none()
    {
        var inputs = new Input(new long[] { 2 });
        Assert.False(new Dense(2).Call(inputs, training: false).CallTraining);
        Assert.True(new Dropout(0.5).Call(inputs, training: true).CallTraining);
        Assert.Null(new Dense(2).Call(inputs).CallTraining);
    }

    [Fact]
    public void Training_is_saved_in_the_node_kwargs_as_keras_writes_it_and_read_back()
    {
        var (model, _) = FineTuningModel(training: false);
        var json = System.Text.Json.Nodes.JsonNode.Parse(model.ToJson())!;
        var layers = json["config"]!["layers"]!.AsArray();
        var baseEntry = layers.Single(l => (string?)l!["name"] == "base")!;
        Assert.Equal("""{"training":false}""", baseEntry["inbound_nodes"]![0]!["kwargs"]!.ToJsonString());
        var head = layers.Single(l => (string?)l!["name"] == "head")!;
        Assert.Equal("{}", head["inbound_nodes"]![0]!["kwargs"]!.ToJsonString()); // no training given: no kwarg, as Keras

        string path = Path.Combine(KerasHome, "finetune.keras");
        model.Save(path);
        var loaded = Assert.IsType<Functional>(Saving.LoadModel(path, compile: false));
        var loadedNorm = (BatchNormalization)((Sequential)loaded.Layers.Single(l => l.Name == "base")).Layers.Single(l => l.Name == "norm");
        loaded.Compile("sgd", "mse");
        using var x = torch.rand(16, 2).add_(1.0f);
        using var y = torch.rand(16, 1);
        loaded.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        Assert.All(MovingMean(loadedNorm), v => Assert.Equal(0f, v));
        var reloaded = System.Text.Json.Nodes.JsonNode.Parse(loaded.ToJson())!["config"]!["layers"]!.AsArray().Single(l => (string?)l!["name"] == "base")!;
        Assert.Equal("""{"training":false}""", reloaded["inbound_nodes"]![0]!["kwargs"]!.ToJsonString());
    }

    [Fact]
    public void A_keras_file_node_with_training_true_runs_that_layer_in_training_mode_at_predict()
    {
        // Dropout(rate 1) called with training=True drops everything even in Predict (Keras honours the call argument).
        var inputs = new Input(new long[] { 3 });
        var outputs = new Dropout(1.0, name: "drop").Call(inputs, training: true);
        var model = new Functional(inputs, outputs);
        string path = Path.Combine(KerasHome, "drop.keras");
        model.Save(path);
        var loaded = Saving.LoadModel(path, compile: false);
        using var x = torch.ones(2, 3);
        using var p = loaded.Predict(x);
        Assert.All(p.data<float>().ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Attention_layers_called_on_several_tensors_take_training_keep_it_in_the_node_and_reload_it()
    {
        var query = new Input(new long[] { 4, 8 });
        var value = new Input(new long[] { 5, 8 });
        var mha = new MultiHeadAttention(2, 4, dropout: 0.5, seed: 3, name: "mha");
        var attention = new Attention(dropout: 0.9, seed: 4, name: "attention");
        var crossed = mha.Call(query, value, training: true);   // dropout even in inference
        var scored = attention.Call(new[] { crossed, value }, training: false); // never dropout
        var model = new Functional(new[] { query, value }, new[] { scored }, name: "attend");
        var layers = System.Text.Json.Nodes.JsonNode.Parse(model.ToJson())!["config"]!["layers"]!.AsArray();
        Assert.True((bool)layers.Single(l => (string?)l!["name"] == "mha")!["inbound_nodes"]![0]!["kwargs"]!["training"]!);
        Assert.False((bool)layers.Single(l => (string?)l!["name"] == "attention")!["inbound_nodes"]![0]!["kwargs"]!["training"]!);

        string path = Path.Combine(KerasHome, "attend.keras");
        model.Save(path);
        var loaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var q = torch.randn(2, 4, 8);
        using var v = torch.randn(2, 5, 8);
        foreach (var m in new[] { model, loaded })
        {
            // Inference runs the attention in training mode as recorded: two predictions differ (fresh dropout masks).
            var first = m.Predict(new[] { q, v });
            var second = m.Predict(new[] { q, v });
            Assert.False(first[0].allclose(second[0]), m.Name + ": the recorded training=True keeps MultiHeadAttention's dropout on");
            foreach (var t in first.Concat(second)) t.Dispose();
        }
    }
}

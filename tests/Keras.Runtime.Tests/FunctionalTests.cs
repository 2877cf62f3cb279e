using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>The Functional API and feature extraction from intermediate layers (Keras FAQ).</summary>
public class FunctionalTests : KerasTestBase
{
    [Fact]
    public void Input_to_layer_calls_to_model_trains_like_keras()
    {
        var inputs = new Input(new long[] { 4 });
        var hidden = new Dense(8, activation: "relu", name: "hidden").Call(inputs);
        var outputs = new Dense(1, name: "out").Call(hidden);
        var model = new Functional(inputs, outputs);
        Assert.Equal("functional", model.Name);
        Assert.Equal(new[] { "hidden", "out" }, model.Layers.Select(l => l.Name));
        Assert.Equal(new long[] { -1, 1 }, model.ComputeOutputShape(new long[] { -1, 4 }));

        using var x = torch.rand(64, 4);
        using var y = x.sum(new long[] { 1 }, keepdim: true);
        model.Compile("adam", "mse");
        var history = model.Fit(x, y, epochs: 30, verbose: 0);
        Assert.True(history.HistoryDict["loss"][^1] < history.HistoryDict["loss"][0]);
    }

    [Fact]
    public void A_feature_extractor_from_an_intermediate_layer_shares_the_weights()
    {
        var inputs = new Input(new long[] { 3 });
        var features = new Dense(5, activation: "relu", name: "features").Call(inputs);
        var outputs = new Dense(2, name: "head").Call(features);
        var model = new Functional(inputs, outputs);
        var extractor = new Functional(model.InputTensor, model.Layers[0].Output!);

        Assert.Same(model.Layers[0], extractor.Layers.Single());
        Assert.True(Backend.IsKerasTensor(model.Layers[0].Output));
        Assert.Same(inputs, model.Layers[0].Input);
        using var x = torch.rand(4, 3);
        using var direct = model.Layers[0].Call(x);
        using var extracted = extractor.Predict(x);
        Assert.True(direct.allclose(extracted));
        extractor.Dispose(); // does not release the shared layers
        using var again = model.Predict(x);
        Assert.Equal(new long[] { 4, 2 }, again.shape);
    }

    [Fact]
    public void Duplicate_layer_names_are_rejected_with_kerass_message()
    {
        var inputs = new Input(new long[] { 2 });
        var a = new Dense(2, name: "same").Call(inputs);
        var b = new Dense(2, name: "same").Call(a);
        var e = Assert.Throws<KerasArgumentException>(() => new Functional(inputs, b));
        Assert.Equal("The name \"same\" is used 2 times in the model. All operation names should be unique.", e.Message);
    }

    [Fact]
    public void Outputs_not_computed_from_the_inputs_are_rejected()
    {
        var inputs = new Input(new long[] { 2 });
        var other = new Input(new long[] { 2 });
        var outputs = new Dense(1).Call(other);
        Assert.Contains("Graph disconnected", Assert.Throws<KerasArgumentException>(() => new Functional(inputs, outputs)).Message);
        Assert.Null(new Dense(1).Output);
    }
}

using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Subclassed models: layers as members, a custom call, an overridden train step (Keras FAQ "custom fit").</summary>
public class SubclassingTests : KerasTestBase
{
    private sealed class Residual : Model
    {
        private readonly Dense _hidden;
        private readonly Dense _out;

        public Residual()
        {
            _hidden = Track(new Dense(8, activation: "relu"));
            _out = Track(new Dense(1));
        }

        public int TrainSteps { get; private set; }

        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training)
        {
            using var h = _hidden.Call(inputs, training);
            using var o = _out.Call(h, training);
            using var skip = inputs.sum(new long[] { 1 }, keepdim: true);
            return o.add(skip);
        }

        protected override Dictionary<string, double> TrainStep(torch.Tensor x, torch.Tensor y)
        {
            TrainSteps++;
            return base.TrainStep(x, y);
        }
    }

    [Fact]
    public void A_subclassed_model_tracks_its_layers_builds_on_the_first_batch_and_trains_with_its_own_train_step()
    {
        var model = new Residual();
        Assert.Equal("residual", model.Name);
        Assert.Equal(2, model.Layers.Count);
        Assert.Empty(model.Weights);

        using var x = torch.rand(64, 3);
        using var y = x.mul(2).sum(new long[] { 1 }, keepdim: true);
        model.Compile(new Adam(0.01), new MeanSquaredError());
        var history = model.Fit(x, y, batchSize: 16, epochs: 20, verbose: 0);

        Assert.Equal(4, model.Weights.Count);
        Assert.Equal(4 * 20, model.TrainSteps);
        Assert.True(history.HistoryDict["loss"][^1] < history.HistoryDict["loss"][0] / 2);
        model.Trainable = false;
        Assert.All(model.Layers, l => Assert.False(l.Trainable));
    }
}

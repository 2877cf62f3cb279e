using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>keras.callbacks.SwapEMAWeights (keras/src/callbacks/swap_ema_weights.py).</summary>
public class SwapEMAWeightsTests : KerasTestBase
{
    private static (Sequential Model, Optimizer Optimizer, torch.Tensor X, torch.Tensor Y) Problem(Optimizer optimizer)
    {
        Utils.SetRandomSeed(31);
        var model = new Sequential(new Layer[] { new Dense(2) });
        model.Build(new long[] { -1, 3 });
        model.Compile(optimizer, new Losses.MeanSquaredError());
        using var g = new torch.Generator(3);
        return (model, optimizer, torch.randn(new long[] { 8, 3 }, generator: g), torch.randn(new long[] { 8, 2 }, generator: g));
    }

    private static float[][] Weights(Model m) => m.TrainableWeights.Select(w => w.ToArray<float>()).ToArray();

    private static float[][] Averages(Optimizer o) => o.MovingAverages!.Select(a => a.data<float>().ToArray()).ToArray();

    [Fact]
    public void Evaluation_runs_with_the_ema_weights_and_the_training_weights_come_back_after()
    {
        var (model, optimizer, x, y) = Problem(new SGD(0.1, useEma: true, emaMomentum: 0.5));
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false); // Fit ends with the EMA in the weights (finalize)
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        // Move the weights away from the averages so the swap is visible.
        using (torch.no_grad()) model.TrainableWeights[0].Value.add_(1.0);
        var training = Weights(model);
        var averages = Averages(optimizer);
        Assert.NotEqual(training, averages);

        var withEma = new Sequential(new Layer[] { new Dense(2) });
        withEma.Build(new long[] { -1, 3 });
        for (int i = 0; i < averages.Length; i++)
            using (var t = torch.tensor(averages[i], withEma.TrainableWeights[i].Shape)) withEma.TrainableWeights[i].Assign(t);
        withEma.Compile(new SGD(), new Losses.MeanSquaredError());
        var expected = withEma.Evaluate(x, y, verbose: 0)["loss"];

        var logs = model.Evaluate(x, y, verbose: 0, callbacks: new[] { new SwapEMAWeights() });
        Assert.Equal(expected, logs["loss"], 6);
        Assert.Equal(training, Weights(model));
        Assert.Equal(averages, Averages(optimizer));
    }

    [Fact]
    public void Fits_validation_sees_the_ema_weights_through_the_callbacks_test_hooks()
    {
        var (model, optimizer, x, y) = Problem(new SGD(0.1, useEma: true, emaMomentum: 0.9));
        var seen = new List<float[][]>();
        var probe = new Probe(() => seen.Add(Weights(model)));
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false, validationData: (x, y), callbacks: new Callback[] { new SwapEMAWeights(), probe });
        Assert.Single(seen);
        // After Fit the weights are the averages (finalize_variable_values), which is what validation evaluated.
        Assert.Equal(Weights(model), seen[0]);
        Assert.Equal(Averages(optimizer), Weights(model));
    }

    private sealed class Probe : Callback
    {
        private readonly Action _onTestBegin;
        public Probe(Action onTestBegin) => _onTestBegin = onTestBegin;
        public override void OnTestBegin(IReadOnlyDictionary<string, double>? logs = null) => _onTestBegin();
    }

    [Fact]
    public void Swap_on_epoch_puts_the_ema_weights_in_the_model_at_each_epoch_end_and_keeps_them_after_the_last()
    {
        var (model, optimizer, x, y) = Problem(new Adam(0.05, useEma: true, emaMomentum: 0.8));
        var atEpochEnd = new List<float[][]>();
        var averagesAtEpochEnd = new List<float[][]>();
        var lambda = new LambdaCallback(onEpochEnd: (_, _) => { atEpochEnd.Add(Weights(model)); });
        var reference = new LambdaCallback(onTrainBatchEnd: (_, _) => averagesAtEpochEnd.Add(Averages(optimizer)));
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false, callbacks: new Callback[] { reference, new SwapEMAWeights(swapOnEpoch: true), lambda });
        // At each epoch end (after the swap) the model holds the averages computed by the last batch of that epoch.
        Assert.Equal(averagesAtEpochEnd[1], atEpochEnd[0]);
        Assert.Equal(averagesAtEpochEnd[3], atEpochEnd[1]);
        Assert.Equal(averagesAtEpochEnd[3], Weights(model));
    }

    [Fact]
    public void Without_use_ema_it_fails_with_kerass_message()
    {
        var (model, _, x, y) = Problem(new SGD(0.1));
        model.Fit(x, y, epochs: 1, verbose: 0);
        Assert.StartsWith("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. Received: use_ema=False",
            Assert.Throws<KerasArgumentException>(() => model.Evaluate(x, y, verbose: 0, callbacks: new[] { new SwapEMAWeights() })).Message);
    }

    [Fact]
    public void With_a_loss_scale_optimizer_it_uses_the_inner_optimizers_averages()
    {
        var inner = new SGD(0.1, useEma: true, emaMomentum: 0.5);
        var (model, _, x, y) = Problem(new LossScaleOptimizer(inner, initialScale: 4));
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        using (torch.no_grad()) model.TrainableWeights[1].Value.add_(3.0);
        var training = Weights(model);
        model.Evaluate(x, y, verbose: 0, callbacks: new[] { new SwapEMAWeights() });
        Assert.Equal(training, Weights(model));
    }
}

using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' MeanMetricWrapper.update_state applies the predictions' mask (apply_mask with reduction "sum"): a masked
/// sequence model's accuracy counts the unmasked steps only; confusion-matrix metrics ignore the mask, as in Keras.
/// </summary>
public class MaskedMetricTests : KerasTestBase
{
    [Fact]
    public void Accuracy_of_a_masked_sequence_model_counts_only_the_unmasked_steps()
    {
        Utils.SetRandomSeed(9);
        var model = new Sequential(new Layer[] { new Embedding(6, 4, maskZero: true), new Dense(3) });
        model.Compile(new Keras.Optimizers.Adam(), new SparseCategoricalCrossentropy(fromLogits: true), new[] { Keras.Metrics.Metric.Get("accuracy") });
        using var ids = torch.tensor(new long[] { 1, 2, 3, 0, 0, 4, 5, 0, 0, 0 }).reshape(2, 5); // 5 of 10 steps are padding
        using var logits = model.Predict(ids);
        var predicted = logits.argmax(-1).data<long>().ToArray();
        var idValues = ids.data<long>().ToArray();
        // Labels: right at steps 0 and 5 only among the unmasked steps, and right at every padded step (which must not count).
        var labels = new long[10];
        for (int i = 0; i < 10; i++)
            labels[i] = idValues[i] == 0 || i == 0 || i == 5 ? predicted[i] : (predicted[i] + 1) % 3;
        using var y = torch.tensor(labels).reshape(2, 5);
        var logs = model.Evaluate(ids, y, verbose: 0);
        // Unmasked steps: 0, 1, 2 (sample 0) and 5, 6 (sample 1); correct among them: 0 and 5.
        Assert.Equal(2.0 / 5.0, logs["accuracy"], 6);
    }

    [Fact]
    public void Sample_weights_and_the_mask_multiply_in_a_weighted_metric()
    {
        var metric = new Keras.Metrics.MeanSquaredError();
        using var yTrue = torch.zeros(2, 3, 1);
        using var yPred = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3, 1);
        using var mask = torch.tensor(new[] { true, true, false, true, false, false }).reshape(2, 3);
        using var weights = torch.tensor(new float[] { 1, 3 });
        metric.UpdateState(yTrue, yPred, weights, mask);
        // Per step squared errors 1, 4, (9), 16, (25), (36); per-sample means of value·weight over the 3 steps and of the
        // weights: sample 0 (1 + 4)/3 and 2/3, sample 1 3·16/3 and 3/3: (5/3 + 16) / (2/3 + 1).
        Assert.Equal((5.0 / 3 + 16) / (2.0 / 3 + 1), metric.Result(), 5);
    }

    [Fact]
    public void A_masked_loss_with_per_sample_weights_spreads_each_weight_over_its_sample_steps()
    {
        // Values (2 samples, 3 steps), 3 of 6 steps kept; Keras' apply_mask scales the kept steps by 6/3, then each sample's
        // weight covers its row: weights [[2, 2, 0], [6, 0, 0]], sum of weighted values 2 + 4 + 24 = 30, over 6 values: 5.
        using var values = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        using var mask = torch.tensor(new[] { true, true, false, true, false, false }).reshape(2, 3);
        using var weights = torch.tensor(new float[] { 1, 3 });
        using var loss = Loss.Reduce(values.clone(), weights, mask, "sum_over_batch_size");
        Assert.Equal(5.0, loss.item<float>(), 5);
    }
}

using Keras.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Keras.Runtime.Tests;

/// <summary>
/// Unweighted "sum_over_batch_size" losses may run as one fused kernel (mean squared error, sparse cross-entropy from
/// logits): the value must be Keras' definition, the mean of the per-sample values, computed here by hand in doubles.
/// </summary>
public class FusedLossTests : KerasTestBase
{
    [Fact]
    public void Mean_squared_error_without_weights_is_the_mean_of_the_per_row_means()
    {
        float[] t = { 0.5f, -1f, 2f, 0f, 1f, 3f }, p = { 1f, -1.5f, 0f, 0.25f, 1f, 2f };
        using var yTrue = torch.tensor(t).reshape(3, 2);
        using var yPred = torch.tensor(p).reshape(3, 2);
        double expected = 0;
        for (int r = 0; r < 3; r++)
            expected += ((t[2 * r] - p[2 * r]) * (t[2 * r] - p[2 * r]) + (t[2 * r + 1] - p[2 * r + 1]) * (t[2 * r + 1] - p[2 * r + 1])) / 2.0 / 3;
        using var value = new MeanSquaredError().Call(yTrue, yPred);
        Assert.Equal(expected, value.item<float>(), 5);
        // The weighted path (ones) gives the same value; "sum" keeps summing the row means.
        using var ones = torch.ones(3);
        using var weighted = new MeanSquaredError().Call(yTrue, yPred, ones);
        Assert.Equal(expected, weighted.item<float>(), 5);
        using var sum = new MeanSquaredError(reduction: "sum").Call(yTrue, yPred);
        Assert.Equal(expected * 3, sum.item<float>(), 4);
    }

    [Fact]
    public void Mean_squared_error_with_a_rank_1_target_still_matches_ranks_as_Keras_does()
    {
        using var yTrue = torch.tensor(new float[] { 1, 2, 3 });
        using var yPred = torch.tensor(new float[] { 1.5f, 2, 2 }).reshape(3, 1);
        using var value = new MeanSquaredError().Call(yTrue, yPred);
        Assert.Equal((0.25 + 0 + 1) / 3, value.item<float>(), 5);
    }

    [Fact]
    public void Sparse_cross_entropy_from_logits_without_weights_is_the_mean_negative_log_softmax_of_the_label()
    {
        float[,] logits = { { 2f, -1f, 0.5f }, { 0f, 0f, 0f }, { -3f, 4f, 1f }, { 1f, 2f, 3f } };
        long[] labels = { 0, 2, 1, 0 };
        double expected = 0;
        for (int r = 0; r < 4; r++)
        {
            double max = Math.Max(logits[r, 0], Math.Max(logits[r, 1], logits[r, 2]));
            double z = 0;
            for (int c = 0; c < 3; c++) z += Math.Exp(logits[r, c] - max);
            expected += -(logits[r, labels[r]] - max - Math.Log(z)) / 4;
        }
        using var yPred = torch.tensor(logits);
        using var yTrue = torch.tensor(labels);
        using var value = new SparseCategoricalCrossentropy(fromLogits: true).Call(yTrue, yPred);
        Assert.Equal(expected, value.item<float>(), 5);
        using var column = yTrue.reshape(4, 1).to_type(ScalarType.Float32); // (batch, 1) float labels, as Keras accepts
        using var fromColumn = new SparseCategoricalCrossentropy(fromLogits: true).Call(column, yPred);
        Assert.Equal(expected, fromColumn.item<float>(), 5);
        using var ones = torch.ones(4);
        using var weighted = new SparseCategoricalCrossentropy(fromLogits: true).Call(yTrue, yPred, ones);
        Assert.Equal(expected, weighted.item<float>(), 5);
        // ignore_class keeps Keras' masked mean over the other samples.
        using var ignored = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: 2).Call(yTrue, yPred);
        double kept = 0;
        for (int r = 0; r < 4; r++)
        {
            if (labels[r] == 2) continue;
            double max = Math.Max(logits[r, 0], Math.Max(logits[r, 1], logits[r, 2]));
            double z = 0;
            for (int c = 0; c < 3; c++) z += Math.Exp(logits[r, c] - max);
            kept += -(logits[r, labels[r]] - max - Math.Log(z)) / 3;
        }
        Assert.Equal(kept, ignored.item<float>(), 5);
    }

    [Fact]
    public void Fused_losses_give_the_same_gradients_as_the_per_sample_path()
    {
        using var logits = torch.randn(5, 4, requires_grad: true);
        using var labels = torch.tensor(new long[] { 3, 0, 1, 1, 2 });
        using (var fused = new SparseCategoricalCrossentropy(fromLogits: true).Call(labels, logits)) fused.backward();
        using var gradFused = logits.grad!.clone();
        logits.grad = null;
        using (var ones = torch.ones(5))
        using (var general = new SparseCategoricalCrossentropy(fromLogits: true).Call(labels, logits, ones)) general.backward();
        Assert.True(gradFused.allclose(logits.grad!, rtol: 1e-5, atol: 1e-6));
    }
}

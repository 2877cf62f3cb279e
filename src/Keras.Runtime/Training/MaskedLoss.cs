using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>
    /// Keras' masked losses: a model whose output carries a mask (Embedding(mask_zero=True), Masking, propagated through
    /// recurrent layers with return_sequences) trains and evaluates on the unmasked steps only. As Keras' <c>apply_mask</c>
    /// does, the mask becomes sample weights <c>mask · total / (valid + ε)</c>, so "sum_over_batch_size" averages over the
    /// valid steps and "sum" sums them.
    /// </summary>
    public abstract partial class Model
    {
        /// <summary>The forward pass of a training or test step, with the mask Keras attaches to <c>y_pred</c> (caller owns both).</summary>
        private Tensor ForwardWithMask(Tensor x, bool training, out Tensor? mask) => CallInternal(x, null, training, true, out mask);

        /// <summary>The compiled loss of <paramref name="yPred"/> against <paramref name="y"/>, ignoring the masked steps.</summary>
        private static Tensor MaskedLossValue(Losses.Loss loss, Tensor y, Tensor yPred, Tensor? mask)
        {
            if (mask is null) return loss.Call(y, yPred);
            using var values = loss.PerSampleValues(y, yPred);
            if (!System.Linq.Enumerable.SequenceEqual(values.shape, mask.shape))
                throw new KerasArgumentException(
                    $"The loss '{loss.Name}' gives values of shape {Shape(values.shape)} but the model's output carries a mask of shape {Shape(mask.shape)}; " +
                    "a masked output needs a loss per masked step (for example y_pred of shape (batch, time, units) with a mask (batch, time)).");
            using var weights = mask.to_type(values.dtype);
            if (loss.Reduction is "sum_over_batch_size" or "mean")
            {
                double total = values.numel();
                using var valid = weights.sum();
                using var denominator = valid.add(Config.Epsilon());
                using var scaled = weights.mul(total);
                using var normalized = scaled.div(denominator);
                using var weighted = values.mul(normalized);
                return weighted.numel() == 0 ? torch.zeros(System.Array.Empty<long>(), values.dtype, values.device) : weighted.mean();
            }
            using var kept = values.mul(weights);
            return loss.Reduction == "sum" ? kept.sum() : kept.alias();
        }

        private static string Shape(long[] shape) => "(" + string.Join(", ", shape) + ")";
    }
}

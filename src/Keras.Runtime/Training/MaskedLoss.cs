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
        private Tensor ForwardWithMask(Tensor[] x, bool training, out Tensor? mask)
        {
            if (x.Length == 1) return CallInternal(x[0], null, training, true, out mask);
            mask = null; // a model with several inputs and one output: its graph call
            return CallAll(x, training)[0];
        }

        /// <summary>
        /// The compiled loss of <paramref name="yPred"/> against <paramref name="y"/> with <paramref name="sampleWeight"/>,
        /// ignoring the masked steps: the output's mask joins the loss' own mask (ignore_class) in Keras' reduction.
        /// </summary>
        private static Tensor MaskedLossValue(Keras.Losses.Loss loss, Tensor y, Tensor yPred, Tensor? mask, Tensor? sampleWeight)
        {
            if (mask is null) return loss.Call(y, yPred, sampleWeight);
            var values = loss.Unreduced(y, yPred, out var lossMask);
            using (lossMask)
            {
                if (!System.Linq.Enumerable.SequenceEqual(values.shape, mask.shape))
                {
                    var shape = values.shape;
                    values.Dispose();
                    throw new KerasArgumentException(
                        $"The loss '{loss.Name}' gives values of shape {Shape(shape)} but the model's output carries a mask of shape {Shape(mask.shape)}; " +
                        "a masked output needs a loss per masked step (for example y_pred of shape (batch, time, units) with a mask (batch, time)).");
                }
                using var combined = lossMask is null ? mask.to_type(ScalarType.Bool) : lossMask.to_type(ScalarType.Bool).logical_and_(mask.to_type(ScalarType.Bool));
                return Keras.Losses.Loss.Reduce(values, sampleWeight, combined, loss.Reduction);
            }
        }

        private static string Shape(long[] shape) => "(" + string.Join(", ", shape) + ")";
    }
}

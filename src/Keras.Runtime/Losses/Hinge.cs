using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.Hinge</c>: mean over the last axis of max(1 - y_true·y_pred, 0); labels in {0, 1} are converted to {-1, 1} first.</summary>
    [KerasClass("Hinge", "hinge")]
    public sealed class Hinge : Loss
    {
        /// <summary>Creates the loss.</summary>
        public Hinge(string? reduction = "sum_over_batch_size", string name = "hinge", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>hinge(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var labels = HingeLabels(yTrue);
            using var margin = labels.mul(yPred).neg_().add_(1.0).clamp_min_(0.0);
            return margin.mean(new long[] { -1 });
        }

        /// <summary>Keras' convert_binary_labels_to_hinge: 2·y - 1 when every label is 0 or 1, the labels otherwise.</summary>
        internal static Tensor HingeLabels(Tensor yTrue)
        {
            using var zeros = yTrue.eq(0);
            using var ones = yTrue.eq(1);
            using var either = zeros.logical_or(ones);
            using var all = either.all();
            return all.item<bool>() ? yTrue.mul(2.0).sub_(1.0) : yTrue.alias();
        }

        internal static Hinge FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "hinge");
            return new Hinge(a.Reduction, a.Name, a.Dtype);
        }
    }
}

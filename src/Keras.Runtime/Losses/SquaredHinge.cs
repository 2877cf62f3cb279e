using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.SquaredHinge</c>: mean over the last axis of max(1 - y_true·y_pred, 0)²; labels in {0, 1} become {-1, 1}.</summary>
    [KerasClass("SquaredHinge", "squared_hinge")]
    public sealed class SquaredHinge : Loss
    {
        /// <summary>Creates the loss.</summary>
        public SquaredHinge(string? reduction = "sum_over_batch_size", string name = "squared_hinge", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>squared_hinge(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var labels = Hinge.HingeLabels(yTrue);
            using var margin = labels.mul(yPred).neg_().add_(1.0).clamp_min_(0.0).pow_(2);
            return margin.mean(new long[] { -1 });
        }

        internal static SquaredHinge FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "squared_hinge");
            return new SquaredHinge(a.Reduction, a.Name, a.Dtype);
        }
    }
}

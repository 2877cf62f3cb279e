using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.CategoricalHinge</c>: max(max((1 - y_true)·y_pred) - sum(y_true·y_pred) + 1, 0) over the last axis.</summary>
    [KerasClass("CategoricalHinge", "categorical_hinge")]
    public sealed class CategoricalHinge : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CategoricalHinge(string? reduction = "sum_over_batch_size", string name = "categorical_hinge", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>categorical_hinge(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var product = yTrue.mul(yPred);
            using var pos = product.sum(new long[] { -1 });
            using var others = yTrue.neg().add_(1.0).mul_(yPred);
            using var neg = others.amax(new long[] { -1 });
            return neg.sub(pos).add_(1.0).clamp_min_(0.0);
        }

        internal static CategoricalHinge FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "categorical_hinge");
            return new CategoricalHinge(a.Reduction, a.Name, a.Dtype);
        }
    }
}

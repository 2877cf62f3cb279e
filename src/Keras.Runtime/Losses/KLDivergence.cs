using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.KLDivergence</c>: sum over the last axis of y_true·log(y_true / y_pred), both clipped to [epsilon, 1].</summary>
    [KerasClass("KLDivergence", "kl_divergence")]
    public sealed class KLDivergence : Loss
    {
        /// <summary>Creates the loss.</summary>
        public KLDivergence(string? reduction = "sum_over_batch_size", string name = "kl_divergence", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>kl_divergence(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var t = yTrue.clamp(Eps, 1.0);
            using var p = yPred.clamp(Eps, 1.0);
            using var ratio = t.div(p).log_();
            using var product = t.mul(ratio);
            return product.sum(new long[] { -1 });
        }

        internal static KLDivergence FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "kl_divergence");
            return new KLDivergence(a.Reduction, a.Name, a.Dtype);
        }
    }
}

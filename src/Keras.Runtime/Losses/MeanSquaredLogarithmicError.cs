using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.MeanSquaredLogarithmicError</c>: mean over the last axis of (log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))².</summary>
    [KerasClass("MeanSquaredLogarithmicError", "mean_squared_logarithmic_error")]
    public sealed class MeanSquaredLogarithmicError : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanSquaredLogarithmicError(string? reduction = "sum_over_batch_size", string name = "mean_squared_logarithmic_error", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>mean_squared_logarithmic_error(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var first = yPred.clamp_min(Eps).add_(1.0).log_();
            using var second = yTrue.clamp_min(Eps).add_(1.0).log_();
            using var diff = first.sub_(second).pow_(2);
            return diff.mean(new long[] { -1 });
        }

        internal static MeanSquaredLogarithmicError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_squared_logarithmic_error");
            return new MeanSquaredLogarithmicError(a.Reduction, a.Name, a.Dtype);
        }
    }
}

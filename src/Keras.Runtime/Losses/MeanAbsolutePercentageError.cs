using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.MeanAbsolutePercentageError</c>: 100 · mean over the last axis of |(y_true - y_pred) / max(|y_true|, epsilon)|.</summary>
    [KerasClass("MeanAbsolutePercentageError", "mean_absolute_percentage_error")]
    public sealed class MeanAbsolutePercentageError : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanAbsolutePercentageError(string? reduction = "sum_over_batch_size", string name = "mean_absolute_percentage_error", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>mean_absolute_percentage_error(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var diff = yTrue.sub(yPred);
            using var scale = yTrue.abs().clamp_min_(Eps);
            using var ratio = diff.div_(scale).abs_();
            return ratio.mean(new long[] { -1 }).mul_(100.0);
        }

        internal static MeanAbsolutePercentageError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_absolute_percentage_error");
            return new MeanAbsolutePercentageError(a.Reduction, a.Name, a.Dtype);
        }
    }
}

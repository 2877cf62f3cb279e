using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.MeanAbsoluteError</c>: mean over the last axis of |y_true - y_pred|.</summary>
    [KerasClass("MeanAbsoluteError", "mean_absolute_error")]
    public sealed class MeanAbsoluteError : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanAbsoluteError(string? reduction = "sum_over_batch_size", string name = "mean_absolute_error", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>mean_absolute_error(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var diff = yPred.sub(yTrue);
            using var abs = diff.abs();
            return abs.mean(new long[] { -1 });
        }

        internal static MeanAbsoluteError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_absolute_error");
            return new MeanAbsoluteError(a.Reduction, a.Name, a.Dtype);
        }
    }
}

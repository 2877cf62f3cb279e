using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.LogCosh</c>: mean over the last axis of log(cosh(y_pred - y_true)), computed as x + softplus(-2x) - log 2.</summary>
    [KerasClass("LogCosh", "log_cosh")]
    public sealed class LogCosh : Loss
    {
        /// <summary>Creates the loss.</summary>
        public LogCosh(string? reduction = "sum_over_batch_size", string name = "log_cosh", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>log_cosh(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var x = yPred.sub(yTrue);
            using var minusTwoX = x.mul(-2.0);
            using var softplus = nn.functional.softplus(minusTwoX);
            using var value = x.add(softplus).sub_(Math.Log(2.0));
            return value.mean(new long[] { -1 });
        }

        internal static LogCosh FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "log_cosh");
            return new LogCosh(a.Reduction, a.Name, a.Dtype);
        }
    }
}

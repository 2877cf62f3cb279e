using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.Poisson</c>: mean over the last axis of y_pred - y_true·log(y_pred + epsilon).</summary>
    [KerasClass("Poisson", "poisson")]
    public sealed class Poisson : Loss
    {
        /// <summary>Creates the loss.</summary>
        public Poisson(string? reduction = "sum_over_batch_size", string name = "poisson", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <summary>Keras' <c>poisson(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var log = yPred.add(Eps).log_();
            using var weighted = yTrue.mul(log);
            using var value = yPred.sub(weighted);
            return value.mean(new long[] { -1 });
        }

        internal static Poisson FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "poisson");
            return new Poisson(a.Reduction, a.Name, a.Dtype);
        }
    }
}

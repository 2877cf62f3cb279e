using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.Huber(delta=1.0)</c>: mean over the last axis of ½e² where |e| ≤ delta and delta·|e| - ½delta²
    /// elsewhere (e = y_pred - y_true).
    /// </summary>
    [KerasClass("Huber", "huber")]
    public sealed class Huber : Loss
    {
        /// <summary>Creates the loss.</summary>
        public Huber(double delta = 1.0, string? reduction = "sum_over_batch_size", string name = "huber_loss", string? dtype = null)
            : base(name, reduction, dtype) => Delta = delta;

        /// <summary>delta.</summary>
        public double Delta { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred, Delta);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred, double delta)
        {
            using var error = yPred.sub(yTrue);
            using var abs = error.abs();
            using var quadratic = error.square().mul_(0.5);
            using var linear = abs.mul(delta).sub_(0.5 * delta * delta);
            using var inside = abs.le(delta);
            using var value = torch.where(inside, quadratic, linear);
            return value.mean(new long[] { -1 });
        }


        // Keras' Huber.get_config writes only name and reduction: delta is not saved.

        internal static Huber FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "huber_loss");
            return new Huber(c.Double("delta", 1.0), a.Reduction, a.Name, a.Dtype);
        }
    }
}

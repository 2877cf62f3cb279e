using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary><c>keras.losses.MeanSquaredError</c>: mean over the last axis of (y_true - y_pred)².</summary>
    [KerasClass("MeanSquaredError", "mean_squared_error")]
    public sealed class MeanSquaredError : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanSquaredError(string? reduction = "sum_over_batch_size", string name = "mean_squared_error", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        /// <inheritdoc />
        /// <remarks>With equal shapes every row averages the same number of values: the mean of the row means is the mean of all.</remarks>
        protected override Tensor? FusedMean(Tensor yTrue, Tensor yPred) =>
            yPred.numel() > 0 && yPred.dim() > 0 && yTrue.shape.AsSpan().SequenceEqual(yPred.shape)
                ? nn.functional.mse_loss(yPred, yTrue, nn.Reduction.Mean)
                : null;

        /// <summary>Keras' <c>mean_squared_error(y_true, y_pred)</c> on tensors of one dtype and rank.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var diff = yPred.sub(yTrue);
            using var square = diff.square();
            return square.mean(new long[] { -1 });
        }

        internal static MeanSquaredError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_squared_error");
            return new MeanSquaredError(a.Reduction, a.Name, a.Dtype);
        }
    }
}

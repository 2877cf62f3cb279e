using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.MeanAbsolutePercentageError</c>: the running mean of the loss of the same name.</summary>
    [KerasClass("MeanAbsolutePercentageError")]
    public sealed class MeanAbsolutePercentageError : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.MeanAbsolutePercentageError();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new MeanAbsolutePercentageError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_absolute_percentage_error");
            return new MeanAbsolutePercentageError(a.Name, a.Dtype);
        }
    }
}

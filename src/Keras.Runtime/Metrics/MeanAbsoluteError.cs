using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.MeanAbsoluteError</c>: the running mean of mean(|y_true - y_pred|, axis=-1).</summary>
    [KerasClass("MeanAbsoluteError")]
    public sealed class MeanAbsoluteError : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public MeanAbsoluteError(string name = "mean_absolute_error", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.MeanAbsoluteError();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new MeanAbsoluteError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_absolute_error");
            return new MeanAbsoluteError(a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.MeanSquaredLogarithmicError</c>: the running mean of the loss of the same name.</summary>
    [KerasClass("MeanSquaredLogarithmicError")]
    public sealed class MeanSquaredLogarithmicError : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.MeanSquaredLogarithmicError();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new MeanSquaredLogarithmicError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_squared_logarithmic_error");
            return new MeanSquaredLogarithmicError(a.Name, a.Dtype);
        }
    }
}

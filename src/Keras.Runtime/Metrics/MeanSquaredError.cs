using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.MeanSquaredError</c>: the running mean of mean((y_true - y_pred)², axis=-1).</summary>
    [KerasClass("MeanSquaredError")]
    public sealed class MeanSquaredError : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public MeanSquaredError(string name = "mean_squared_error", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.MeanSquaredError();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new MeanSquaredError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_squared_error");
            return new MeanSquaredError(a.Name, a.Dtype);
        }
    }
}

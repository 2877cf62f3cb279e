using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.LogCoshError</c>: the running mean of log(cosh(y_pred - y_true)) averaged over the last axis.</summary>
    [KerasClass("LogCoshError")]
    public sealed class LogCoshError : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public LogCoshError(string name = "logcosh", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.LogCosh();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new LogCoshError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "logcosh");
            return new LogCoshError(a.Name, a.Dtype);
        }
    }
}

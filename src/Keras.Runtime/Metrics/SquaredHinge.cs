using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.SquaredHinge</c>: the running mean of the squared hinge loss.</summary>
    [KerasClass("SquaredHinge")]
    public sealed class SquaredHinge : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public SquaredHinge(string name = "squared_hinge", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.SquaredHinge();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new SquaredHinge FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "squared_hinge");
            return new SquaredHinge(a.Name, a.Dtype);
        }
    }
}

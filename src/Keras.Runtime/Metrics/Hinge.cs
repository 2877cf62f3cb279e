using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.Hinge</c>: the running mean of the hinge loss.</summary>
    [KerasClass("Hinge")]
    public sealed class Hinge : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public Hinge(string name = "hinge", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.Hinge();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new Hinge FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "hinge");
            return new Hinge(a.Name, a.Dtype);
        }
    }
}

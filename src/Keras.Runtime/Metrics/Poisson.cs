using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.Poisson</c>: the running mean of the Poisson loss.</summary>
    [KerasClass("Poisson")]
    public sealed class Poisson : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public Poisson(string name = "poisson", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.Poisson();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new Poisson FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "poisson");
            return new Poisson(a.Name, a.Dtype);
        }
    }
}

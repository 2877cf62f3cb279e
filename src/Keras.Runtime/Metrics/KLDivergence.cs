using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.KLDivergence</c>: the running mean of the Kullback-Leibler divergence.</summary>
    [KerasClass("KLDivergence")]
    public sealed class KLDivergence : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public KLDivergence(string name = "kl_divergence", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.KLDivergence();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new KLDivergence FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "kl_divergence");
            return new KLDivergence(a.Name, a.Dtype);
        }
    }
}

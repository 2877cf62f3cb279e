using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.CategoricalHinge</c>: the running mean of the categorical hinge loss.</summary>
    [KerasClass("CategoricalHinge")]
    public sealed class CategoricalHinge : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public CategoricalHinge(string name = "categorical_hinge", string? dtype = null) : base(name, dtype)
        {
        }

        private Losses.Loss Loss => _loss ??= new Losses.CategoricalHinge();
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        internal static new CategoricalHinge FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "categorical_hinge");
            return new CategoricalHinge(a.Name, a.Dtype);
        }
    }
}

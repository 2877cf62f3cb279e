using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.Sum</c>: the weighted sum of the values given to <see cref="UpdateValues"/>.</summary>
    [KerasClass("Sum")]
    public sealed class Sum : Metric
    {
        private double _total;

        /// <summary>Creates the metric.</summary>
        public Sum(string name = "sum", string? dtype = null) : base(name, dtype) { }

        /// <summary>Keras' <c>Sum.update_state(values, sample_weight)</c>.</summary>
        public void UpdateValues(Tensor values, Tensor? sampleWeight = null)
        {
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            Update(values, values, sampleWeight);
        }

        /// <summary>Treats <paramref name="yPred"/> as the values.</summary>
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        {
            var (values, _) = Mean.Samplewise(yPred, sampleWeight, mean: false);
            using var total = values.sum(type: ScalarType.Float64);
            _total += total.item<double>();
        }

        /// <inheritdoc />
        public override double[] Results() => new[] { _total };

        /// <inheritdoc />
        public override void ResetState() => _total = 0;

        internal static Sum FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "sum");
            return new Sum(a.Name, a.Dtype);
        }
    }
}

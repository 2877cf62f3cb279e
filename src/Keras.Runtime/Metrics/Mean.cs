using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.Mean</c>: the weighted mean of the values given to <see cref="UpdateValues"/> (total / count). As
    /// Keras' <c>reduce_to_samplewise_values</c>: values are averaged over their axes beyond the weights' rank, then per
    /// sample; each sample counts its weight (1 without weights). Fit's "loss" entry is one.
    /// </summary>
    [KerasClass("Mean")]
    public class Mean : Metric
    {
        private double _total;
        private double _count;

        /// <summary>Creates the metric.</summary>
        public Mean(string name = "mean", string? dtype = null) : base(name, dtype) { }

        /// <summary>Keras' <c>Mean.update_state(values, sample_weight)</c>.</summary>
        public void UpdateValues(Tensor values, Tensor? sampleWeight = null)
        {
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            Accumulate(values, sampleWeight);
        }

        /// <summary>Treats <paramref name="yPred"/> as the values (a Mean has no targets).</summary>
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) => Accumulate(yPred, sampleWeight);

        /// <summary>Adds per-sample values (inside the caller's dispose scope).</summary>
        private protected void Accumulate(Tensor values, Tensor? sampleWeight)
        {
            var (samplewise, weight) = Samplewise(values, sampleWeight, mean: true);
            using var total = samplewise.sum(type: ScalarType.Float64);
            _total += total.item<double>();
            if (weight is not null)
            {
                using var count = weight.sum(type: ScalarType.Float64);
                _count += count.item<double>();
            }
            else
            {
                _count += samplewise.dim() >= 1 ? samplewise.shape[0] : 1;
            }
        }

        /// <summary>
        /// Keras' <c>reduce_to_samplewise_values</c>: the weights brought to the values' rank, the values reduced (mean or
        /// sum) over the axes the weights lack, weighted, then reduced to one value per sample; the weights per sample.
        /// </summary>
        internal static (Tensor Values, Tensor? Weights) Samplewise(Tensor values, Tensor? sampleWeight, bool mean)
        {
            var v = values.dtype == ScalarType.Float64 ? values : values.to_type(ScalarType.Float32);
            Tensor? w = null;
            if (sampleWeight is not null)
            {
                w = sampleWeight.to(v.dtype, v.device);
                (v, w) = Losses.Loss.SameRank(v, w);
                if (v.dim() > w.dim())
                {
                    var axes = new long[v.dim() - w.dim()];
                    for (int i = 0; i < axes.Length; i++) axes[i] = w.dim() + i;
                    v = mean ? v.mean(axes) : v.sum(axes);
                }
                w = w.broadcast_to(v.shape);
                v = v.mul(w);
                if (w.dim() > 1)
                {
                    var axes = new long[w.dim() - 1];
                    for (int i = 0; i < axes.Length; i++) axes[i] = i + 1;
                    w = mean ? w.mean(axes) : w.sum(axes);
                }
            }
            if (v.dim() > 1)
            {
                var axes = new long[v.dim() - 1];
                for (int i = 0; i < axes.Length; i++) axes[i] = i + 1;
                v = mean ? v.mean(axes) : v.sum(axes);
            }
            return (v, w);
        }

        /// <summary>Adds a value with a weight (the loss tracker adds each batch's mean loss weighted by its size).</summary>
        internal void UpdateState(double value, double weight)
        {
            _total += value * weight;
            _count += weight;
        }

        /// <summary>The mean so far (0 before any update, as Keras' divide_no_nan).</summary>
        public override double[] Results() => new[] { DivideNoNan(_total, _count) };

        /// <inheritdoc />
        public override void ResetState()
        {
            _total = 0;
            _count = 0;
        }

        internal static Mean FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean");
            return new Mean(a.Name, a.Dtype);
        }
    }
}

using System;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using Keras.Utilities;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.R2Score(class_aggregation="uniform_average", num_regressors=0)</c>: the coefficient of determination
    /// per output column from streamed weighted sums (Σw·y, Σw·y², Σw·(y - ŷ)², Σw), 1 - SS_res / SS_tot (0 where that is
    /// infinite), averaged uniformly or by variance; adjusted for <see cref="NumRegressors"/> when given.
    /// </summary>
    [KerasClass("R2Score")]
    public sealed class R2Score : Metric
    {
        private double[]? _sum, _squaredSum, _residual, _count;
        private double _samples;

        /// <summary>Creates the metric.</summary>
        public R2Score(string? classAggregation = "uniform_average", int numRegressors = 0, string name = "r2_score", string? dtype = null) : base(name, dtype)
        {
            if (classAggregation is not (null or "uniform_average" or "variance_weighted_average"))
                throw new KerasArgumentException(
                    "Invalid value for argument `class_aggregation`. Expected one of (None, 'uniform_average', 'variance_weighted_average'). " +
                    $"Received: class_aggregation={classAggregation}", nameof(classAggregation));
            if (numRegressors < 0)
                throw new KerasArgumentException($"Invalid value for argument `num_regressors`. Expected a value >= 0. Received: num_regressors={numRegressors}", nameof(numRegressors));
            ClassAggregation = classAggregation;
            NumRegressors = numRegressors;
        }

        /// <summary>class_aggregation (null: one score per column).</summary>
        public string? ClassAggregation { get; }

        /// <summary>num_regressors.</summary>
        public int NumRegressors { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        {
            var (t, p) = Losses.Loss.SameRank(yTrue.to_type(ScalarType.Float64), yPred.to_type(ScalarType.Float64));
            if (t.dim() != 2 || p.dim() != 2)
                throw new KerasArgumentException(
                    "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: " +
                    $"y_pred.shape=({string.Join(", ", yPred.shape)}) and y_true.shape=({string.Join(", ", yTrue.shape)}).");
            Tensor w = sampleWeight is null ? torch.ones_like(t) : sampleWeight.to(ScalarType.Float64, t.device);
            if (w.dim() == 1) w = w.unsqueeze(1);
            w = w.broadcast_to(t.shape);
            var weighted = t.mul(w);
            long columns = t.shape[1];
            if (_sum == null)
            {
                _sum = new double[columns];
                _squaredSum = new double[columns];
                _residual = new double[columns];
                _count = new double[columns];
            }
            else if (_sum.Length != columns)
            {
                throw new KerasArgumentException($"R2Score was updated with {_sum.Length} output columns before and now receives {columns}.");
            }
            AddTo(_sum, weighted.sum(new long[] { 0 }));
            AddTo(_squaredSum!, t.mul(weighted).sum(new long[] { 0 }));
            AddTo(_residual!, t.sub(p).square().mul(w).sum(new long[] { 0 }));
            AddTo(_count!, w.sum(new long[] { 0 }));
            _samples += t.numel();
        }

        private static void AddTo(double[] state, Tensor column)
        {
            var values = Host(column);
            for (int i = 0; i < state.Length; i++) state[i] += values[i];
        }

        /// <inheritdoc />
        public override double[] Results()
        {
            if (_sum == null) return new[] { 0.0 };
            int n = _sum.Length;
            var raw = new double[n];
            var total = new double[n];
            for (int i = 0; i < n; i++)
            {
                double mean = _sum[i] / _count![i];
                total[i] = _squaredSum![i] - _sum[i] * mean;
                raw[i] = 1 - _residual![i] / total[i];
                if (double.IsInfinity(raw[i])) raw[i] = 0;
            }
            double score;
            if (ClassAggregation == null) return raw;
            if (ClassAggregation == "uniform_average")
            {
                score = 0;
                foreach (var r in raw) score += r;
                score /= n;
            }
            else
            {
                double weightedSum = 0, weights = 0;
                for (int i = 0; i < n; i++)
                {
                    weightedSum += total[i] * raw[i];
                    weights += total[i];
                }
                score = weightedSum / weights;
            }
            if (NumRegressors != 0)
            {
                if (NumRegressors > _samples - 1)
                    IoUtils.Warn("More independent predictors than datapoints in adjusted R2 score. Falling back to standard R2 score.");
                else if (NumRegressors == _samples - 1)
                    IoUtils.Warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.");
                else
                    score = 1 - (1 - score) * (_samples - 1) / (_samples - NumRegressors - 1);
            }
            return new[] { score };
        }

        /// <inheritdoc />
        public override void ResetState()
        {
            _sum = _squaredSum = _residual = _count = null;
            _samples = 0;
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["class_aggregation"] = ClassAggregation;
            c["num_regressors"] = NumRegressors;
            return c;
        }

        internal static R2Score FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "r2_score");
            string? aggregation = c.Config.ContainsKey("class_aggregation") && c.Raw("class_aggregation") is null ? null : c.String("class_aggregation", "uniform_average");
            return new R2Score(aggregation, c.Int("num_regressors", 0), a.Name, a.Dtype);
        }
    }
}

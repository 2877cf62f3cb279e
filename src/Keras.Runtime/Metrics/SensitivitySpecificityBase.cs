using System;
using System.Text.Json.Nodes;
using Keras.Errors;
using TorchSharp;

namespace Keras.Metrics
{
    /// <summary>
    /// Keras' <c>SensitivitySpecificityBase(value, num_thresholds=200, class_id=None)</c>: the four confusion counts at
    /// num_thresholds evenly spaced thresholds from 0 to 1 (0.5 alone for one); the result is the best value of one
    /// rate among the thresholds where another reaches <see cref="Value"/> (0 when none does).
    /// </summary>
    public abstract class SensitivitySpecificityBase : Metric
    {
        private readonly ConfusionCounts _counts;

        private protected SensitivitySpecificityBase(double value, string argument, int numThresholds, int? classId, string name, string? dtype) : base(name, dtype)
        {
            if (value < 0 || value > 1)
                throw new KerasArgumentException($"Argument `{argument}` must be in the range [0, 1]. Received: {argument}={value}", argument);
            if (numThresholds <= 0)
                throw new KerasArgumentException($"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={numThresholds}", nameof(numThresholds));
            Value = value;
            NumThresholds = numThresholds;
            ClassId = classId;
            double[] thresholds;
            if (numThresholds == 1)
            {
                thresholds = new[] { 0.5 };
            }
            else
            {
                thresholds = new double[numThresholds];
                for (int i = 0; i < numThresholds - 2; i++) thresholds[i + 1] = (i + 1) * 1.0 / (numThresholds - 1);
                thresholds[numThresholds - 1] = 1.0;
            }
            _counts = new ConfusionCounts(thresholds);
        }

        /// <summary>The constraint's value.</summary>
        public double Value { get; }

        /// <summary>num_thresholds.</summary>
        public int NumThresholds { get; }

        /// <summary>class_id.</summary>
        public int? ClassId { get; }

        /// <summary>The thresholds used.</summary>
        public double[] Thresholds => _counts.Thresholds;

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override void Update(torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight) =>
            _counts.Update(yTrue, yPred, sampleWeight, classId: ClassId);

        /// <summary>Per threshold: (constrained rate, dependent rate) from TP, FP, TN, FN.</summary>
        private protected abstract (double Constrained, double Dependent) Rates(double tp, double fp, double tn, double fn);

        /// <inheritdoc />
        public override double[] Results()
        {
            double best = 0;
            if (_counts.TruePositives != null)
                for (int i = 0; i < _counts.Thresholds.Length; i++)
                {
                    var (constrained, dependent) = Rates(_counts.TruePositives[i], _counts.FalsePositives![i], _counts.TrueNegatives![i], _counts.FalseNegatives![i]);
                    if (constrained >= Value) best = Math.Max(best, dependent);
                }
            return new[] { best };
        }

        /// <inheritdoc />
        public override void ResetState() => _counts.Reset();

        private protected JsonObject Config(string key)
        {
            var c = base.GetConfig();
            c["num_thresholds"] = NumThresholds;
            c["class_id"] = ClassId;
            c[key] = Value;
            return c;
        }
    }
}

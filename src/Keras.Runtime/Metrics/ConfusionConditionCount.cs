using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;

namespace Keras.Metrics
{
    /// <summary>
    /// Keras' <c>_ConfusionMatrixConditionCount</c>: the weighted count of one confusion-matrix cell per threshold
    /// (default 0.5) over every prediction; the base of TruePositives, FalsePositives, TrueNegatives, FalseNegatives.
    /// </summary>
    public abstract class ConfusionConditionCount : Metric
    {
        private readonly ConfusionCounts _counts;
        private readonly bool _singleThreshold;

        private protected ConfusionConditionCount(double[]? thresholds, string name, string? dtype) : base(name, dtype)
        {
            InitThresholds = thresholds;
            _singleThreshold = thresholds?.Length == 1;
            _counts = new ConfusionCounts(ConfusionCounts.Parse(thresholds, 0.5));
        }

        /// <summary>The thresholds given (null: 0.5).</summary>
        public double[]? InitThresholds { get; }

        /// <summary>The thresholds used.</summary>
        public double[] Thresholds => _counts.Thresholds;

        private protected abstract double[]? Cell(ConfusionCounts counts);

        /// <inheritdoc />
        protected override void Update(torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight) => _counts.Update(yTrue, yPred, sampleWeight);

        /// <inheritdoc />
        public override double[] Results() => (double[]?)Cell(_counts)?.Clone() ?? new double[Thresholds.Length];

        /// <inheritdoc />
        public override void ResetState() => _counts.Reset();

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["thresholds"] = ConfusionCounts.Write(InitThresholds, _singleThreshold);
            return c;
        }
    }
}

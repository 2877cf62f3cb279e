using System.Text.Json.Nodes;
using TorchSharp;

namespace Keras.Metrics
{
    /// <summary>
    /// What Precision and Recall share in Keras: weighted confusion counts streamed over the batches per threshold
    /// (default 0.5; with top_k, every one of the k largest predictions counts as positive), <c>top_k</c> and
    /// <c>class_id</c>, and the config keys; each subclass says which rate it takes from the counts.
    /// </summary>
    public abstract class ThresholdRateMetric : Metric
    {
        private readonly bool _single;

        private protected ThresholdRateMetric(double[]? thresholds, int? topK, int? classId, string name, string? dtype) : base(name, dtype)
        {
            InitThresholds = thresholds;
            _single = thresholds?.Length == 1;
            TopK = topK;
            ClassId = classId;
            Counts = new ConfusionCounts(ConfusionCounts.Parse(thresholds, topK == null ? 0.5 : double.NegativeInfinity));
        }

        private protected ConfusionCounts Counts { get; }

        /// <summary>The thresholds given (null: 0.5).</summary>
        public double[]? InitThresholds { get; }

        /// <summary>top_k.</summary>
        public int? TopK { get; }

        /// <summary>class_id.</summary>
        public int? ClassId { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <summary>The rate at threshold <paramref name="i"/> from the counts (which exist when this is called).</summary>
        private protected abstract double Rate(int i);

        /// <inheritdoc />
        protected override void Update(torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight) =>
            Counts.Update(yTrue, yPred, sampleWeight, TopK, ClassId);

        /// <inheritdoc />
        public override double[] Results()
        {
            var r = new double[Counts.Thresholds.Length];
            if (Counts.TruePositives == null) return r;
            for (int i = 0; i < r.Length; i++) r[i] = Rate(i);
            return r;
        }

        /// <inheritdoc />
        public override void ResetState() => Counts.Reset();

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["thresholds"] = ConfusionCounts.Write(InitThresholds, _single);
            c["top_k"] = TopK;
            c["class_id"] = ClassId;
            return c;
        }
    }
}

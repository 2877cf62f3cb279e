using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.Recall(thresholds=None, top_k=None, class_id=None)</c>: TP / (TP + FN) from weighted counts
    /// streamed over the batches, per threshold (default 0.5; with top_k, every one of the k largest predictions counts
    /// as positive); 0 when no label is positive.
    /// </summary>
    [KerasClass("Recall")]
    public sealed class Recall : Metric
    {
        private readonly ConfusionCounts _counts;
        private readonly bool _single;

        /// <summary>Creates the metric.</summary>
        public Recall(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "recall", string? dtype = null) : base(name, dtype)
        {
            InitThresholds = thresholds;
            _single = thresholds?.Length == 1;
            TopK = topK;
            ClassId = classId;
            _counts = new ConfusionCounts(ConfusionCounts.Parse(thresholds, topK == null ? 0.5 : double.NegativeInfinity));
        }

        /// <summary>The thresholds given (null: 0.5).</summary>
        public double[]? InitThresholds { get; }

        /// <summary>top_k.</summary>
        public int? TopK { get; }

        /// <summary>class_id.</summary>
        public int? ClassId { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override void Update(torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight) =>
            _counts.Update(yTrue, yPred, sampleWeight, TopK, ClassId);

        /// <inheritdoc />
        public override double[] Results()
        {
            var r = new double[_counts.Thresholds.Length];
            if (_counts.TruePositives == null) return r;
            for (int i = 0; i < r.Length; i++) r[i] = DivideNoNan(_counts.TruePositives[i], _counts.TruePositives[i] + _counts.FalseNegatives![i]);
            return r;
        }

        /// <inheritdoc />
        public override void ResetState() => _counts.Reset();

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["thresholds"] = ConfusionCounts.Write(InitThresholds, _single);
            c["top_k"] = TopK;
            c["class_id"] = ClassId;
            return c;
        }

        internal static Recall FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "recall");
            return new Recall(ConfusionCounts.Read(c), c.OptionalInt("top_k", min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

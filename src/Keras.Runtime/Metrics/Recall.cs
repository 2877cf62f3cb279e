using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.Recall(thresholds=None, top_k=None, class_id=None)</c>: TP / (TP + FN) from weighted counts
    /// streamed over the batches, per threshold (see <see cref="ThresholdRateMetric"/>); 0 when no label is positive.
    /// </summary>
    [KerasClass("Recall")]
    public sealed class Recall : ThresholdRateMetric
    {
        /// <summary>Creates the metric.</summary>
        public Recall(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "recall", string? dtype = null)
            : base(thresholds, topK, classId, name, dtype)
        {
        }

        private protected override double Rate(int i) => DivideNoNan(Counts.TruePositives![i], Counts.TruePositives![i] + Counts.FalseNegatives![i]);

        internal static Recall FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "recall");
            return new Recall(ConfusionCounts.Read(c), c.OptionalInt("top_k", min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

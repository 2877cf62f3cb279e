using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.Precision(thresholds=None, top_k=None, class_id=None)</c>: TP / (TP + FP) from weighted counts
    /// streamed over the batches, per threshold (see <see cref="ThresholdRateMetric"/>); 0 when nothing was predicted positive.
    /// </summary>
    [KerasClass("Precision")]
    public sealed class Precision : ThresholdRateMetric
    {
        /// <summary>Creates the metric.</summary>
        public Precision(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "precision", string? dtype = null)
            : base(thresholds, topK, classId, name, dtype)
        {
        }

        private protected override double Rate(int i) => DivideNoNan(Counts.TruePositives![i], Counts.TruePositives![i] + Counts.FalsePositives![i]);

        internal static Precision FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "precision");
            return new Precision(ConfusionCounts.Read(c), c.OptionalInt("top_k", min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.TrueNegatives(thresholds=None)</c>: the weighted number of predictions at or below the threshold whose label is negative, per threshold (default 0.5).</summary>
    [KerasClass("TrueNegatives")]
    public sealed class TrueNegatives : ConfusionConditionCount
    {
        /// <summary>Creates the metric.</summary>
        public TrueNegatives(double[]? thresholds = null, string name = "true_negatives", string? dtype = null) : base(thresholds, name, dtype) { }

        private protected override double[]? Cell(ConfusionCounts counts) => counts.TrueNegatives;

        internal static TrueNegatives FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "true_negatives");
            return new TrueNegatives(ConfusionCounts.Read(c), a.Name, a.Dtype);
        }
    }
}

using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.FalseNegatives(thresholds=None)</c>: the weighted number of predictions at or below the threshold whose label is positive, per threshold (default 0.5).</summary>
    [KerasClass("FalseNegatives")]
    public sealed class FalseNegatives : ConfusionConditionCount
    {
        /// <summary>Creates the metric.</summary>
        public FalseNegatives(double[]? thresholds = null, string name = "false_negatives", string? dtype = null) : base(thresholds, name, dtype) { }

        private protected override double[]? Cell(ConfusionCounts counts) => counts.FalseNegatives;

        internal static FalseNegatives FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "false_negatives");
            return new FalseNegatives(ConfusionCounts.Read(c), a.Name, a.Dtype);
        }
    }
}

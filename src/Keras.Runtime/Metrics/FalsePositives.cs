using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.FalsePositives(thresholds=None)</c>: the weighted number of predictions above the threshold whose label is negative, per threshold (default 0.5).</summary>
    [KerasClass("FalsePositives")]
    public sealed class FalsePositives : ConfusionConditionCount
    {
        /// <summary>Creates the metric.</summary>
        public FalsePositives(double[]? thresholds = null, string name = "false_positives", string? dtype = null) : base(thresholds, name, dtype) { }

        private protected override double[]? Cell(ConfusionCounts counts) => counts.FalsePositives;

        internal static FalsePositives FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "false_positives");
            return new FalsePositives(ConfusionCounts.Read(c), a.Name, a.Dtype);
        }
    }
}

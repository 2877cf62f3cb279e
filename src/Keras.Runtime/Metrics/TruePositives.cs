using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.TruePositives(thresholds=None)</c>: the weighted number of predictions above the threshold whose label is positive, per threshold (default 0.5).</summary>
    [KerasClass("TruePositives")]
    public sealed class TruePositives : ConfusionConditionCount
    {
        /// <summary>Creates the metric.</summary>
        public TruePositives(double[]? thresholds = null, string name = "true_positives", string? dtype = null) : base(thresholds, name, dtype) { }

        private protected override double[]? Cell(ConfusionCounts counts) => counts.TruePositives;

        internal static TruePositives FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "true_positives");
            return new TruePositives(ConfusionCounts.Read(c), a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.RecallAtPrecision(precision, num_thresholds=200, class_id=None)</c>: the best recall TP / (TP + FN) among the thresholds whose precision TP / (TP + FP) is at least the given one.</summary>
    [KerasClass("RecallAtPrecision")]
    public sealed class RecallAtPrecision : SensitivitySpecificityBase
    {
        /// <summary>Creates the metric.</summary>
        public RecallAtPrecision(double precision, int numThresholds = 200, int? classId = null, string name = "recall_at_precision", string? dtype = null)
            : base(precision, "precision", numThresholds, classId, name, dtype) { }

        private protected override (double Constrained, double Dependent) Rates(double tp, double fp, double tn, double fn) => (DivideNoNan(tp, tp + fp), DivideNoNan(tp, tp + fn));

        /// <inheritdoc />
        public override JsonObject GetConfig() => Config("precision");

        internal static RecallAtPrecision FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "recall_at_precision");
            return new RecallAtPrecision(c.Double("precision"), c.Int("num_thresholds", 200, min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

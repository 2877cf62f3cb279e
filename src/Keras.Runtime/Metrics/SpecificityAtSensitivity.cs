using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.SpecificityAtSensitivity(sensitivity, num_thresholds=200, class_id=None)</c>: the best specificity TN / (TN + FP) among the thresholds whose sensitivity TP / (TP + FN) is at least the given one.</summary>
    [KerasClass("SpecificityAtSensitivity")]
    public sealed class SpecificityAtSensitivity : SensitivitySpecificityBase
    {
        /// <summary>Creates the metric.</summary>
        public SpecificityAtSensitivity(double sensitivity, int numThresholds = 200, int? classId = null, string name = "specificity_at_sensitivity", string? dtype = null)
            : base(sensitivity, "sensitivity", numThresholds, classId, name, dtype) { }

        private protected override (double Constrained, double Dependent) Rates(double tp, double fp, double tn, double fn) => (DivideNoNan(tp, tp + fn), DivideNoNan(tn, tn + fp));

        /// <inheritdoc />
        public override JsonObject GetConfig() => Config("sensitivity");

        internal static SpecificityAtSensitivity FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "specificity_at_sensitivity");
            return new SpecificityAtSensitivity(c.Double("sensitivity"), c.Int("num_thresholds", 200, min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.SensitivityAtSpecificity(specificity, num_thresholds=200, class_id=None)</c>: the best sensitivity TP / (TP + FN) among the thresholds whose specificity TN / (TN + FP) is at least the given one.</summary>
    [KerasClass("SensitivityAtSpecificity")]
    public sealed class SensitivityAtSpecificity : SensitivitySpecificityBase
    {
        /// <summary>Creates the metric.</summary>
        public SensitivityAtSpecificity(double specificity, int numThresholds = 200, int? classId = null, string name = "sensitivity_at_specificity", string? dtype = null)
            : base(specificity, "specificity", numThresholds, classId, name, dtype) { }

        private protected override (double Constrained, double Dependent) Rates(double tp, double fp, double tn, double fn) => (DivideNoNan(tn, tn + fp), DivideNoNan(tp, tp + fn));

        /// <inheritdoc />
        public override JsonObject GetConfig() => Config("specificity");

        internal static SensitivityAtSpecificity FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "sensitivity_at_specificity");
            return new SensitivityAtSpecificity(c.Double("specificity"), c.Int("num_thresholds", 200, min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.PrecisionAtRecall(recall, num_thresholds=200, class_id=None)</c>: the best precision TP / (TP + FP) among the thresholds whose recall TP / (TP + FN) is at least the given one.</summary>
    [KerasClass("PrecisionAtRecall")]
    public sealed class PrecisionAtRecall : SensitivitySpecificityBase
    {
        /// <summary>Creates the metric.</summary>
        public PrecisionAtRecall(double recall, int numThresholds = 200, int? classId = null, string name = "precision_at_recall", string? dtype = null)
            : base(recall, "recall", numThresholds, classId, name, dtype) { }

        private protected override (double Constrained, double Dependent) Rates(double tp, double fp, double tn, double fn) => (DivideNoNan(tp, tp + fn), DivideNoNan(tp, tp + fp));

        /// <inheritdoc />
        public override JsonObject GetConfig() => Config("recall");

        internal static PrecisionAtRecall FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "precision_at_recall");
            return new PrecisionAtRecall(c.Double("recall"), c.Int("num_thresholds", 200, min: 1), c.OptionalInt("class_id", min: 0), a.Name, a.Dtype);
        }
    }
}

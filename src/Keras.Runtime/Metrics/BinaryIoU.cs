using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.BinaryIoU(target_class_ids=(0, 1), threshold=0.5)</c>: <see cref="IoU"/> over two classes, predicted 1 when y_pred ≥ threshold.</summary>
    [KerasClass("BinaryIoU")]
    public sealed class BinaryIoU : IoU
    {
        /// <summary>Creates the metric.</summary>
        public BinaryIoU(int[]? targetClassIds = null, double threshold = 0.5, string name = "binary_io_u", string? dtype = null)
            : base(2, targetClassIds ?? new[] { 0, 1 }, name, dtype) => Threshold = threshold;

        /// <summary>threshold.</summary>
        public double Threshold { get; }

        private protected override Tensor PredictedClasses(Tensor yPred) => yPred.to_type(ScalarType.Float32).ge(Threshold);

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["target_class_ids"] = Ids(TargetClassIds), ["threshold"] = Threshold, ["name"] = Name, ["dtype"] = Dtype,
        };

        internal static new BinaryIoU FromConfig(ConfigReader c) =>
            new BinaryIoU(c.Has("target_class_ids") ? c.IntList("target_class_ids") : null, c.Double("threshold", 0.5), c.String("name", "binary_io_u"), ReadDtype(c));
    }
}

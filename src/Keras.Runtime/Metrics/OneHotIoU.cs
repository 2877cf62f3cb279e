using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.OneHotIoU(num_classes, target_class_ids, ignore_class=None, sparse_y_pred=False, axis=-1)</c>: <see cref="IoU"/> on one-hot targets.</summary>
    [KerasClass("OneHotIoU")]
    public sealed class OneHotIoU : IoU
    {
        /// <summary>Creates the metric.</summary>
        public OneHotIoU(int numClasses, int[] targetClassIds, string name = "one_hot_io_u", string? dtype = null, int? ignoreClass = null, bool sparseYPred = false,
            int axis = -1) : base(numClasses, targetClassIds, name, dtype, ignoreClass, sparseYTrue: false, sparseYPred, axis) { }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["num_classes"] = NumClasses, ["target_class_ids"] = Ids(TargetClassIds), ["name"] = Name, ["dtype"] = Dtype, ["ignore_class"] = IgnoreClass,
            ["sparse_y_pred"] = SparseYPred, ["axis"] = Axis,
        };

        internal static new OneHotIoU FromConfig(ConfigReader c) =>
            new OneHotIoU(c.Int("num_classes", min: 1), c.IntList("target_class_ids"), c.String("name", "one_hot_io_u"), ReadDtype(c), c.OptionalInt("ignore_class"),
                c.Bool("sparse_y_pred", false), c.Int("axis", -1));
    }
}

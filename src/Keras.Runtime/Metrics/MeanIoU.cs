using System.Linq;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.MeanIoU(num_classes, ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1)</c>: <see cref="IoU"/> over every class.</summary>
    [KerasClass("MeanIoU")]
    public class MeanIoU : IoU
    {
        /// <summary>Creates the metric.</summary>
        public MeanIoU(int numClasses, string name = "mean_io_u", string? dtype = null, int? ignoreClass = null, bool sparseYTrue = true, bool sparseYPred = true,
            int axis = -1) : base(numClasses, Enumerable.Range(0, System.Math.Max(numClasses, 1)).ToArray(), name, dtype, ignoreClass, sparseYTrue, sparseYPred, axis) { }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["num_classes"] = NumClasses, ["name"] = Name, ["dtype"] = Dtype, ["ignore_class"] = IgnoreClass, ["sparse_y_true"] = SparseYTrue,
            ["sparse_y_pred"] = SparseYPred, ["axis"] = Axis,
        };

        internal static new MeanIoU FromConfig(ConfigReader c) =>
            new MeanIoU(c.Int("num_classes", min: 1), c.String("name", "mean_io_u"), ReadDtype(c), c.OptionalInt("ignore_class"), c.Bool("sparse_y_true", true),
                c.Bool("sparse_y_pred", true), c.Int("axis", -1));
    }
}

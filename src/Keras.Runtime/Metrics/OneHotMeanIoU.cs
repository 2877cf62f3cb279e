using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.OneHotMeanIoU(num_classes, ignore_class=None, sparse_y_pred=False, axis=-1)</c>: <see cref="MeanIoU"/> on one-hot targets.</summary>
    [KerasClass("OneHotMeanIoU")]
    public sealed class OneHotMeanIoU : MeanIoU
    {
        /// <summary>Creates the metric.</summary>
        public OneHotMeanIoU(int numClasses, string name = "one_hot_mean_io_u", string? dtype = null, int? ignoreClass = null, bool sparseYPred = false, int axis = -1)
            : base(numClasses, name, dtype, ignoreClass, sparseYTrue: false, sparseYPred, axis) { }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["num_classes"] = NumClasses, ["name"] = Name, ["dtype"] = Dtype, ["ignore_class"] = IgnoreClass, ["sparse_y_pred"] = SparseYPred, ["axis"] = Axis,
        };

        internal static new OneHotMeanIoU FromConfig(ConfigReader c) =>
            new OneHotMeanIoU(c.Int("num_classes", min: 1), c.String("name", "one_hot_mean_io_u"), ReadDtype(c), c.OptionalInt("ignore_class"),
                c.Bool("sparse_y_pred", false), c.Int("axis", -1));
    }
}

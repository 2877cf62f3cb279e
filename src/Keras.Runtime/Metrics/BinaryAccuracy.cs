using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.BinaryAccuracy</c>: the running fraction of (y_pred > threshold) equal to y_true.</summary>
    [KerasClass("BinaryAccuracy")]
    public sealed class BinaryAccuracy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public BinaryAccuracy(string name = "binary_accuracy", string? dtype = null, double threshold = 0.5) : base(name, dtype)
        {
            Threshold = threshold;
        }

        /// <summary>threshold.</summary>
        public double Threshold { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred, Threshold);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["threshold"] = Threshold;
            return c;
        }

        internal static Tensor Compute(Tensor yTrue, Tensor yPred, double threshold)
        {
            var (t, p) = Losses.Loss.SameRank(yTrue, yPred);
            using var above = p.gt(threshold);
            using var predicted = above.to_type(ScalarType.Float32);
            using var target = t.to_type(ScalarType.Float32);
            using var same = predicted.eq(target);
            return same.to_type(ScalarType.Float32);
        }

        internal static new BinaryAccuracy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "binary_accuracy");
            return new BinaryAccuracy(a.Name, a.Dtype, c.Double("threshold", 0.5));
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.Accuracy</c>: the running fraction of predictions equal to the labels (element-wise).</summary>
    [KerasClass("Accuracy")]
    public sealed class Accuracy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public Accuracy(string name = "accuracy", string? dtype = null) : base(name, dtype)
        {
        }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            var (t, p) = Losses.Loss.SameRank(yTrue, yPred);
            using var target = t.to_type(p.dtype);
            using var same = p.eq(target);
            return same.to_type(ScalarType.Float32);
        }

        internal static new Accuracy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "accuracy");
            return new Accuracy(a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.CategoricalAccuracy</c>: the running fraction of argmax(y_pred) equal to argmax(y_true) (one-hot targets).</summary>
    [KerasClass("CategoricalAccuracy")]
    public sealed class CategoricalAccuracy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public CategoricalAccuracy(string name = "categorical_accuracy", string? dtype = null) : base(name, dtype)
        {
        }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var predicted = yPred.argmax(-1);
            using var target = yTrue.argmax(-1);
            using var same = predicted.eq(target);
            return same.to_type(ScalarType.Float32);
        }

        internal static new CategoricalAccuracy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "categorical_accuracy");
            return new CategoricalAccuracy(a.Name, a.Dtype);
        }
    }
}

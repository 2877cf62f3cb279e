using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.SparseCategoricalAccuracy</c>: the running fraction of argmax(y_pred) equal to the integer labels.</summary>
    [KerasClass("SparseCategoricalAccuracy")]
    public sealed class SparseCategoricalAccuracy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy", string? dtype = null) : base(name, dtype)
        {
        }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var predicted = yPred.argmax(-1);
            using var labels = Losses.SparseCategoricalCrossentropy.Labels(yTrue, yPred);
            using var same = predicted.eq(labels);
            return same.to_type(ScalarType.Float32);
        }

        internal static new SparseCategoricalAccuracy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "sparse_categorical_accuracy");
            return new SparseCategoricalAccuracy(a.Name, a.Dtype);
        }
    }
}

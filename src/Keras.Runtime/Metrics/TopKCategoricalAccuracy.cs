using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.TopKCategoricalAccuracy</c>: the running fraction of samples whose one-hot class is among the k largest predictions.</summary>
    [KerasClass("TopKCategoricalAccuracy")]
    public sealed class TopKCategoricalAccuracy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public TopKCategoricalAccuracy(string name = "top_k_categorical_accuracy", string? dtype = null, int k = 5) : base(name, dtype)
        {
            K = k;
        }

        /// <summary>k.</summary>
        public int K { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => SparseTopKCategoricalAccuracy.Compute(yTrue.argmax(-1), yPred, K);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["k"] = K;
            return c;
        }

        internal static new TopKCategoricalAccuracy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "top_k_categorical_accuracy");
            return new TopKCategoricalAccuracy(a.Name, a.Dtype, c.Int("k", 5));
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.SparseTopKCategoricalAccuracy</c>: the running fraction of samples whose integer label is among the k largest predictions (or, with fromSortedIds, among the first k ids).</summary>
    [KerasClass("SparseTopKCategoricalAccuracy")]
    public sealed class SparseTopKCategoricalAccuracy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public SparseTopKCategoricalAccuracy(string name = "sparse_top_k_categorical_accuracy", string? dtype = null, int k = 5, bool fromSortedIds = false) : base(name, dtype)
        {
            K = k;
            FromSortedIds = fromSortedIds;
        }

        /// <summary>k.</summary>
        public int K { get; }

        /// <summary>from_sorted_ids.</summary>
        public bool FromSortedIds { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => FromSortedIds ? Sorted(yTrue, yPred, K) : Compute(yTrue, yPred, K);


        /// <summary>Keras' in_top_k: 1 where the label is among the k largest scores of its row.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred, int k)
        {
            long classes = yPred.shape[yPred.dim() - 1];
            using var labels = Losses.SparseCategoricalCrossentropy.Labels(yTrue, yPred);
            using var flat = yPred.reshape(-1, classes);
            using var flatLabels = labels.reshape(-1, 1);
            var (_, indices) = flat.topk((int)System.Math.Min(k, classes), dim: -1);
            using (indices)
            {
                using var hit = indices.eq(flatLabels);
                using var any = hit.any(-1);
                return any.to_type(ScalarType.Float32).reshape(labels.shape);
            }
        }

        /// <summary>from_sorted_ids: 1 where the label is among the first k ids of its row.</summary>
        internal static Tensor Sorted(Tensor yTrue, Tensor yPred, int k)
        {
            using var labels = yTrue.reshape(-1, 1).to_type(yPred.dtype);
            using var ids = yPred.reshape(labels.shape[0], -1);
            using var first = ids.narrow(1, 0, System.Math.Min(k, ids.shape[1]));
            using var hit = first.eq(labels);
            using var any = hit.any(-1);
            return any.to_type(ScalarType.Float32);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["k"] = K;
            if (FromSortedIds) c["from_sorted_ids"] = true;
            return c;
        }

        internal static new SparseTopKCategoricalAccuracy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "sparse_top_k_categorical_accuracy");
            return new SparseTopKCategoricalAccuracy(a.Name, a.Dtype, c.Int("k", 5), c.Bool("from_sorted_ids", false));
        }
    }
}

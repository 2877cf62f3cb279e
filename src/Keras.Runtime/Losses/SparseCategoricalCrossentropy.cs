using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.SparseCategoricalCrossentropy(from_logits=False, ignore_class=None, axis=-1)</c> on integer labels:
    /// -log p[label] along the class axis. Labels equal to <see cref="IgnoreClass"/> count for nothing: their loss is 0
    /// and, as Keras' mask, they leave the average ("sum_over_batch_size" divides by the valid labels only).
    /// </summary>
    [KerasClass("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")]
    public sealed class SparseCategoricalCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null, string? reduction = "sum_over_batch_size", int axis = -1,
            string name = "sparse_categorical_crossentropy", string? dtype = null)
            : base(name, reduction, dtype)
        {
            FromLogits = fromLogits;
            IgnoreClass = ignoreClass;
            Axis = axis;
        }

        /// <summary>Whether predictions are logits.</summary>
        public bool FromLogits { get; }

        /// <summary>A label value that is left out of the loss (segmentation's "void" class), or null.</summary>
        public int? IgnoreClass { get; }

        /// <summary>The class axis of the predictions.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        protected override bool CastTargets => false;

        /// <inheritdoc />
        protected override bool MatchRanks => false;

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => PerSampleMasked(yTrue, yPred, out _);

        /// <inheritdoc />
        protected override Tensor PerSampleMasked(Tensor yTrue, Tensor yPred, out Tensor? mask)
        {
            mask = null;
            using var moved = Axis == -1 || Axis == yPred.dim() - 1 ? yPred.alias() : yPred.movedim(new long[] { Axis }, new long[] { -1 });
            using var labels = Labels(yTrue, moved);
            if (!labels.shape.SequenceEqual(moved.shape.Take((int)moved.dim() - 1)))
                throw new KerasArgumentException(
                    "Arguments `target` and `output` must have the same shape up until the last dimension: " +
                    $"target.shape=({string.Join(", ", yTrue.shape)}), output.shape=({string.Join(", ", yPred.shape)})");
            if (IgnoreClass is int ignore)
            {
                using var valid = labels.ne(ignore);
                using var invalid = valid.logical_not();
                using var safe = labels.masked_fill(invalid, 0);
                using var values = Compute(safe, moved, FromLogits);
                using var zero = torch.zeros_like(values);
                mask = valid.alias();
                return torch.where(valid, values, zero);
            }
            return Compute(labels, moved, FromLogits);
        }

        /// <summary>-log p[label] with the classes on the last axis.</summary>
        /// <inheritdoc />
        /// <remarks>Logits of shape (batch, classes) without ignore_class: one fused log_softmax + nll with its mean.</remarks>
        protected override Tensor? FusedMean(Tensor yTrue, Tensor yPred)
        {
            if (!FromLogits || IgnoreClass is not null || yPred.dim() != 2 || Axis is not (-1 or 1) || yPred.shape[0] == 0) return null;
            using var labels = Labels(yTrue, yPred);
            if (labels.dim() != 1 || labels.shape[0] != yPred.shape[0]) return null; // the general path says what is wrong
            return nn.functional.cross_entropy(yPred, labels, reduction: nn.Reduction.Mean);
        }

        internal static Tensor Compute(Tensor labels, Tensor yPred, bool fromLogits)
        {
            if (fromLogits && yPred.dim() == 2)
                return nn.functional.cross_entropy(yPred, labels, reduction: nn.Reduction.None); // fused log_softmax + nll
            using var logP = CategoricalCrossentropy.LogProbabilities(yPred, fromLogits);
            using var index = labels.unsqueeze(-1);
            using var picked = logP.gather(-1, index);
            return picked.squeeze(-1).neg_();
        }

        /// <summary>Integer labels shaped like the predictions without their last axis.</summary>
        internal static Tensor Labels(Tensor yTrue, Tensor yPred)
        {
            var labels = yTrue.dtype == ScalarType.Int64 ? yTrue.alias() : yTrue.to_type(ScalarType.Int64);
            if (labels.dim() == yPred.dim() && labels.shape[labels.dim() - 1] == 1)
            {
                var squeezed = labels.squeeze(-1);
                labels.Dispose();
                return squeezed;
            }
            return labels;
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["ignore_class"] = IgnoreClass;
            return c;
        }

        internal static SparseCategoricalCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "sparse_categorical_crossentropy");
            return new SparseCategoricalCrossentropy(c.Bool("from_logits", false), c.OptionalInt("ignore_class"), a.Reduction, c.Int("axis", -1), a.Name, a.Dtype);
        }
    }
}

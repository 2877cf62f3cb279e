using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.BinaryCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1)</c>: the element-wise binary
    /// cross-entropy averaged over <see cref="Axis"/>; label smoothing moves targets towards ½
    /// (y·(1 - s) + ½s); probabilities are clipped to [epsilon, 1 - epsilon].
    /// </summary>
    [KerasClass("BinaryCrossentropy", "binary_crossentropy")]
    public sealed class BinaryCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1, string? reduction = "sum_over_batch_size",
            string name = "binary_crossentropy", string? dtype = null)
            : base(name, reduction, dtype)
        {
            FromLogits = fromLogits;
            LabelSmoothing = labelSmoothing;
            Axis = axis;
        }

        /// <summary>Whether predictions are logits.</summary>
        public bool FromLogits { get; }

        /// <summary>label_smoothing.</summary>
        public double LabelSmoothing { get; }

        /// <summary>The axis the element-wise losses are averaged over.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var target = Smoothed(yTrue, LabelSmoothing);
            using var elementwise = Elementwise(target, yPred, FromLogits);
            return elementwise.mean(new long[] { Axis });
        }

        /// <summary>Keras' binary label smoothing: y·(1 - s) + ½s (the labels themselves when s is 0).</summary>
        internal static Tensor Smoothed(Tensor yTrue, double smoothing) =>
            smoothing == 0 ? yTrue.alias() : yTrue.mul(1.0 - smoothing).add_(0.5 * smoothing);

        /// <summary>The backend's <c>binary_crossentropy(target, output, from_logits)</c>, element-wise.</summary>
        internal static Tensor Elementwise(Tensor target, Tensor output, bool fromLogits)
        {
            if (!System.Linq.Enumerable.SequenceEqual(target.shape, output.shape))
                throw new KerasArgumentException(
                    $"Arguments `target` and `output` must have the same shape. Received: target.shape=({string.Join(", ", target.shape)}), " +
                    $"output.shape=({string.Join(", ", output.shape)})");
            if (fromLogits) return nn.functional.binary_cross_entropy_with_logits(output, target, reduction: nn.Reduction.None);
            using var p = output.clamp(Eps, 1 - Eps);
            using var logP = p.log();
            using var logOneMinusP = p.neg().add_(1).log_();
            using var oneMinusT = target.neg().add_(1);
            using var a = target.mul(logP);
            using var b = oneMinusT.mul(logOneMinusP);
            return a.add(b).neg_();
        }

        /// <inheritdoc />
        public override System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["label_smoothing"] = LabelSmoothing;
            c["axis"] = Axis;
            return c;
        }

        internal static BinaryCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "binary_crossentropy");
            return new BinaryCrossentropy(c.Bool("from_logits", false), c.Double("label_smoothing", 0.0), c.Int("axis", -1), a.Reduction, a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.CategoricalCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1)</c> on one-hot targets:
    /// -sum(y·log p) along <see cref="Axis"/>; label smoothing gives y·(1 - s) + s / classes; probabilities are normalized
    /// to sum 1 and clipped to [epsilon, 1 - epsilon], logits go through log_softmax.
    /// </summary>
    [KerasClass("CategoricalCrossentropy", "categorical_crossentropy")]
    public sealed class CategoricalCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1, string? reduction = "sum_over_batch_size",
            string name = "categorical_crossentropy", string? dtype = null)
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

        /// <summary>The class axis.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            CheckShapes(yTrue, yPred);
            using var target = Smoothed(yTrue, LabelSmoothing);
            using var logP = LogProbabilities(yPred, FromLogits, Axis);
            using var product = target.mul(logP);
            return product.sum(new long[] { Axis }).neg_();
        }

        internal static void CheckShapes(Tensor target, Tensor output)
        {
            if (!System.Linq.Enumerable.SequenceEqual(target.shape, output.shape))
                throw new KerasArgumentException(
                    $"Arguments `target` and `output` must have the same shape. Received: target.shape=({string.Join(", ", target.shape)}), " +
                    $"output.shape=({string.Join(", ", output.shape)})");
        }

        /// <summary>Keras' categorical label smoothing: y·(1 - s) + s / classes (classes: the last axis).</summary>
        internal static Tensor Smoothed(Tensor yTrue, double smoothing) =>
            smoothing == 0 ? yTrue.alias() : yTrue.mul(1.0 - smoothing).add_(smoothing / yTrue.shape[yTrue.dim() - 1]);

        /// <summary>log-probabilities as Keras computes them: log_softmax for logits; normalise then clip otherwise.</summary>
        internal static Tensor LogProbabilities(Tensor yPred, bool fromLogits, long axis = -1)
        {
            if (fromLogits) return yPred.log_softmax(axis);
            using var normalised = Probabilities(yPred, axis);
            return normalised.log();
        }

        /// <summary>Probabilities normalized to sum 1 along <paramref name="axis"/> and clipped to [epsilon, 1 - epsilon].</summary>
        internal static Tensor Probabilities(Tensor yPred, long axis)
        {
            using var total = yPred.sum(new long[] { axis }, keepdim: true);
            using var normalised = yPred.div(total);
            return normalised.clamp(Eps, 1 - Eps);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["label_smoothing"] = LabelSmoothing;
            c["axis"] = Axis;
            return c;
        }

        internal static CategoricalCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "categorical_crossentropy");
            return new CategoricalCrossentropy(c.Bool("from_logits", false), c.Double("label_smoothing", 0.0), c.Int("axis", -1), a.Reduction, a.Name, a.Dtype);
        }
    }
}

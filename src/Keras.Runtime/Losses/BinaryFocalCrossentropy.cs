using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.BinaryFocalCrossentropy(apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
    /// label_smoothing=0.0, axis=-1)</c>: the binary cross-entropy scaled by (1 - p_t)^gamma, p_t = y·p + (1 - y)(1 - p),
    /// and with class balancing by y·alpha + (1 - y)(1 - alpha); averaged over <see cref="Axis"/>.
    /// </summary>
    [KerasClass("BinaryFocalCrossentropy", "binary_focal_crossentropy")]
    public sealed class BinaryFocalCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public BinaryFocalCrossentropy(bool applyClassBalancing = false, double alpha = 0.25, double gamma = 2.0, bool fromLogits = false,
            double labelSmoothing = 0.0, int axis = -1, string? reduction = "sum_over_batch_size", string name = "binary_focal_crossentropy", string? dtype = null)
            : base(name, reduction, dtype)
        {
            ApplyClassBalancing = applyClassBalancing;
            Alpha = alpha;
            Gamma = gamma;
            FromLogits = fromLogits;
            LabelSmoothing = labelSmoothing;
            Axis = axis;
        }

        /// <summary>apply_class_balancing.</summary>
        public bool ApplyClassBalancing { get; }

        /// <summary>alpha.</summary>
        public double Alpha { get; }

        /// <summary>gamma.</summary>
        public double Gamma { get; }

        /// <summary>from_logits.</summary>
        public bool FromLogits { get; }

        /// <summary>label_smoothing.</summary>
        public double LabelSmoothing { get; }

        /// <summary>axis.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var target = BinaryCrossentropy.Smoothed(yTrue, LabelSmoothing);
            using var p = FromLogits ? yPred.sigmoid() : yPred.alias();
            using var bce = BinaryCrossentropy.Elementwise(target, p, fromLogits: false);
            using var oneMinusT = target.neg().add_(1.0);
            using var oneMinusP = p.neg().add_(1.0);
            using var negatives = oneMinusT.mul(oneMinusP);
            using var pt = target.mul(p).add_(negatives);
            using var focal = pt.neg().add_(1.0).pow_(Gamma);
            using var value = focal.mul(bce);
            if (ApplyClassBalancing)
            {
                using var negativeWeight = oneMinusT.mul(1.0 - Alpha);
                using var weight = target.mul(Alpha).add_(negativeWeight);
                value.mul_(weight);
            }
            return value.mean(new long[] { Axis });
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["label_smoothing"] = LabelSmoothing;
            c["axis"] = Axis;
            c["apply_class_balancing"] = ApplyClassBalancing;
            c["alpha"] = Alpha;
            c["gamma"] = Gamma;
            return c;
        }

        internal static BinaryFocalCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "binary_focal_crossentropy");
            return new BinaryFocalCrossentropy(c.Bool("apply_class_balancing", false), c.Double("alpha", 0.25), c.Double("gamma", 2.0),
                c.Bool("from_logits", false), c.Double("label_smoothing", 0.0), c.Int("axis", -1), a.Reduction, a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
    /// axis=-1)</c>: sum along <see cref="Axis"/> of alpha·(1 - p)^gamma·(-y·log p), p normalized and clipped (softmax
    /// first for logits).
    /// </summary>
    [KerasClass("CategoricalFocalCrossentropy", "categorical_focal_crossentropy")]
    public sealed class CategoricalFocalCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CategoricalFocalCrossentropy(double alpha = 0.25, double gamma = 2.0, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1,
            string? reduction = "sum_over_batch_size", string name = "categorical_focal_crossentropy", string? dtype = null)
            : base(name, reduction, dtype)
        {
            Alpha = alpha;
            Gamma = gamma;
            FromLogits = fromLogits;
            LabelSmoothing = labelSmoothing;
            Axis = axis;
        }

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
            using var target = CategoricalCrossentropy.Smoothed(yTrue, LabelSmoothing);
            using var probabilities = FromLogits ? yPred.softmax(Axis) : yPred.alias();
            using var output = CategoricalCrossentropy.Probabilities(probabilities, Axis);
            using var log = output.log();
            using var cce = target.mul(log).neg_();
            using var modulating = output.neg().add_(1.0).pow_(Gamma).mul_(Alpha);
            using var focal = modulating.mul(cce);
            return focal.sum(new long[] { Axis });
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["label_smoothing"] = LabelSmoothing;
            c["axis"] = Axis;
            c["alpha"] = Alpha;
            c["gamma"] = Gamma;
            return c;
        }

        internal static CategoricalFocalCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "categorical_focal_crossentropy");
            return new CategoricalFocalCrossentropy(c.Double("alpha", 0.25), c.Double("gamma", 2.0), c.Bool("from_logits", false),
                c.Double("label_smoothing", 0.0), c.Int("axis", -1), a.Reduction, a.Name, a.Dtype);
        }
    }
}

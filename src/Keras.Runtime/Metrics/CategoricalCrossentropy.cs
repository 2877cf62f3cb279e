using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.CategoricalCrossentropy</c>: the running mean of the categorical cross-entropy.</summary>
    [KerasClass("CategoricalCrossentropy")]
    public sealed class CategoricalCrossentropy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public CategoricalCrossentropy(string name = "categorical_crossentropy", string? dtype = null, bool fromLogits = false, double labelSmoothing = 0.0, int axis = -1) : base(name, dtype)
        {
            FromLogits = fromLogits;
            LabelSmoothing = labelSmoothing;
            Axis = axis;
        }

        /// <summary>from_logits.</summary>
        public bool FromLogits { get; }

        /// <summary>label_smoothing.</summary>
        public double LabelSmoothing { get; }

        /// <summary>axis.</summary>
        public int Axis { get; }

        private Losses.Loss Loss => _loss ??= new Losses.CategoricalCrossentropy(FromLogits, LabelSmoothing, Axis);
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["label_smoothing"] = LabelSmoothing;
            c["axis"] = Axis;
            return c;
        }

        internal static new CategoricalCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "categorical_crossentropy");
            return new CategoricalCrossentropy(a.Name, a.Dtype, c.Bool("from_logits", false), c.Double("label_smoothing", 0.0), c.Int("axis", -1));
        }
    }
}

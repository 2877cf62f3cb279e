using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.BinaryCrossentropy</c>: the running mean of the binary cross-entropy.</summary>
    [KerasClass("BinaryCrossentropy")]
    public sealed class BinaryCrossentropy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public BinaryCrossentropy(string name = "binary_crossentropy", string? dtype = null, bool fromLogits = false, double labelSmoothing = 0.0) : base(name, dtype)
        {
            FromLogits = fromLogits;
            LabelSmoothing = labelSmoothing;
        }

        /// <summary>from_logits.</summary>
        public bool FromLogits { get; }

        /// <summary>label_smoothing.</summary>
        public double LabelSmoothing { get; }

        private Losses.Loss Loss => _loss ??= new Losses.BinaryCrossentropy(FromLogits, LabelSmoothing);
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["label_smoothing"] = LabelSmoothing;
            return c;
        }

        internal static new BinaryCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "binary_crossentropy");
            return new BinaryCrossentropy(a.Name, a.Dtype, c.Bool("from_logits", false), c.Double("label_smoothing", 0.0));
        }
    }
}

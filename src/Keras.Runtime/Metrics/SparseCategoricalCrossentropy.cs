using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.SparseCategoricalCrossentropy</c>: the running mean of the sparse categorical cross-entropy.</summary>
    [KerasClass("SparseCategoricalCrossentropy")]
    public sealed class SparseCategoricalCrossentropy : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public SparseCategoricalCrossentropy(string name = "sparse_categorical_crossentropy", string? dtype = null, bool fromLogits = false, int axis = -1) : base(name, dtype)
        {
            FromLogits = fromLogits;
            Axis = axis;
        }

        /// <summary>from_logits.</summary>
        public bool FromLogits { get; }

        /// <summary>axis.</summary>
        public int Axis { get; }

        private Losses.Loss Loss => _loss ??= new Losses.SparseCategoricalCrossentropy(FromLogits, axis: Axis);
        private Losses.Loss? _loss;

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Loss.Unreduced(yTrue, yPred, out _);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["from_logits"] = FromLogits;
            c["axis"] = Axis;
            return c;
        }

        internal static new SparseCategoricalCrossentropy FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "sparse_categorical_crossentropy");
            return new SparseCategoricalCrossentropy(a.Name, a.Dtype, c.Bool("from_logits", false), c.Int("axis", -1));
        }
    }
}

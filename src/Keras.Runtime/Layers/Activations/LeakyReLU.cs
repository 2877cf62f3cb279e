using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.LeakyReLU(negative_slope=0.3)</c>: x for x ≥ 0, negative_slope·x below. Configs written by tf.keras
    /// name the slope <c>alpha</c>; both keys load.
    /// </summary>
    [KerasClass("LeakyReLU")]
    public sealed class LeakyReLU : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Creates the layer.</summary>
        public LeakyReLU(double negativeSlope = 0.3, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (Shared.KerasArgumentRules.LeakyReluNegativeSlope.Problem(negativeSlope) is { } problem) throw new KerasArgumentException(problem, nameof(negativeSlope));
            NegativeSlope = negativeSlope;
        }

        /// <summary>Slope for negative inputs.</summary>
        public double NegativeSlope { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["negative_slope"] = NegativeSlope;
            return c;
        }

        internal static LeakyReLU FromConfig(ConfigReader c)
        {
            // Keras 3 takes tf.keras' "alpha" in place of negative_slope (with a deprecation warning).
            double slope = c.Has("alpha") ? c.Double("alpha") : c.Double("negative_slope", 0.3);
            c.Ignore("negative_slope", "alpha");
            return new LeakyReLU(slope, c.Name);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => nn.functional.leaky_relu(inputs, NegativeSlope);
    }
}

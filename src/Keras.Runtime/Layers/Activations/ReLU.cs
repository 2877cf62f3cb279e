using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.ReLU(max_value=None, negative_slope=0.0, threshold=0.0)</c>: x for threshold ≤ x (capped at
    /// max_value), negative_slope·(x - threshold) below the threshold (Keras' <c>activations.relu</c>).
    /// </summary>
    [KerasClass("ReLU")]
    public sealed class ReLU : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Creates the layer.</summary>
        public ReLU(double? maxValue = null, double negativeSlope = 0.0, double threshold = 0.0, string? name = null, bool trainable = true,
            string? dtype = null)
            : base(name, trainable, dtype)
        {
            if (maxValue is double m && Shared.KerasArgumentRules.ReluMaxValue.Problem(m) is { } maxProblem)
                throw new KerasArgumentException(maxProblem, nameof(maxValue));
            if (Shared.KerasArgumentRules.ReluNegativeSlope.Problem(negativeSlope) is { } slopeProblem)
                throw new KerasArgumentException(slopeProblem, nameof(negativeSlope));
            if (Shared.KerasArgumentRules.ReluThreshold.Problem(threshold) is { } thresholdProblem)
                throw new KerasArgumentException(thresholdProblem, nameof(threshold));
            MaxValue = maxValue;
            NegativeSlope = negativeSlope;
            Threshold = threshold;
        }

        internal static string Py(double v) => ConfigReader.Invariant(v) is var s && !s.Contains('.') && !s.Contains('E') && !s.Contains("Infinity") && !s.Contains("NaN") ? s + ".0" : s;

        /// <summary>The cap, or null.</summary>
        public double? MaxValue { get; }
        /// <summary>Slope below the threshold.</summary>
        public double NegativeSlope { get; }
        /// <summary>Where the linear part starts.</summary>
        public double Threshold { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["max_value"] = MaxValue;
            c["negative_slope"] = NegativeSlope;
            c["threshold"] = Threshold;
            return c;
        }

        internal static ReLU FromConfig(ConfigReader c) =>
            new ReLU(c.OptionalDouble("max_value"), c.Double("negative_slope", 0.0), c.Double("threshold", 0.0), c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (NegativeSlope != 0 && MaxValue == null && Threshold == 0) return nn.functional.leaky_relu(inputs, NegativeSlope);
            Tensor positive;
            if (Threshold != 0)
            {
                using var above = inputs.gt(Threshold);
                using var zero = torch.zeros_like(inputs);
                positive = torch.where(above, inputs, zero);
            }
            else positive = nn.functional.relu(inputs);
            if (MaxValue is double max)
            {
                using var uncapped = positive;
                positive = uncapped.clamp(0.0, max);
            }
            if (NegativeSlope == 0) return positive;
            using (positive)
            {
                using var shifted = inputs.neg();
                using var below = Threshold != 0 ? shifted.add(Threshold) : shifted.alias();
                using var negative = nn.functional.relu(below);
                using var scaled = negative.mul(NegativeSlope);
                return positive.sub(scaled);
            }
        }
    }
}

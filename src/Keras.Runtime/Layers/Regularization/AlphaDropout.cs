using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.AlphaDropout(rate, noise_shape=None, seed=None)</c>, for SELU networks: during training dropped
    /// inputs are set to SELU's negative saturation <c>α' = -λα</c> and the result is affinely corrected,
    /// <c>y = a·(x·keep + α'·(1 - keep)) + b</c> with <c>a = ((1 - rate)(1 + rate·α'²))^-½</c> and <c>b = -a·α'·rate</c>, so
    /// the mean and variance are kept; the identity otherwise. <c>noise_shape</c> (null entries = the input's size) lets
    /// one draw cover several entries.
    /// </summary>
    [KerasClass("AlphaDropout")]
    public sealed class AlphaDropout : Layer
    {
        private const double Alpha = 1.6732632423543772848170429916717;
        private const double SeluScale = 1.0507009873554804934193349852946;
        private readonly SeedGenerators? _generator;
        private readonly long?[]? _noiseShape;

        /// <summary>Creates the layer.</summary>
        public AlphaDropout(double rate, long?[]? noiseShape = null, int? seed = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            if (double.IsNaN(rate) || rate < 0 || rate > 1)
                throw new KerasArgumentException(
                    $"Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}", nameof(rate));
            Rate = rate;
            Seed = seed;
            _noiseShape = noiseShape == null ? null : (long?[])noiseShape.Clone();
            if (rate > 0) _generator = new SeedGenerators(seed);
        }

        /// <summary>The drop probability.</summary>
        public double Rate { get; }
        /// <summary>The seed given, or null.</summary>
        public int? Seed { get; }
        /// <summary>The noise shape (null entries take the input's size), or null for the input's shape.</summary>
        public System.Collections.Generic.IReadOnlyList<long?>? NoiseShape => _noiseShape;

        internal override System.Collections.Generic.IReadOnlyList<Generator> RandomGenerators =>
            _generator == null ? System.Array.Empty<Generator>() : _generator.All;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rate"] = Rate;
            c["seed"] = Seed;
            c["noise_shape"] = _noiseShape == null ? null : new JsonArray(_noiseShape.Select(d => d is long v ? (JsonNode)JsonValue.Create(v) : null).ToArray());
            return c;
        }

        internal static AlphaDropout FromConfig(ConfigReader c)
        {
            var node = c.Raw("noise_shape");
            long?[]? noise = null;
            if (node is JsonArray list)
                noise = list.Select(d => d is null ? (long?)null
                    : d is JsonValue v && v.TryGetValue<long>(out long n) && n > 0 ? n : throw c.Error("noise_shape", "a list of positive integers or nulls")).ToArray();
            else if (node != null) throw c.Error("noise_shape", "a list of positive integers or nulls, or null");
            return new AlphaDropout(c.Double("rate"), noise, c.OptionalInt("seed", min: 0), c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (_noiseShape == null) return;
            if (_noiseShape.Length != inputShape.Length)
                throw new KerasArgumentException(
                    $"Layer \"{Name}\": `noise_shape` must have one entry per input axis ({inputShape.Length} for input shape {FormatShape(inputShape)}). " +
                    $"Received: noise_shape=({string.Join(", ", _noiseShape.Select(d => d?.ToString() ?? "None"))})");
            for (int i = 0; i < inputShape.Length; i++)
                if (_noiseShape[i] is long d && d != 1 && inputShape[i] >= 0 && d != inputShape[i])
                    throw new KerasArgumentException(
                        $"Layer \"{Name}\": `noise_shape` entry {i} ({d}) must be 1 or the input's size {inputShape[i]} to broadcast (input shape {FormatShape(inputShape)}).");
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (training != true || Rate == 0 || _generator == null) return inputs.alias();
            long[] shape = inputs.shape;
            var noise = _noiseShape == null ? shape : shape.Select((s, i) => _noiseShape[i] ?? s).ToArray();
            double alphaP = -Alpha * SeluScale;
            double a = Math.Pow((1 - Rate) * (1 + Rate * alphaP * alphaP), -0.5);
            double b = -a * alphaP * Rate;
            using var uniform = _generator.Uniform(noise, inputs);
            using var keep = uniform.ge(Rate).to_type(inputs.dtype);
            using var kept = inputs.mul(keep);
            using var dropped = keep.neg().add_(1.0).mul_(alphaP);
            using var x = kept.add(dropped);
            return x.mul(a).add_(b);
        }
    }
}

using System;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GaussianDropout(rate, seed=None)</c>: during training multiplies the inputs by Gaussian noise of
    /// mean 1 and standard deviation <c>sqrt(rate / (1 - rate))</c>; the identity otherwise.
    /// </summary>
    [KerasClass("GaussianDropout")]
    public sealed class GaussianDropout : Layer
    {
        private readonly SeedGenerators? _generator;

        /// <summary>Creates the layer.</summary>
        public GaussianDropout(double rate, int? seed = null, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (double.IsNaN(rate) || rate < 0 || rate > 1)
                throw new KerasArgumentException(
                    $"Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}", nameof(rate));
            Rate = rate;
            Seed = seed;
            if (rate > 0) _generator = new SeedGenerators(seed);
        }

        /// <summary>The drop probability the noise corresponds to.</summary>
        public double Rate { get; }
        /// <summary>The seed given, or null.</summary>
        public int? Seed { get; }

        internal override System.Collections.Generic.IReadOnlyList<Generator> RandomGenerators =>
            _generator == null ? System.Array.Empty<Generator>() : _generator.All;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rate"] = Rate;
            c["seed"] = Seed;
            return c;
        }

        internal static GaussianDropout FromConfig(ConfigReader c) => new GaussianDropout(c.Double("rate"), c.OptionalInt("seed", min: 0), c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (training != true || Rate == 0 || _generator == null) return inputs.alias();
            double stddev = Math.Sqrt(Rate / (1.0 - Rate));
            using var standard = _generator.Normal(inputs);
            using var noise = standard.mul(stddev).add_(1.0);
            return inputs.mul(noise);
        }
    }
}

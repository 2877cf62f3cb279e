using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GaussianNoise(stddev, seed=None)</c>: during training adds zero-mean Gaussian noise of standard
    /// deviation <c>stddev</c> (drawn in the compute dtype); the identity otherwise.
    /// </summary>
    [KerasClass("GaussianNoise")]
    public sealed class GaussianNoise : Layer
    {
        private readonly SeedGenerators? _generator;

        /// <summary>Creates the layer.</summary>
        public GaussianNoise(double stddev, int? seed = null, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (double.IsNaN(stddev) || stddev < 0 || stddev > 1)
                throw new KerasArgumentException(
                    $"Invalid value received for argument `stddev`. Expected a float value between 0 and 1. Received: stddev={stddev}", nameof(stddev));
            Stddev = stddev;
            Seed = seed;
            if (stddev > 0) _generator = new SeedGenerators(seed);
        }

        /// <summary>The noise's standard deviation.</summary>
        public double Stddev { get; }
        /// <summary>The seed given, or null.</summary>
        public int? Seed { get; }

        internal override System.Collections.Generic.IReadOnlyList<Generator> RandomGenerators =>
            _generator == null ? System.Array.Empty<Generator>() : _generator.All;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["stddev"] = Stddev;
            c["seed"] = Seed;
            return c;
        }

        internal static GaussianNoise FromConfig(ConfigReader c) => new GaussianNoise(c.Double("stddev"), c.OptionalInt("seed", min: 0), c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (training != true || Stddev == 0 || _generator == null) return inputs.alias();
            using var noise = _generator.Normal(inputs);
            return inputs.add(noise, alpha: Stddev);
        }
    }
}

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
    /// Keras' <c>BaseSpatialDropout</c> (SpatialDropout1D/2D/3D): during training whole feature maps are dropped, one
    /// keep/drop draw per (example, channel) broadcast over the steps or spatial axes, kept ones scaled by 1/(1-rate);
    /// the identity otherwise. Keras' config for these layers holds only <c>rate</c>, <c>seed</c>, <c>name</c>,
    /// <c>dtype</c> (and <c>data_format</c> for 2D/3D), no <c>trainable</c>; this runtime writes the same.
    /// </summary>
    public abstract class BaseSpatialDropout : Layer
    {
        private readonly SeedGenerators? _generator;

        private protected BaseSpatialDropout(int rank, double rate, string? dataFormat, int? seed, string? name, string? dtype) : base(name, true, dtype)
        {
            if (double.IsNaN(rate) || rate < 0 || rate > 1)
                throw new KerasArgumentException(
                    $"Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}", nameof(rate));
            Rank = rank;
            Rate = rate;
            Seed = seed;
            DataFormat = rank == 1 ? "channels_last" : ImageFormats.Standardize(dataFormat);
            if (rate > 0) _generator = new SeedGenerators(seed);
        }

        /// <summary>Number of steps/spatial axes (1, 2 or 3).</summary>
        public int Rank { get; }
        /// <summary>The drop probability of each feature map.</summary>
        public double Rate { get; }
        /// <summary>The seed given, or null.</summary>
        public int? Seed { get; }
        /// <summary>"channels_last" or "channels_first" (always channels_last for 1D).</summary>
        public string DataFormat { get; }

        internal override System.Collections.Generic.IReadOnlyList<Generator> RandomGenerators =>
            _generator == null ? System.Array.Empty<Generator>() : _generator.All;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = new JsonObject
            {
                ["rate"] = Rate,
                ["seed"] = Seed,
                ["name"] = Name,
                // Keras writes layer.dtype here: the variable dtype's name.
                ["dtype"] = VariableDtype,
            };
            if (Rank > 1) c["data_format"] = DataFormat;
            return c;
        }

        private protected static (double Rate, int? Seed) Read(ConfigReader c) => (c.Double("rate"), c.OptionalInt("seed", min: 0));

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (training != true || Rate == 0 || _generator == null) return inputs.alias();
            if (Rate >= 1) return torch.zeros_like(inputs);
            long[] shape = inputs.shape;
            var noise = Enumerable.Repeat(1L, shape.Length).ToArray();
            noise[0] = shape[0];
            int channelAxis = DataFormat == "channels_last" ? shape.Length - 1 : 1;
            noise[channelAxis] = shape[channelAxis];
            using var uniform = _generator.Uniform(noise, inputs);
            using var keep = uniform.ge(Rate);
            using var kept = inputs.mul(keep);
            return kept.div(1 - Rate);
        }
    }
}

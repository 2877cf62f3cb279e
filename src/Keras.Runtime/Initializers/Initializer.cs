using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary>
    /// <c>keras.initializers.Initializer</c>: makes the initial value of a variable. Values are drawn on the CPU from
    /// the initializer's own seed (the same values on every device); the layer moves them to the current device.
    /// </summary>
    [KerasKind("keras.initializers", "initializer")]
    public abstract class Initializer : IKerasConfigurable
    {
        /// <summary>Returns a new tensor of <paramref name="shape"/> in <paramref name="dtype"/> (a Keras dtype name).</summary>
        public abstract Tensor Call(long[] shape, string dtype);

        /// <summary>Keras' <c>get_config()</c>: the constructor arguments.</summary>
        public virtual JsonObject GetConfig() => new JsonObject();

        /// <summary>Keras' fan computation (<c>compute_fans</c>).</summary>
        protected static (double FanIn, double FanOut) ComputeFans(long[] shape)
        {
            if (shape.Length == 0) return (1, 1);
            if (shape.Length == 1) return (shape[0], shape[0]);
            if (shape.Length == 2) return (shape[0], shape[1]);
            double receptive = 1;
            for (int i = 0; i < shape.Length - 2; i++) receptive *= shape[i];
            return (shape[shape.Length - 2] * receptive, shape[shape.Length - 1] * receptive);
        }

        /// <summary>
        /// <c>keras.initializers.get(identifier)</c>: a name Keras resolves ("glorot_uniform", "he_normal", "zeros",
        /// "uniform", ...; class names too). Unknown names fail with Keras' message and the nearest known name.
        /// </summary>
        public static Initializer Get(string identifier)
        {
            if (identifier is null) throw new Errors.KerasArgumentException("Could not interpret initializer identifier: None", nameof(identifier));
            return KerasObjects.Deserialize<Initializer>(JsonValue.Create(identifier)!, "keras.initializers.get");
        }

        /// <summary>
        /// Keras' <c>initializer.__class__.from_config(initializer.get_config())</c>: a copy, used where Keras gives each
        /// sublayer its own initializer (an unseeded copy draws a new seed, so the copies fill their weights differently).
        /// </summary>
        internal Initializer CloneFromConfig() =>
            SavingLib.KerasCatalog.Of(GetType()) == null ? this : SavingLib.KerasObjects.Deserialize<Initializer>(SavingLib.KerasObjects.Serialize(this), "clone");

        /// <summary>Casts a float32/float64 CPU tensor to the variable dtype (a new tensor).</summary>
        private protected static Tensor As(Tensor value, string dtype)
        {
            using (value) return value.to_type(Interop.Dtypes.ToScalarType(dtype));
        }
    }

    /// <summary>
    /// Keras' <c>RandomInitializer</c>: the seed given (or none), and the seed in use. Without a seed one is drawn when
    /// the initializer is created (reproducible after <see cref="Utils.SetRandomSeed"/>), so an instance returns the
    /// same values at every call, as Keras' unseeded initializers do. Configs record the seed as given (null when none).
    /// </summary>
    public abstract class RandomInitializer : Initializer
    {
        /// <summary>Creates the initializer.</summary>
        protected RandomInitializer(int? seed)
        {
            InitSeed = seed;
            Seed = seed ?? State.KerasRandom.NextSeed();
        }

        /// <summary>The seed in use.</summary>
        public int Seed { get; }

        /// <summary>The seed passed to the constructor, or null.</summary>
        public int? InitSeed { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["seed"] = InitSeed };

        /// <summary>A CPU generator seeded with <see cref="Seed"/>.</summary>
        private protected Generator NewGenerator() => new Generator(unchecked((ulong)Seed));

        /// <summary>Uniform values in [<paramref name="min"/>, <paramref name="max"/>), float32.</summary>
        private protected Tensor Uniform(long[] shape, double min, double max)
        {
            using var generator = NewGenerator();
            using var unit = torch.rand(shape, ScalarType.Float32, generator: generator);
            return unit.mul(max - min).add_(min);
        }

        /// <summary>Normal values, float32.</summary>
        private protected Tensor Normal(long[] shape, double mean, double stddev)
        {
            using var generator = NewGenerator();
            using var unit = torch.randn(shape, ScalarType.Float32, generator: generator);
            return unit.mul(stddev).add_(mean);
        }

        /// <summary>Normal values with those beyond two standard deviations redrawn (Keras' truncated normal), float32.</summary>
        private protected Tensor TruncatedNormal(long[] shape, double mean, double stddev)
        {
            using var generator = NewGenerator();
            var unit = torch.randn(shape, ScalarType.Float32, generator: generator);
            for (int round = 0; round < 64; round++)
            {
                using var magnitude = unit.abs();
                using var outside = magnitude.gt(2.0); // a boolean mask (gt_ would keep the float dtype)
                using var anyOutside = outside.any();
                if (!anyOutside.item<bool>()) break;
                using var redraw = torch.randn(shape, ScalarType.Float32, generator: generator);
                using var replacements = redraw.masked_select(outside);
                unit.masked_scatter_(outside, replacements);
            }
            unit.clamp_(-2.0, 2.0); // after 64 rounds nothing is left outside in practice; the clamp makes it certain
            using (unit) return unit.mul(stddev).add_(mean);
        }
    }
}

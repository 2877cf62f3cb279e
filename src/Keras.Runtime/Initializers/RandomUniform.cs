using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.RandomUniform(minval=-0.05, maxval=0.05, seed=None)</c>.</summary>
    [KerasClass("RandomUniform")]
    public sealed class RandomUniform : RandomInitializer
    {
        /// <summary>Creates the initializer.</summary>
        public RandomUniform(double minval = -0.05, double maxval = 0.05, int? seed = null) : base(seed)
        {
            Minval = minval;
            Maxval = maxval;
        }

        /// <summary>Lower bound (inclusive).</summary>
        public double Minval { get; }

        /// <summary>Upper bound (exclusive).</summary>
        public double Maxval { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => As(Uniform(shape, Minval, Maxval), dtype);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["minval"] = Minval;
            c["maxval"] = Maxval;
            return c;
        }

        internal static RandomUniform FromConfig(ConfigReader config) =>
            new RandomUniform(config.Double("minval", -0.05), config.Double("maxval", 0.05), config.OptionalInt("seed", min: 0));
    }
}

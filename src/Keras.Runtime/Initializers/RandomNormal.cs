using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.RandomNormal(mean=0.0, stddev=0.05, seed=None)</c>.</summary>
    [KerasClass("RandomNormal")]
    public sealed class RandomNormal : RandomInitializer
    {
        /// <summary>Creates the initializer.</summary>
        public RandomNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : base(seed)
        {
            Mean = mean;
            Stddev = stddev;
        }

        /// <summary>Mean.</summary>
        public double Mean { get; }

        /// <summary>Standard deviation.</summary>
        public double Stddev { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => As(Normal(shape, Mean, Stddev), dtype);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["mean"] = Mean;
            c["stddev"] = Stddev;
            return c;
        }

        internal static RandomNormal FromConfig(ConfigReader config) =>
            new RandomNormal(config.Double("mean", 0.0), config.Double("stddev", 0.05), config.OptionalInt("seed", min: 0));
    }
}

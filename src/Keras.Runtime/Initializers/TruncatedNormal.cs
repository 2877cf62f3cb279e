using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary>
    /// <c>keras.initializers.TruncatedNormal(mean=0.0, stddev=0.05, seed=None)</c>: normal values, those more than two
    /// standard deviations from the mean redrawn.
    /// </summary>
    [KerasClass("TruncatedNormal")]
    public sealed class TruncatedNormal : RandomInitializer
    {
        /// <summary>Creates the initializer.</summary>
        public TruncatedNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : base(seed)
        {
            Mean = mean;
            Stddev = stddev;
        }

        /// <summary>Mean.</summary>
        public double Mean { get; }

        /// <summary>Standard deviation before truncation.</summary>
        public double Stddev { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => As(TruncatedNormal(shape, Mean, Stddev), dtype);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["mean"] = Mean;
            c["stddev"] = Stddev;
            return c;
        }

        internal static TruncatedNormal FromConfig(ConfigReader config) =>
            new TruncatedNormal(config.Double("mean", 0.0), config.Double("stddev", 0.05), config.OptionalInt("seed", min: 0));
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.Constant(value=0.0)</c>: every element is <see cref="Value"/>.</summary>
    [KerasClass("Constant")]
    public sealed class Constant : Initializer
    {
        /// <summary>Creates the initializer.</summary>
        public Constant(double value = 0.0) => Value = value;

        /// <summary>The value.</summary>
        public double Value { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => full(shape, Value, Interop.Dtypes.ToScalarType(dtype));

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["value"] = Value };

        internal static Constant FromConfig(ConfigReader config) => new Constant(config.Double("value", 0.0));
    }
}

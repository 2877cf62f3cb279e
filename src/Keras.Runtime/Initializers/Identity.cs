using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.Identity(gain=1.0)</c>: <c>gain</c> times the identity matrix (2-D shapes only).</summary>
    [KerasClass("Identity")]
    public sealed class Identity : Initializer
    {
        /// <summary>Creates the initializer.</summary>
        public Identity(double gain = 1.0) => Gain = gain;

        /// <summary>The multiplicative factor.</summary>
        public double Gain { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype)
        {
            if (shape.Length != 2)
                throw new KerasArgumentException(
                    $"Identity matrix initializer can only be used for 2D square matrices. Received: shape=({string.Join(", ", shape)}) of rank {shape.Length}.");
            using var eye = torch.eye(shape[0], shape[1], ScalarType.Float32);
            using var scaled = eye.mul(Gain);
            return scaled.to_type(Interop.Dtypes.ToScalarType(dtype));
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["gain"] = Gain };

        internal static Identity FromConfig(ConfigReader config) => new Identity(config.Double("gain", 1.0));
    }
}

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary>
    /// <c>keras.initializers.Orthogonal(gain=1.0, seed=None)</c>: a (semi-)orthogonal matrix from the QR decomposition of
    /// a normal matrix, sign-corrected; Keras' default for recurrent kernels.
    /// </summary>
    [KerasClass("Orthogonal")]
    public sealed class Orthogonal : RandomInitializer
    {
        /// <summary>Creates the initializer.</summary>
        public Orthogonal(double gain = 1.0, int? seed = null) : base(seed) => Gain = gain;

        /// <summary>Multiplicative factor.</summary>
        public double Gain { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype)
        {
            if (shape.Length < 2)
                throw new KerasArgumentException(
                    $"The tensor to initialize must be at least two-dimensional. Received: shape=({string.Join(", ", shape)}) of rank {shape.Length}.");
            long rows = 1;
            for (int i = 0; i < shape.Length - 1; i++) rows *= shape[i];
            long cols = shape[shape.Length - 1];
            using var generator = NewGenerator();
            using var normal = torch.randn(new[] { System.Math.Max(rows, cols), System.Math.Min(rows, cols) }, ScalarType.Float64, generator: generator);
            var (q, r) = torch.linalg.qr(normal);
            using (q)
            using (r)
            {
                using var diagonal = r.diagonal();
                using var signs = diagonal.sign();
                using var corrected = q.mul(signs);
                using var oriented = rows < cols ? corrected.t() : corrected.alias();
                using var scaled = oriented.mul(Gain).reshape(shape);
                using var cast = scaled.to_type(Interop.Dtypes.ToScalarType(dtype));
                return cast.contiguous(); // QR's factor is column-major: variables are stored row-major
            }
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["gain"] = Gain;
            return c;
        }

        internal static Orthogonal FromConfig(ConfigReader config) => new Orthogonal(config.Double("gain", 1.0), config.OptionalInt("seed", min: 0));
    }
}

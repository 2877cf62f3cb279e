using System;
using Keras.Interop;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.Initializer</c>: makes the initial value of a variable.</summary>
    public abstract class Initializer
    {
        /// <summary>Returns a new tensor of <paramref name="shape"/> in <paramref name="dtype"/> (a Keras dtype name).</summary>
        public abstract Tensor Call(long[] shape, string dtype);

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

        /// <summary>Resolves Keras' string identifiers ("glorot_uniform", "zeros", "ones").</summary>
        public static Initializer Get(string identifier) => identifier switch
        {
            "glorot_uniform" or "GlorotUniform" => new GlorotUniform(),
            "zeros" or "Zeros" => new Zeros(),
            "ones" or "Ones" => new Ones(),
            _ => throw new Errors.KerasArgumentException(
                $"Could not interpret initializer identifier: {identifier}. Known here: 'glorot_uniform', 'zeros', 'ones'."),
        };
    }

    /// <summary>
    /// <c>keras.initializers.GlorotUniform(seed=None)</c>: uniform in [-limit, limit], limit = sqrt(6 / (fan_in +
    /// fan_out)). Without a seed one is drawn when the initializer is created (after
    /// <see cref="Utils.SetRandomSeed"/> that draw is reproducible), so an instance returns the same values each call.
    /// </summary>
    public sealed class GlorotUniform : Initializer
    {
        /// <summary>Creates the initializer.</summary>
        public GlorotUniform(int? seed = null) => Seed = seed ?? KerasRandom.NextSeed();

        /// <summary>The seed in use.</summary>
        public int Seed { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype)
        {
            var (fanIn, fanOut) = ComputeFans(shape);
            double limit = Math.Sqrt(6.0 / Math.Max(1.0, fanIn + fanOut));
            using var generator = new Generator((ulong)Seed);
            using var unit = torch.rand(shape, ScalarType.Float32, generator: generator);
            using var scaled = unit.mul(2 * limit).sub_(limit);
            return scaled.to_type(Dtypes.ToScalarType(dtype));
        }
    }

    /// <summary><c>keras.initializers.RandomUniform(minval=-0.05, maxval=0.05, seed=None)</c>.</summary>
    public sealed class RandomUniform : Initializer
    {
        /// <summary>Creates the initializer.</summary>
        public RandomUniform(double minval = -0.05, double maxval = 0.05, int? seed = null)
        {
            Minval = minval;
            Maxval = maxval;
            Seed = seed ?? KerasRandom.NextSeed();
        }

        /// <summary>Lower bound.</summary>
        public double Minval { get; }
        /// <summary>Upper bound.</summary>
        public double Maxval { get; }
        /// <summary>The seed in use.</summary>
        public int Seed { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype)
        {
            using var generator = new Generator((ulong)Seed);
            using var unit = torch.rand(shape, ScalarType.Float32, generator: generator);
            using var scaled = unit.mul(Maxval - Minval).add_(Minval);
            return scaled.to_type(Dtypes.ToScalarType(dtype));
        }
    }

    /// <summary>
    /// <c>keras.initializers.Orthogonal(gain=1.0, seed=None)</c>: a (semi-)orthogonal matrix from the QR decomposition of
    /// a normal matrix, sign-corrected; Keras' default for recurrent kernels.
    /// </summary>
    public sealed class Orthogonal : Initializer
    {
        /// <summary>Creates the initializer.</summary>
        public Orthogonal(double gain = 1.0, int? seed = null)
        {
            Gain = gain;
            Seed = seed ?? KerasRandom.NextSeed();
        }

        /// <summary>Multiplicative factor.</summary>
        public double Gain { get; }
        /// <summary>The seed in use.</summary>
        public int Seed { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype)
        {
            long rows = 1;
            for (int i = 0; i < shape.Length - 1; i++) rows *= shape[i];
            long cols = shape[shape.Length - 1];
            using var generator = new Generator((ulong)Seed);
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
                return scaled.to_type(Dtypes.ToScalarType(dtype));
            }
        }
    }

    /// <summary><c>keras.initializers.Zeros()</c>.</summary>
    public sealed class Zeros : Initializer
    {
        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => torch.zeros(shape, Dtypes.ToScalarType(dtype));
    }

    /// <summary><c>keras.initializers.Ones()</c>.</summary>
    public sealed class Ones : Initializer
    {
        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => torch.ones(shape, Dtypes.ToScalarType(dtype));
    }
}

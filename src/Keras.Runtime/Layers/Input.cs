using System;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.Input(shape, dtype=None, name=None)</c>: a symbolic input. the shape excludes the batch
    /// dimension, which is unknown (-1), as in Keras.
    /// </summary>
    public sealed class Input : KerasTensor
    {
        /// <summary>Creates a symbolic input of per-sample <paramref name="shape"/>.</summary>
        public Input(long[] shape, string? dtype = null, string? name = null)
            : base(WithBatch(shape), dtype, name ?? State.Naming.AutoName("input_layer"))
        {
        }

        private static long[] WithBatch(long[] shape)
        {
            if (shape == null) throw new ArgumentNullException(nameof(shape));
            var full = new long[shape.Length + 1];
            full[0] = -1;
            Array.Copy(shape, 0, full, 1, shape.Length);
            return full;
        }
    }
}

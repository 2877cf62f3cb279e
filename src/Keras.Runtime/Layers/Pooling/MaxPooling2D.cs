using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid", data_format=None)</c>: the maximum
    /// over each window (strides default to the pool size; "same" padding never wins the maximum). See
    /// <see cref="BasePooling"/>.
    /// </summary>
    [KerasClass("MaxPooling2D", "MaxPool2D")]
    public sealed class MaxPooling2D : BasePooling
    {
        /// <summary>Creates the layer with a square pool (strides default to the pool size).</summary>
        public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : this((poolSize, poolSize), strides is int s ? (s, s) : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer.</summary>
        public MaxPooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides, string padding = "valid", string? dataFormat = null,
            string? name = null, bool trainable = true, string? dtype = null)
            : base(2, false, new[] { poolSize.Height, poolSize.Width }, strides is { } s ? new[] { s.Height, s.Width } : null, padding, dataFormat, name,
                trainable, dtype)
        {
        }

        /// <summary>Pool size (the height, for square pools).</summary>
        public int PoolSize => PoolValues[0];
        /// <summary>Strides (the height, for square pools).</summary>
        public int Strides => StrideValues[0];
        /// <summary>Pool height and width.</summary>
        public (int Height, int Width) PoolSize2 => (PoolValues[0], PoolValues[1]);
        /// <summary>Stride height and width.</summary>
        public (int Height, int Width) Strides2 => (StrideValues[0], StrideValues[1]);

        internal static MaxPooling2D FromConfig(ConfigReader c)
        {
            var r = Read(c, 2, new[] { 2, 2 });
            return new MaxPooling2D((r.Pool[0], r.Pool[1]), r.Strides is { } s ? (s[0], s[1]) : null, r.Padding, r.DataFormat, c.Name);
        }
    }
}

using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.AveragePooling2D(pool_size, strides=None, padding="valid", data_format=None)</c>: the average over each window
    /// (strides default to the pool size). See <see cref="BasePooling"/>.
    /// </summary>
    [KerasClass("AveragePooling2D", "AvgPool2D")]
    public sealed class AveragePooling2D : BasePooling
    {
        /// <summary>Creates the layer.</summary>
        public AveragePooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides = null, string padding = "valid", string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(2, true, new[] { poolSize.Height, poolSize.Width }, strides is { } s ? new[] { s.Height, s.Width } : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with a square pool (strides default to the pool size).</summary>
        public AveragePooling2D(int poolSize, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null, bool trainable = true,
            string? dtype = null)
            : this((poolSize, poolSize), strides is int s ? (s, s) : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Pool height and width.</summary>
        public (int Height, int Width) PoolSize => (PoolValues[0], PoolValues[1]);
        /// <summary>Strides.</summary>
        public (int Height, int Width) Strides => (StrideValues[0], StrideValues[1]);

        internal static AveragePooling2D FromConfig(ConfigReader c)
        {
            var r = Read(c, 2, null);
            return new AveragePooling2D((r.Pool[0], r.Pool[1]), r.Strides is { } s ? (s[0], s[1]) : null, r.Padding, r.DataFormat, c.Name);
        }
    }
}

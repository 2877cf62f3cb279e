using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.AveragePooling1D(pool_size, strides=None, padding="valid", data_format=None)</c>: the average over each window
    /// (strides default to the pool size). See <see cref="BasePooling"/>.
    /// </summary>
    [KerasClass("AveragePooling1D", "AvgPool1D")]
    public sealed class AveragePooling1D : BasePooling
    {
        /// <summary>Creates the layer.</summary>
        public AveragePooling1D(int poolSize, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(1, true, new[] { poolSize }, strides is int s ? new[] { s } : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Pool length.</summary>
        public int PoolSize => PoolValues[0];
        /// <summary>Stride.</summary>
        public int Strides => StrideValues[0];

        internal static AveragePooling1D FromConfig(ConfigReader c)
        {
            var r = Read(c, 1, null);
            return new AveragePooling1D(r.Pool[0], r.Strides?[0], r.Padding, r.DataFormat, c.Name);
        }
    }
}

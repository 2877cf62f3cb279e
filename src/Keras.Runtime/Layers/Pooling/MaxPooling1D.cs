using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.MaxPooling1D(pool_size=2, strides=None, padding="valid", data_format=None)</c>: the maximum over each window
    /// (strides default to the pool size). See <see cref="BasePooling"/>.
    /// </summary>
    [KerasClass("MaxPooling1D", "MaxPool1D")]
    public sealed class MaxPooling1D : BasePooling
    {
        /// <summary>Creates the layer.</summary>
        public MaxPooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(1, false, new[] { poolSize }, strides is int s ? new[] { s } : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Pool length.</summary>
        public int PoolSize => PoolValues[0];
        /// <summary>Stride.</summary>
        public int Strides => StrideValues[0];

        internal static MaxPooling1D FromConfig(ConfigReader c)
        {
            var r = Read(c, 1, new[] { 2 });
            return new MaxPooling1D(r.Pool[0], r.Strides?[0], r.Padding, r.DataFormat, c.Name);
        }
    }
}

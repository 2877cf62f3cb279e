using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.MaxPooling3D(pool_size=(2, 2, 2), strides=None, padding="valid", data_format=None)</c>: the maximum over each window
    /// (strides default to the pool size). See <see cref="BasePooling"/>.
    /// </summary>
    [KerasClass("MaxPooling3D", "MaxPool3D")]
    public sealed class MaxPooling3D : BasePooling
    {
        /// <summary>Creates the layer.</summary>
        public MaxPooling3D((int D1, int D2, int D3) poolSize, (int D1, int D2, int D3)? strides = null, string padding = "valid", string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(3, false, Conv3D.Triple(poolSize), strides is { } s ? Conv3D.Triple(s) : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with a cubic pool (strides default to the pool size).</summary>
        public MaxPooling3D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : this((poolSize, poolSize, poolSize), strides is int s ? (s, s, s) : null, padding, dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Pool size per spatial axis.</summary>
        public (int D1, int D2, int D3) PoolSize => (PoolValues[0], PoolValues[1], PoolValues[2]);
        /// <summary>Strides.</summary>
        public (int D1, int D2, int D3) Strides => (StrideValues[0], StrideValues[1], StrideValues[2]);

        internal static MaxPooling3D FromConfig(ConfigReader c)
        {
            var r = Read(c, 3, new[] { 2, 2, 2 });
            return new MaxPooling3D((r.Pool[0], r.Pool[1], r.Pool[2]), r.Strides is { } s ? (s[0], s[1], s[2]) : null, r.Padding, r.DataFormat, c.Name);
        }
    }
}

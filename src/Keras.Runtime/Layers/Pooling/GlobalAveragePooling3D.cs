using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalAveragePooling3D(data_format=None, keepdims=False)</c>: the mean over the 3 spatial axes. See
    /// <see cref="BaseGlobalPooling"/>.
    /// </summary>
    [KerasClass("GlobalAveragePooling3D", "GlobalAvgPool3D")]
    public sealed class GlobalAveragePooling3D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalAveragePooling3D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(3, true, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        internal static GlobalAveragePooling3D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalAveragePooling3D(dataFormat, keepdims, c.Name);
        }
    }
}

using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalMaxPooling3D(data_format=None, keepdims=False)</c>: the maximum over the 3 spatial axes. See
    /// <see cref="BaseGlobalPooling"/>.
    /// </summary>
    [KerasClass("GlobalMaxPooling3D", "GlobalMaxPool3D")]
    public sealed class GlobalMaxPooling3D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalMaxPooling3D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(3, false, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        internal static GlobalMaxPooling3D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalMaxPooling3D(dataFormat, keepdims, c.Name);
        }
    }
}

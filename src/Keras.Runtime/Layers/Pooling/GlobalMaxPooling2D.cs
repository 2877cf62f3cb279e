using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalMaxPooling2D(data_format=None, keepdims=False)</c>: the maximum over the 2 spatial axes. See
    /// <see cref="BaseGlobalPooling"/>.
    /// </summary>
    [KerasClass("GlobalMaxPooling2D", "GlobalMaxPool2D")]
    public sealed class GlobalMaxPooling2D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalMaxPooling2D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(2, false, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        internal static GlobalMaxPooling2D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalMaxPooling2D(dataFormat, keepdims, c.Name);
        }
    }
}

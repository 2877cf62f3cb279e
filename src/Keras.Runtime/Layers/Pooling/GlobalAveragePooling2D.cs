using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalAveragePooling2D(data_format=None, keepdims=False)</c>: the mean over the 2 spatial axes. See
    /// <see cref="BaseGlobalPooling"/>.
    /// </summary>
    [KerasClass("GlobalAveragePooling2D", "GlobalAvgPool2D")]
    public sealed class GlobalAveragePooling2D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalAveragePooling2D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(2, true, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        internal static GlobalAveragePooling2D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalAveragePooling2D(dataFormat, keepdims, c.Name);
        }
    }
}

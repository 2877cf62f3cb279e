using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalAveragePooling1D(data_format=None, keepdims=False)</c>: the mean over the steps axis. See
    /// <see cref="BaseGlobalPooling"/>.
    /// </summary>
    [KerasClass("GlobalAveragePooling1D", "GlobalAvgPool1D")]
    public sealed class GlobalAveragePooling1D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalAveragePooling1D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(1, true, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        internal static GlobalAveragePooling1D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalAveragePooling1D(dataFormat, keepdims, c.Name);
        }
    }
}

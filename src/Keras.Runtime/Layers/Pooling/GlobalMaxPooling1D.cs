using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalMaxPooling1D(data_format=None, keepdims=False)</c>: the maximum over the steps axis. See
    /// <see cref="BaseGlobalPooling"/>.
    /// </summary>
    [KerasClass("GlobalMaxPooling1D", "GlobalMaxPool1D")]
    public sealed class GlobalMaxPooling1D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalMaxPooling1D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(1, false, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        internal static GlobalMaxPooling1D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalMaxPooling1D(dataFormat, keepdims, c.Name);
        }
    }
}

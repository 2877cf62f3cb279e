using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.SpatialDropout2D(rate, data_format=None, seed=None)</c>: drops whole feature maps of 2-D images during training. See
    /// <see cref="BaseSpatialDropout"/>.
    /// </summary>
    [KerasClass("SpatialDropout2D")]
    public sealed class SpatialDropout2D : BaseSpatialDropout
    {
        /// <summary>Creates the layer.</summary>
        public SpatialDropout2D(double rate, string? dataFormat = null, int? seed = null, string? name = null, string? dtype = null)
            : base(2, rate, dataFormat, seed, name, dtype)
        {
        }

        internal static SpatialDropout2D FromConfig(ConfigReader c)
        {
            var (rate, seed) = Read(c);
            return new SpatialDropout2D(rate, ImageFormats.Read(c), seed, c.Name);
        }
    }
}

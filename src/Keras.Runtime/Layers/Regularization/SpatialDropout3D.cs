using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.SpatialDropout3D(rate, data_format=None, seed=None)</c>: drops whole feature maps of 3-D images during training. See
    /// <see cref="BaseSpatialDropout"/>.
    /// </summary>
    [KerasClass("SpatialDropout3D")]
    public sealed class SpatialDropout3D : BaseSpatialDropout
    {
        /// <summary>Creates the layer.</summary>
        public SpatialDropout3D(double rate, string? dataFormat = null, int? seed = null, string? name = null, string? dtype = null)
            : base(3, rate, dataFormat, seed, name, dtype)
        {
        }

        internal static SpatialDropout3D FromConfig(ConfigReader c)
        {
            var (rate, seed) = Read(c);
            return new SpatialDropout3D(rate, ImageFormats.Read(c), seed, c.Name);
        }
    }
}

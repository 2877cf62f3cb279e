using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.SpatialDropout1D(rate, seed=None)</c>: drops whole channels of (batch, steps, channels) inputs during training. See
    /// <see cref="BaseSpatialDropout"/>.
    /// </summary>
    [KerasClass("SpatialDropout1D")]
    public sealed class SpatialDropout1D : BaseSpatialDropout
    {
        /// <summary>Creates the layer.</summary>
        public SpatialDropout1D(double rate, int? seed = null, string? name = null, string? dtype = null)
            : base(1, rate, null, seed, name, dtype)
        {
        }

        internal static SpatialDropout1D FromConfig(ConfigReader c)
        {
            var (rate, seed) = Read(c);
            return new SpatialDropout1D(rate, seed, c.Name);
        }
    }
}

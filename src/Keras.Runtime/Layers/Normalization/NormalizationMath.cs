using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>What the normalization layers share after their statistics: Keras' <c>y·gamma + beta</c>.</summary>
    internal static class NormalizationMath
    {
        /// <summary>
        /// <paramref name="normalized"/> scaled by <paramref name="gamma"/> and shifted by <paramref name="beta"/> (either may
        /// be absent), each reshaped to <paramref name="broadcast"/> in the normalized values' dtype. Takes ownership of
        /// <paramref name="normalized"/>; the caller owns the result.
        /// </summary>
        internal static Tensor ScaleAndCenter(Tensor normalized, KerasVariable? gamma, KerasVariable? beta, long[] broadcast)
        {
            var y = normalized;
            if (gamma != null)
            {
                using var g0 = gamma.Value.to_type(y.dtype);
                using var g = g0.reshape(broadcast);
                using var scaled = y;
                y = scaled.mul(g);
            }
            if (beta != null)
            {
                using var b0 = beta.Value.to_type(y.dtype);
                using var b = b0.reshape(broadcast);
                using var shifted = y;
                y = shifted.add(b);
            }
            return y;
        }
    }
}

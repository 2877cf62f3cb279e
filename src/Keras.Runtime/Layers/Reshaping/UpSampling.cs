using System.Linq;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>What UpSampling1D/2D/3D share: repeating each step of the spatial axes (nearest) or bilinear resizing.</summary>
    internal static class UpSamplingMath
    {
        /// <summary>Each spatial position repeated size[i] times along axis i.</summary>
        internal static Tensor Nearest(Tensor x, int[] size, string dataFormat)
        {
            int first = Edges.FirstSpatial(dataFormat);
            Tensor current = x.alias();
            for (int i = 0; i < size.Length; i++)
            {
                if (size[i] == 1) continue;
                var next = current.repeat_interleave(size[i], first + i);
                current.Dispose();
                current = next;
            }
            return current;
        }

        /// <summary>
        /// Bilinear or bicubic resizing to (h·size0, w·size1) with half-pixel centres and no antialiasing, as
        /// keras.ops.image.resize runs on Keras' torch backend (PyTorch's interpolate, align_corners=False).
        /// </summary>
        internal static Tensor Resize(Tensor x, int[] size, string dataFormat, string interpolation)
        {
            using var ncx = ConvUtils.ChannelsFirst(x, dataFormat, 2);
            var target = new[] { ncx.shape[2] * size[0], ncx.shape[3] * size[1] };
            var mode = interpolation == "bicubic" ? InterpolationMode.Bicubic : InterpolationMode.Bilinear;
            using var resized = nn.functional.interpolate(ncx, target, mode: mode, align_corners: false);
            return ConvUtils.FromChannelsFirst(resized, dataFormat, 2);
        }

        internal static long[] Shape(long[] inputShape, int[] size, string dataFormat)
        {
            var output = (long[])inputShape.Clone();
            int first = Edges.FirstSpatial(dataFormat);
            for (int i = 0; i < size.Length; i++)
                if (output[first + i] >= 0) output[first + i] *= size[i];
            return output;
        }
    }
}

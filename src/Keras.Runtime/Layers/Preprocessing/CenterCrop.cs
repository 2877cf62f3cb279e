using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.CenterCrop(height, width, data_format=None)</c>: the centered (height, width) window of each image
    /// (offsets ⌊(H - height)/2⌋, ⌊(W - width)/2⌋), in the compute dtype. An image smaller than the target on either side
    /// is resized instead, as Keras' <c>smart_resize</c>: the largest centered crop of the target aspect ratio, resized
    /// bilinearly.
    /// </summary>
    [KerasClass("CenterCrop")]
    public sealed class CenterCrop : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public CenterCrop(int height, int width, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(dataFormat, false, null, name, trainable, dtype)
        {
            if (height <= 0 || width <= 0)
                throw new KerasArgumentException($"`height` and `width` must be positive integers. Received: height={height}, width={width}");
            Height = height;
            Width = width;
        }

        /// <summary>Output height.</summary>
        public int Height { get; }
        /// <summary>Output width.</summary>
        public int Width { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("data_format");
            c["height"] = Height;
            c["width"] = Width;
            c["data_format"] = DataFormat;
            return c;
        }

        internal static CenterCrop FromConfig(ConfigReader c) => new CenterCrop(c.Int("height"), c.Int("width"), ImageFormats.Read(c), c.Name);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var shape = (long[])inputShape.Clone();
            int h = (ChannelsLast ? 0 : 1) + (shape.Length == 4 ? 1 : 0);
            shape[h] = Height;
            shape[h + 1] = Width;
            return shape;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var x = AsBatch(inputs, out bool single);
            var (hAxis, wAxis) = SpatialAxes;
            long h = x.shape[hAxis], w = x.shape[wAxis];
            Tensor output;
            if (h >= Height && w >= Width)
            {
                using var rows = x.narrow(hAxis, (h - Height) / 2, Height);
                using var window = rows.narrow(wAxis, (w - Width) / 2, Width);
                output = window.contiguous();
            }
            else
            {
                output = ImageTransforms.Resize(x, Height, Width, "bilinear", true, false, 0, ChannelsLast);
            }
            return Unbatch(output, single);
        }
    }
}

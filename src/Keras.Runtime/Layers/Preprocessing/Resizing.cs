using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Interop;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Resizing(height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
    /// pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False, data_format=None)</c>: resizes
    /// images to (height, width) as Keras' torch backend does: "bilinear" with half-pixel centers or "nearest"
    /// (nearest-exact); <c>crop_to_aspect_ratio</c> first takes the largest centered crop of the target aspect ratio,
    /// <c>pad_to_aspect_ratio</c> pads with <c>fill_value</c> instead. Float inputs keep their dtype; integer images are
    /// rounded and saturated back to theirs. Bicubic, the Lanczos kernels and antialiasing are refused.
    /// </summary>
    [KerasClass("Resizing")]
    public sealed class Resizing : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false, bool padToAspectRatio = false,
            string fillMode = "constant", double fillValue = 0.0, bool antialias = false, string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(dataFormat, false, null, name, trainable, dtype)
        {
            if (height <= 0 || width <= 0)
                throw new KerasArgumentException($"`height` and `width` must be positive integers. Received: height={height}, width={width}");
            if (interpolation != "bilinear" && interpolation != "nearest")
                throw new KerasArgumentException(interpolation is "bicubic" or "lanczos3" or "lanczos5" or "area" or "gaussian" or "mitchellcubic"
                    ? $"Resizing with interpolation={interpolation} is not supported by this runtime (it supports 'bilinear' and 'nearest')."
                    : $"Invalid value for argument `interpolation`. Expected of one ('bilinear', 'nearest'). Received: interpolation={interpolation}", nameof(interpolation));
            if (fillMode != "constant")
                throw new KerasArgumentException($"Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: fill_mode={fillMode}", nameof(fillMode));
            if (cropToAspectRatio && padToAspectRatio)
                throw new KerasArgumentException("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.");
            if (antialias)
                throw new KerasArgumentException("Resizing with antialias=True is not supported by this runtime; use antialias=False.", nameof(antialias));
            Height = height;
            Width = width;
            Interpolation = interpolation;
            CropToAspectRatio = cropToAspectRatio;
            PadToAspectRatio = padToAspectRatio;
            FillMode = fillMode;
            FillValue = fillValue;
            Antialias = antialias;
        }

        /// <summary>Output height.</summary>
        public int Height { get; }
        /// <summary>Output width.</summary>
        public int Width { get; }
        /// <summary>"bilinear" or "nearest".</summary>
        public string Interpolation { get; }
        /// <summary>Whether the largest centered crop of the target aspect ratio is resized.</summary>
        public bool CropToAspectRatio { get; }
        /// <summary>Whether the image is padded to the target aspect ratio first.</summary>
        public bool PadToAspectRatio { get; }
        /// <summary>"constant".</summary>
        public string FillMode { get; }
        /// <summary>The padding value.</summary>
        public double FillValue { get; }
        /// <summary>Always false here.</summary>
        public bool Antialias { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("data_format");
            c["height"] = Height;
            c["width"] = Width;
            c["interpolation"] = Interpolation;
            c["crop_to_aspect_ratio"] = CropToAspectRatio;
            c["pad_to_aspect_ratio"] = PadToAspectRatio;
            c["fill_mode"] = FillMode;
            c["fill_value"] = FillValue;
            c["antialias"] = Antialias;
            c["data_format"] = DataFormat;
            return c;
        }

        internal static Resizing FromConfig(ConfigReader c) =>
            new Resizing(c.Int("height"), c.Int("width"), c.String("interpolation", "bilinear"), c.Bool("crop_to_aspect_ratio", false),
                c.Bool("pad_to_aspect_ratio", false), c.String("fill_mode", "constant"), c.Double("fill_value", 0.0), c.Bool("antialias", false),
                ImageFormats.Read(c), c.Name);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var shape = (long[])inputShape.Clone();
            int offset = shape.Length == 4 ? 1 : 0;
            int h = (ChannelsLast ? 0 : 1) + offset;
            shape[h] = Height;
            shape[h + 1] = Width;
            return shape;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            bool single = inputs.dim() == 3;
            var type = inputs.dtype;
            bool integer = !Dtypes.IsFloating(type);
            using var batched = single ? inputs.unsqueeze(0) : inputs.alias();
            using var x = integer ? batched.to_type(ScalarType.Float32) : batched.alias();
            var resized = ImageTransforms.Resize(x, Height, Width, Interpolation, CropToAspectRatio, PadToAspectRatio, FillValue, ChannelsLast);
            if (integer)
            {
                using var floating = resized;
                using var rounded = floating.round();
                using var saturated = type == ScalarType.Bool ? rounded.alias() : rounded.clamp(Min(type), Max(type));
                resized = saturated.to_type(type);
            }
            return Unbatch(resized, single);
        }

        private static double Min(ScalarType t) => t switch
        {
            ScalarType.Byte => 0,
            ScalarType.Int8 => sbyte.MinValue,
            ScalarType.Int16 => short.MinValue,
            ScalarType.Int32 => int.MinValue,
            _ => long.MinValue,
        };

        private static double Max(ScalarType t) => t switch
        {
            ScalarType.Byte => 255,
            ScalarType.Int8 => sbyte.MaxValue,
            ScalarType.Int16 => short.MaxValue,
            ScalarType.Int32 => int.MaxValue,
            _ => long.MaxValue,
        };
    }
}

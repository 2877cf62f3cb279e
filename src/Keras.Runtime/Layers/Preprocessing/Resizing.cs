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
    /// images to (height, width) as Keras' torch backend does (PyTorch's <c>interpolate</c>): "bilinear" and "bicubic"
    /// (Keys' cubic with a = -0.75, border pixels repeated) with half-pixel centers, "nearest" as "nearest-exact";
    /// <c>antialias</c> widens the bilinear/bicubic filter by the downscale factor (PyTorch's antialiased kernels: triangle,
    /// or cubic with a = -0.5, weights normalised per output pixel) and is ignored for "nearest", as in Keras.
    /// <c>crop_to_aspect_ratio</c> first takes the largest centered crop of the target aspect ratio,
    /// <c>pad_to_aspect_ratio</c> pads with <c>fill_value</c> instead. Float32/float64 inputs keep their dtype, other float
    /// dtypes are resized in float32 and cast back; integer images are rounded and saturated back to theirs (uint8 bicubic
    /// overshoot is clamped to [0, 255] as Keras does). "lanczos3"/"lanczos5" are refused with Keras' torch-backend message,
    /// as are the TensorFlow backend's "area" and any other name.
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
            if (interpolation is "lanczos3" or "lanczos5")
                throw new KerasArgumentException(
                    $"Resizing with Lanczos interpolation is not supported by the PyTorch backend. Received: interpolation={interpolation}. " +
                    "This runtime computes as Keras' torch backend and refuses it too: use interpolation: \"bicubic\" (with antialias: true when " +
                    "shrinking) or \"bilinear\".", nameof(interpolation));
            if (interpolation is not ("bilinear" or "nearest" or "bicubic"))
                throw new KerasArgumentException(
                    "Invalid value for argument `interpolation`. Expected of one {'bilinear': 'bilinear', 'nearest': 'nearest-exact', 'bicubic': " +
                    $"'bicubic'}}. Received: interpolation={interpolation}. Keras' torch backend, which this runtime follows, accepts only these three " +
                    "(\"area\" exists only in its TensorFlow backend): pass \"bilinear\", \"nearest\" or \"bicubic\".", nameof(interpolation));
            if (fillMode != "constant")
                throw new KerasArgumentException($"Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: fill_mode={fillMode}", nameof(fillMode));
            if (cropToAspectRatio && padToAspectRatio)
                throw new KerasArgumentException("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.");
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
        /// <summary>"bilinear", "nearest" or "bicubic".</summary>
        public string Interpolation { get; }
        /// <summary>Whether the largest centered crop of the target aspect ratio is resized.</summary>
        public bool CropToAspectRatio { get; }
        /// <summary>Whether the image is padded to the target aspect ratio first.</summary>
        public bool PadToAspectRatio { get; }
        /// <summary>"constant".</summary>
        public string FillMode { get; }
        /// <summary>The padding value.</summary>
        public double FillValue { get; }
        /// <summary>Whether "bilinear"/"bicubic" downscaling uses PyTorch's antialiased (widened) filter; no effect on "nearest".</summary>
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
            // As Keras' _cast_squeeze_in: interpolate runs on float32 or float64, anything else goes through float32.
            bool cast = type is not (ScalarType.Float32 or ScalarType.Float64);
            using var batched = single ? inputs.unsqueeze(0) : inputs.alias();
            using var x = cast ? batched.to_type(ScalarType.Float32) : batched.alias();
            var resized = ImageTransforms.Resize(x, Height, Width, Interpolation, CropToAspectRatio, PadToAspectRatio, FillValue, ChannelsLast, Antialias);
            if (integer)
            {
                // Keras clamps uint8 bicubic results to [0, 255], rounds and casts; saturating every integer dtype gives the
                // same uint8 values and keeps the others defined.
                using var floating = resized;
                using var rounded = floating.round();
                using var saturated = type == ScalarType.Bool ? rounded.alias() : rounded.clamp(Min(type), Max(type));
                resized = saturated.to_type(type);
            }
            else if (cast)
            {
                using var floating = resized;
                resized = floating.to_type(type);
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

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.UpSampling2D(size=(2, 2), data_format=None, interpolation="nearest")</c>: rows repeated size[0] times
    /// and columns size[1] times ("nearest"), or a resize to that size with <c>keras.ops.image.resize</c> as Keras' torch
    /// backend runs it ("bilinear", or "bicubic" with Keys' a = -0.75; half-pixel centres, no antialiasing). The torch
    /// backend refuses "lanczos3"/"lanczos5" (and has no "area"), and so does this runtime.
    /// </summary>
    [KerasClass("UpSampling2D")]
    public sealed class UpSampling2D : Layer
    {
        private readonly int[] _size;

        /// <summary>Creates the layer with the same factor for rows and columns.</summary>
        public UpSampling2D(int size = 2, string? dataFormat = null, string interpolation = "nearest", string? name = null, bool trainable = true,
            string? dtype = null)
            : this((size, size), dataFormat, interpolation, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer.</summary>
        public UpSampling2D((int Height, int Width) size, string? dataFormat = null, string interpolation = "nearest", string? name = null,
            bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _size = ConvUtils.Standardize(new[] { size.Height, size.Width }, 2, "size");
            DataFormat = ImageFormats.Standardize(dataFormat);
            Interpolation = (interpolation ?? "").ToLowerInvariant();
            if (Interpolation is "lanczos3" or "lanczos5")
                throw new KerasArgumentException(
                    $"Resizing with Lanczos interpolation is not supported by the PyTorch backend. Received: interpolation={Interpolation}. " +
                    "This runtime computes as Keras' torch backend and refuses it too: use interpolation: \"bicubic\" or \"bilinear\".",
                    nameof(interpolation));
            if (Shared.KerasIdentifiers.Interpolations.Resolve(Interpolation) == null)
                throw new KerasArgumentException(
                    "Invalid value for argument `interpolation`. Expected of one {'bilinear': 'bilinear', 'nearest': 'nearest-exact', 'bicubic': " +
                    $"'bicubic'}}. Received: interpolation={Interpolation}. UpSampling2D resizes with keras.ops.image.resize; Keras' torch backend, " +
                    "which this runtime follows, accepts only these (\"area\" exists only in its TensorFlow backend): pass \"nearest\", " +
                    "\"bilinear\" or \"bicubic\".", nameof(interpolation));
        }

        /// <summary>Row and column factors.</summary>
        public (int Height, int Width) Size => (_size[0], _size[1]);
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }
        /// <summary>"nearest", "bilinear" or "bicubic".</summary>
        public string Interpolation { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = BaseConv.Json(_size);
            c["data_format"] = DataFormat;
            c["interpolation"] = Interpolation;
            return c;
        }

        internal static UpSampling2D FromConfig(ConfigReader c)
        {
            var size = c.Ints("size", 2, new[] { 2, 2 });
            string interpolation = c.String("interpolation", "nearest").ToLowerInvariant();
            if (Shared.KerasIdentifiers.Interpolations.Resolve(interpolation) == null)
                throw c.Unsupported("interpolation", $"UpSampling2D interpolation \"{interpolation}\" (Keras' torch backend refuses it too; it runs " +
                                                     "\"nearest\", \"bilinear\" and \"bicubic\")");
            return new UpSampling2D((size[0], size[1]), ImageFormats.Read(c), interpolation, c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 4) throw ConvUtils.WrongRank(Name, 4, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => UpSamplingMath.Shape(inputShape, _size, DataFormat);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) =>
            Interpolation == "nearest" ? UpSamplingMath.Nearest(inputs, _size, DataFormat) : UpSamplingMath.Resize(inputs, _size, DataFormat, Interpolation);
    }
}

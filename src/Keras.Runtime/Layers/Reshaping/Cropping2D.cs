using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Cropping2D(cropping=((0, 0), (0, 0)), data_format=None)</c>: removes steps before and after each spatial axis (rank-4 inputs). Cropping everything is
    /// Keras' error.
    /// </summary>
    [KerasClass("Cropping2D")]
    public sealed class Cropping2D : Layer
    {
        private readonly (int Before, int After)[] _cropping;

        /// <summary>Creates the layer: <paramref name="cropping"/> rows and columns removed on every side.</summary>
        public Cropping2D(int cropping = 0, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(((cropping, cropping), (cropping, cropping)), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer: symmetric amounts per axis.</summary>
        public Cropping2D((int Height, int Width) cropping, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(((cropping.Height, cropping.Height), (cropping.Width, cropping.Width)), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer: ((top, bottom), (left, right)).</summary>
        public Cropping2D(((int Top, int Bottom) Height, (int Left, int Right) Width) cropping, string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _cropping = Edges.Check(new (int, int)[] { cropping.Height, cropping.Width }, "cropping");
            DataFormat = ImageFormats.Standardize(dataFormat);
        }

        /// <summary>(before, after) removed per spatial axis.</summary>
        public IReadOnlyList<(int Before, int After)> Cropping => _cropping;
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["cropping"] = Edges.Json(_cropping);
            c["data_format"] = DataFormat;
            return c;
        }

        internal static Cropping2D FromConfig(ConfigReader c)
        {
            var p = Edges.Read(c, "cropping", 2, Edges.Same(0, 2));
            return new Cropping2D((p[0], p[1]), ImageFormats.Read(c), c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 4) throw ConvUtils.WrongRank(Name, 4, inputShape, exact: true);
            int first = Edges.FirstSpatial(DataFormat);
            for (int i = 0; i < _cropping.Length; i++)
                if (inputShape[first + i] >= 0 && _cropping[i].Before + _cropping[i].After >= inputShape[first + i])
                    throw new KerasArgumentException("Values in `cropping` argument should be smaller than the corresponding spatial dimension of the input. Received: input_shape=" + ConvUtils.FormatShape(inputShape) + ", cropping=" + Edges.Format(_cropping));
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => Edges.Shape(inputShape, _cropping, DataFormat, -1);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => Edges.Crop(inputs, _cropping, DataFormat);
    }
}

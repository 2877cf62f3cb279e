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
    /// <c>keras.layers.ZeroPadding2D(padding=(1, 1), data_format=None)</c>: adds zeros before and after each spatial axis (rank-4 inputs, either data format).
    /// </summary>
    [KerasClass("ZeroPadding2D")]
    public sealed class ZeroPadding2D : Layer
    {
        private readonly (int Before, int After)[] _padding;

        /// <summary>Creates the layer: <paramref name="padding"/> zeros on each side of both spatial axes.</summary>
        public ZeroPadding2D(int padding = 1, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(((padding, padding), (padding, padding)), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer: symmetric amounts per axis.</summary>
        public ZeroPadding2D((int Height, int Width) padding, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(((padding.Height, padding.Height), (padding.Width, padding.Width)), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer: ((top, bottom), (left, right)).</summary>
        public ZeroPadding2D(((int Top, int Bottom) Height, (int Left, int Right) Width) padding, string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _padding = Edges.Check(new (int, int)[] { padding.Height, padding.Width }, "padding");
            DataFormat = ImageFormats.Standardize(dataFormat);
        }

        /// <summary>(before, after) zeros per spatial axis.</summary>
        public IReadOnlyList<(int Before, int After)> Padding => _padding;
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["padding"] = Edges.Json(_padding);
            c["data_format"] = DataFormat;
            return c;
        }

        internal static ZeroPadding2D FromConfig(ConfigReader c)
        {
            var p = Edges.Read(c, "padding", 2, Edges.Same(1, 2));
            return new ZeroPadding2D((p[0], p[1]), ImageFormats.Read(c), c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 4) throw ConvUtils.WrongRank(Name, 4, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => Edges.Shape(inputShape, _padding, DataFormat, +1);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => Edges.Pad(inputs, _padding, DataFormat);
    }
}

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
    /// <c>keras.layers.ZeroPadding3D(padding=((1, 1), (1, 1), (1, 1)), data_format=None)</c>: adds zeros before and after each spatial axis (rank-5 inputs, either data format).
    /// </summary>
    [KerasClass("ZeroPadding3D")]
    public sealed class ZeroPadding3D : Layer
    {
        private readonly (int Before, int After)[] _padding;

        /// <summary>Creates the layer: <paramref name="padding"/> zeros on each side of the three spatial axes.</summary>
        public ZeroPadding3D(int padding = 1, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(((padding, padding), (padding, padding), (padding, padding)), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer: symmetric amounts per axis.</summary>
        public ZeroPadding3D((int D1, int D2, int D3) padding, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(((padding.D1, padding.D1), (padding.D2, padding.D2), (padding.D3, padding.D3)), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer: (before, after) per spatial axis.</summary>
        public ZeroPadding3D(((int, int) D1, (int, int) D2, (int, int) D3) padding, string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _padding = Edges.Check(new[] { padding.D1, padding.D2, padding.D3 }, "padding");
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

        internal static ZeroPadding3D FromConfig(ConfigReader c)
        {
            var p = Edges.Read(c, "padding", 3, Edges.Same(1, 3));
            return new ZeroPadding3D((p[0], p[1], p[2]), ImageFormats.Read(c), c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 5) throw ConvUtils.WrongRank(Name, 5, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => Edges.Shape(inputShape, _padding, DataFormat, +1);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => Edges.Pad(inputs, _padding, DataFormat);
    }
}

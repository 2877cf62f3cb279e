using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.UpSampling3D(size=(2, 2, 2), data_format=None)</c>: each of the three spatial axes repeated by its
    /// factor.
    /// </summary>
    [KerasClass("UpSampling3D")]
    public sealed class UpSampling3D : Layer
    {
        private readonly int[] _size;

        /// <summary>Creates the layer with the same factor on every axis.</summary>
        public UpSampling3D(int size = 2, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : this((size, size, size), dataFormat, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer.</summary>
        public UpSampling3D((int D1, int D2, int D3) size, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _size = ConvUtils.Standardize(Conv3D.Triple(size), 3, "size");
            DataFormat = ImageFormats.Standardize(dataFormat);
        }

        /// <summary>Factors per spatial axis.</summary>
        public (int D1, int D2, int D3) Size => (_size[0], _size[1], _size[2]);
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = BaseConv.Json(_size);
            c["data_format"] = DataFormat;
            return c;
        }

        internal static UpSampling3D FromConfig(ConfigReader c)
        {
            var size = c.Ints("size", 3, new[] { 2, 2, 2 });
            return new UpSampling3D((size[0], size[1], size[2]), ImageFormats.Read(c), c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 5) throw ConvUtils.WrongRank(Name, 5, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => UpSamplingMath.Shape(inputShape, _size, DataFormat);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => UpSamplingMath.Nearest(inputs, _size, DataFormat);
    }
}

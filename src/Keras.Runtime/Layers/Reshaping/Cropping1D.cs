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
    /// <c>keras.layers.Cropping1D(cropping=(1, 1))</c>: removes steps before and after each spatial axis (rank-3 inputs). Cropping everything is
    /// Keras' error.
    /// </summary>
    [KerasClass("Cropping1D")]
    public sealed class Cropping1D : Layer
    {
        private readonly (int Before, int After)[] _cropping;

        /// <summary>Creates the layer: <paramref name="cropping"/> steps removed at each end.</summary>
        public Cropping1D(int cropping = 1, string? name = null, bool trainable = true, string? dtype = null)
            : this((cropping, cropping), name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with different amounts at the start and the end.</summary>
        public Cropping1D((int Start, int End) cropping, string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _cropping = Edges.Check(new[] { ((int, int))cropping }, "cropping");
            DataFormat = "channels_last";
        }

        /// <summary>(before, after) removed per spatial axis.</summary>
        public IReadOnlyList<(int Before, int After)> Cropping => _cropping;
        /// <summary>"channels_last" or "channels_first" (Cropping1D: always channels_last, as Keras).</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["cropping"] = Edges.Json(_cropping);
            return c;
        }

        internal static Cropping1D FromConfig(ConfigReader c)
        {
            var p = Edges.Read(c, "cropping", 1, Edges.Same(1, 1));
            return new Cropping1D(p[0], c.Name);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 3) throw ConvUtils.WrongRank(Name, 3, inputShape, exact: true);
            int first = Edges.FirstSpatial(DataFormat);
            for (int i = 0; i < _cropping.Length; i++)
                if (inputShape[first + i] >= 0 && _cropping[i].Before + _cropping[i].After >= inputShape[first + i])
                    throw new KerasArgumentException("`cropping` parameter of `Cropping1D` layer must be smaller than the input length. Received: input_shape=" + ConvUtils.FormatShape(inputShape) + ", cropping=" + Edges.Format(_cropping));
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => Edges.Shape(inputShape, _cropping, DataFormat, -1);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => Edges.Crop(inputs, _cropping, DataFormat);
    }
}

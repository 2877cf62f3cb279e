using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.UpSampling1D(size=2)</c>: (batch, steps, features) with each step repeated <c>size</c> times.</summary>
    [KerasClass("UpSampling1D")]
    public sealed class UpSampling1D : Layer
    {
        /// <summary>Creates the layer.</summary>
        public UpSampling1D(int size = 2, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (Shared.KerasArgumentRules.UpSampling1DSize.Problem(size) is { } problem) throw new KerasArgumentException(problem, nameof(size));
            Size = size;
        }

        /// <summary>The repetition factor.</summary>
        public int Size { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["size"] = Size;
            return c;
        }

        internal static UpSampling1D FromConfig(ConfigReader c) => new UpSampling1D(c.Int("size", 2, min: 1), c.Name);

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 3) throw ConvUtils.WrongRank(Name, 3, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => UpSamplingMath.Shape(inputShape, new[] { Size }, "channels_last");

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => inputs.repeat_interleave(Size, 1);
    }
}

using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Permute(dims)</c>: reorders the non-batch axes; <c>dims</c> is a permutation of 1..n (1-based, the
    /// batch axis stays first), e.g. (2, 1) swaps the two axes of (batch, a, b).
    /// </summary>
    [KerasClass("Permute")]
    public sealed class Permute : Layer
    {
        private readonly int[] _dims;

        /// <summary>Creates the layer.</summary>
        public Permute(int[] dims, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (dims == null || !dims.OrderBy(d => d).SequenceEqual(Enumerable.Range(1, dims.Length)))
                throw new KerasArgumentException(
                    "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. " +
                    $"Received dims={(dims == null ? "None" : ConvUtils.Tuple(dims))}", nameof(dims));
            _dims = (int[])dims.Clone();
        }

        /// <summary>The permutation (1-based).</summary>
        public System.Collections.Generic.IReadOnlyList<int> Dims => _dims;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["dims"] = BaseConv.Json(_dims);
            return c;
        }

        internal static Permute FromConfig(ConfigReader c) => new Permute(c.IntList("dims"), c.Name);

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != _dims.Length + 1) throw ConvUtils.WrongRank(Name, _dims.Length + 1, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => new[] { inputShape[0] }.Concat(_dims.Select(d => inputShape[d])).ToArray();

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) =>
            inputs.permute(new long[] { 0 }.Concat(_dims.Select(d => (long)d)).ToArray());
    }
}

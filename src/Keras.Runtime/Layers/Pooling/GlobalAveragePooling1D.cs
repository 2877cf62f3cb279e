using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GlobalAveragePooling1D(data_format=None, keepdims=False)</c>: the mean over the steps axis. See
    /// <see cref="BaseGlobalPooling"/>. With a mask (batch, steps) it averages the unmasked steps only, and the output
    /// carries no mask, as in Keras.
    /// </summary>
    [KerasClass("GlobalAveragePooling1D", "GlobalAvgPool1D")]
    public sealed class GlobalAveragePooling1D : BaseGlobalPooling
    {
        /// <summary>Creates the layer.</summary>
        public GlobalAveragePooling1D(string? dataFormat = null, bool keepdims = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(1, true, dataFormat, keepdims, name, trainable, dtype)
        {
        }

        /// <inheritdoc />
        public override bool SupportsMasking => true;

        /// <inheritdoc />
        public override Tensor? ComputeMask(Tensor inputs, Tensor? previousMask) => null;

        /// <inheritdoc />
        protected override Tensor CallCoreWithMask(Tensor inputs, Tensor? mask, bool? training)
        {
            if (mask is null) return CallCore(inputs, training);
            bool channelsLast = DataFormat == "channels_last";
            long[] shape = inputs.shape, maskShape = mask.shape;
            if (maskShape.Length != 2 || maskShape[0] != shape[0] || maskShape[1] != shape[channelsLast ? 1 : 2])
                throw new Errors.KerasArgumentException(
                    $"Layer \"{Name}\" received a mask of shape ({string.Join(", ", maskShape)}) for inputs of shape ({string.Join(", ", shape)}): " +
                    "the mask must be (batch, steps), the steps axis being 1 with channels_last and 2 with channels_first.");
            long steps = channelsLast ? 1 : 2;
            using var weights = mask.to_type(inputs.dtype).unsqueeze(channelsLast ? 2 : 1);
            using var kept = inputs.mul(weights);
            using var sum = kept.sum(new[] { steps }, keepdim: Keepdims);
            using var count = weights.sum(new[] { steps }, keepdim: Keepdims);
            return sum.div(count);
        }

        internal static GlobalAveragePooling1D FromConfig(ConfigReader c)
        {
            var (dataFormat, keepdims) = Read(c);
            return new GlobalAveragePooling1D(dataFormat, keepdims, c.Name);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Masking(mask_value=0.0)</c>: on inputs (batch, time, features) a time step whose features all
    /// equal <c>mask_value</c> is masked: its output is zeros and the output carries the mask
    /// <c>any(inputs != mask_value, axis=-1)</c>, which downstream layers (recurrent layers, losses) skip.
    /// </summary>
    [KerasClass("Masking")]
    public sealed class Masking : Layer
    {
        /// <summary>Creates the layer.</summary>
        public Masking(double maskValue = 0.0, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) =>
            MaskValue = maskValue;

        /// <summary>The value marking a masked step.</summary>
        public double MaskValue { get; }

        /// <inheritdoc />
        public override bool SupportsMasking => true;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["mask_value"] = MaskValue;
            return c;
        }

        internal static Masking FromConfig(ConfigReader c) => new Masking(c.Double("mask_value", 0.0), c.Name);

        /// <summary>Keras' <c>compute_mask</c>: <c>any(inputs != mask_value, axis=-1)</c>.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? previousMask)
        {
            using var differs = inputs.ne(MaskValue);
            return differs.any(-1);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var differs = inputs.ne(MaskValue);
            using var keep = differs.any(-1, keepdim: true);
            using var zero = torch.zeros(System.Array.Empty<long>(), inputs.dtype, inputs.device);
            return torch.where(keep, inputs, zero);
        }
    }
}

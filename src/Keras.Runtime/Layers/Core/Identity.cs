using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.Identity()</c>: returns its input unchanged (a placeholder layer).</summary>
    [KerasClass("Identity")]
    public sealed class Identity : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Creates the layer.</summary>
        public Identity(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
        }

        internal static Identity FromConfig(ConfigReader c) => new Identity(c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => inputs.alias();
    }
}

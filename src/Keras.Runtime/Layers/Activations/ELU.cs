using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.ELU(alpha=1.0)</c>: x for x &gt; 0, alpha·(exp(x) - 1) otherwise. (Keras' ELU has no get_config of
    /// its own: its config is the automatic one of its constructor arguments, <c>alpha</c> included.)
    /// </summary>
    [KerasClass("ELU")]
    public sealed class ELU : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Creates the layer.</summary>
        public ELU(double alpha = 1.0, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) => Alpha = alpha;

        /// <summary>Scale of the negative part.</summary>
        public double Alpha { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["alpha"] = Alpha;
            return c;
        }

        internal static ELU FromConfig(ConfigReader c) => new ELU(c.Double("alpha", 1.0), c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => nn.functional.elu(inputs, Alpha);
    }
}

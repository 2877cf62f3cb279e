using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.Activation(activation)</c>.</summary>
    [KerasClass("Activation")]
    public sealed class Activation : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        private readonly Func<Tensor, Tensor> _function;

        /// <summary>Creates the layer.</summary>
        public Activation(string activation, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            _function = Activations.Get(activation);
            Function = activation;
        }

        /// <summary>The activation's name.</summary>
        public string Function { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["activation"] = Function;
            return c;
        }

        internal static Activation FromConfig(ConfigReader c) => new Activation(c.Activation("activation") ?? throw c.Error("activation", "an activation name"), c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => _function(inputs);
    }
}

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Dropout(rate, seed=None)</c>: during training (training=true) zeroes inputs with probability
    /// <c>rate</c> and scales the kept ones by 1/(1-rate); at inference it is the identity.
    /// </summary>
    [KerasClass("Dropout")]
    public sealed class Dropout : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        private readonly SeedGenerators? _generator;

        /// <summary>Creates the layer.</summary>
        public Dropout(double rate, int? seed = null, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (Shared.KerasArgumentRules.DropoutRate.Problem(rate) is { } problem) throw new KerasArgumentException(problem, nameof(rate));
            Rate = rate;
            Seed = seed;
            if (rate > 0) _generator = new SeedGenerators(seed);
        }

        /// <summary>The seed given, or null.</summary>
        public int? Seed { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rate"] = Rate;
            c["seed"] = Seed;
            c["noise_shape"] = null;
            return c;
        }

        internal static Dropout FromConfig(ConfigReader c)
        {
            c.Expect("noise_shape", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "noise_shape");
            return new Dropout(c.Double("rate"), c.OptionalInt("seed", min: 0), c.Name);
        }

        /// <summary>The drop probability.</summary>
        public double Rate { get; }

        internal override System.Collections.Generic.IReadOnlyList<Generator> RandomGenerators =>
            _generator == null ? System.Array.Empty<Generator>() : _generator.All;

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (training != true || Rate == 0 || _generator == null) return inputs.alias();
            if (Rate >= 1) return torch.zeros_like(inputs);
            using var uniform = _generator.Uniform(inputs);
            using var keep = uniform.ge(Rate);
            using var kept = inputs.mul(keep);
            return kept.div(1 - Rate);
        }
    }
}

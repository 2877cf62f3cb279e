using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.RepeatVector(n)</c>: (batch, features) → (batch, n, features), the input repeated n times.</summary>
    [KerasClass("RepeatVector")]
    public sealed class RepeatVector : Layer
    {
        /// <summary>Creates the layer.</summary>
        public RepeatVector(int n, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (Shared.KerasArgumentRules.RepeatVectorN.Problem(n) is { } problem) throw new KerasArgumentException(problem, nameof(n));
            N = n;
        }

        /// <summary>The repetition factor.</summary>
        public int N { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["n"] = N;
            return c;
        }

        internal static RepeatVector FromConfig(ConfigReader c) => new RepeatVector(c.Int("n", min: 1), c.Name);

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 2) throw ConvUtils.WrongRank(Name, 2, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => new[] { inputShape[0], N, inputShape[1] };

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var expanded = inputs.unsqueeze(1);
            return expanded.repeat(1, N, 1);
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Softmax(axis=-1)</c>: exp(x) / Σ exp(x) along <c>axis</c> (one axis or several). With a mask,
    /// masked positions get -1e9 (-3e4 in float16) before the softmax and 0 after, as Keras.
    /// </summary>
    [KerasClass("Softmax")]
    public sealed class Softmax : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        private readonly int[] _axes;
        private readonly bool _axisIsList;

        /// <summary>Creates the layer normalizing along one axis.</summary>
        public Softmax(int axis = -1, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) =>
            _axes = new[] { axis };

        /// <summary>Creates the layer normalizing jointly over several axes (Keras' tuple <c>axis</c>).</summary>
        public Softmax(int[] axis, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (axis == null || axis.Length == 0) throw new KerasArgumentException("`axis` must be an integer or a non-empty list of integers.", nameof(axis));
            _axes = (int[])axis.Clone();
            _axisIsList = true;
        }

        /// <summary>The axes normalized over.</summary>
        public IReadOnlyList<int> Axis => _axes;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = _axisIsList ? BaseConv.Json(_axes) : JsonValue.Create(_axes[0]);
            return c;
        }

        internal static Softmax FromConfig(ConfigReader c) =>
            c.Config["axis"] is JsonArray ? new Softmax(c.IntList("axis"), c.Name) : new Softmax(c.Int("axis", -1), c.Name);

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            foreach (int a in _axes)
                if (a < -inputShape.Length || a >= inputShape.Length)
                    throw new KerasArgumentException($"axis {a} is out of bounds for an array with dimension {inputShape.Length}.");
        }

        /// <summary>
        /// Keras' <c>softmax(inputs, mask)</c>: positions where <paramref name="mask"/> is false (or ≤ 0.5) are excluded.
        /// The mask must broadcast to the inputs.
        /// </summary>
        public Tensor Call(Tensor inputs, bool? training = null, Tensor? mask = null)
        {
            if (mask is null) return base.Call(inputs, training);
            if (inputs is null) throw new KerasArgumentException("The first argument of Layer.Call must be a tensor. Received: None", nameof(inputs));
            var shape = inputs.shape;
            var maskShape = mask.shape;
            bool broadcastable = maskShape.Length <= shape.Length &&
                                 maskShape.Reverse().Zip(shape.Reverse(), (m, i) => m == 1 || m == i).All(ok => ok);
            if (!broadcastable)
                throw new KerasArgumentException(
                    "The `mask` must be broadcastable to `inputs`. Each mask dimension must be 1 or match the corresponding input dimension. " +
                    $"Received: inputs.shape={FormatShape(shape)}, mask.shape={FormatShape(maskShape)}");
            AssertInputCompatibility(shape);
            return LayerCalls.Run(this, new[] { inputs, mask }, t =>
            {
                var x = t[0]!;
                using var keep = t[1]!.dtype == ScalarType.Bool ? t[1]!.alias() : t[1]!.gt(0.5);
                double large = x.dtype == ScalarType.Float16 ? -3e4 : -1e9;
                using var fill = torch.full_like(x, large);
                using var masked = torch.where(keep, x, fill);
                using var probabilities = Normalize(masked);
                using var zeros = torch.zeros_like(probabilities);
                return torch.where(keep, probabilities, zeros);
            });
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => Normalize(inputs);

        private Tensor Normalize(Tensor x)
        {
            if (_axes.Length == 1) return x.softmax(_axes[0]);
            var dims = _axes.Select(a => (long)a).ToArray();
            using var max = x.amax(dims, keepdim: true);
            using var shifted = x.sub(max);
            using var exp = shifted.exp();
            using var sum = exp.sum(dims, keepdim: true);
            return exp.div(sum);
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.UnitNormalization(axis=-1)</c>: scales each example to unit L2 norm over <c>axis</c> (one axis or
    /// several), <c>y = x * min(1/sqrt(Σ x²), 1e12)</c> as Keras' <c>ops.normalize(order=2, epsilon=1e-12)</c>. The sum of
    /// squares is taken in at least float32.
    /// </summary>
    [KerasClass("UnitNormalization")]
    public sealed class UnitNormalization : Layer
    {
        private readonly int[] _axes;
        private readonly bool _axisIsList;

        /// <summary>Creates the layer normalizing along one axis.</summary>
        public UnitNormalization(int axis = -1, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) =>
            _axes = new[] { axis };

        /// <summary>Creates the layer normalizing jointly over several axes (Keras' list <c>axis</c>).</summary>
        public UnitNormalization(int[] axis, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (axis == null || axis.Length == 0)
                throw new KerasTypeException("Invalid value for `axis` argument: expected an int or a list/tuple of ints. Received: axis=" + (axis == null ? "None" : "[]"));
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

        internal static UnitNormalization FromConfig(ConfigReader c) =>
            c.Config["axis"] is JsonArray ? new UnitNormalization(c.IntList("axis"), c.Name) : new UnitNormalization(c.Int("axis", -1), c.Name);

        private string AxisText() => _axisIsList ? "[" + string.Join(", ", _axes) + "]" : _axes[0].ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            foreach (int a in _axes)
                if (a >= inputShape.Length || a < -inputShape.Length)
                    throw new KerasArgumentException($"Axis {AxisText()} is out of bounds for input shape {FormatShape(inputShape)}.");
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            int rank = (int)inputs.dim();
            var reduce = _axes.Select(a => (long)(a < 0 ? a + rank : a)).Distinct().ToArray();
            var outType = inputs.dtype;
            using var x = outType == ScalarType.Float16 || outType == ScalarType.BFloat16 ? inputs.to_type(ScalarType.Float32) : inputs.alias();
            using var squares = x.square();
            using var sum = squares.sum(reduce, keepdim: true);
            using var inv = sum.rsqrt();
            using var capped = inv.clamp_max(1e12);
            var y = x.mul(capped);
            if (y.dtype == outType) return y;
            using (y) return y.to_type(outType);
        }
    }
}

using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Constraints
{
    /// <summary>
    /// <c>keras.constraints.Constraint</c>: a projection applied to a weight after each optimizer step (Keras'
    /// <c>variable.assign(constraint(variable))</c>).
    /// </summary>
    [KerasKind("keras.constraints", "constraint")]
    public abstract class Constraint : IKerasConfigurable
    {
        /// <summary>The constrained value of <paramref name="w"/> (a new tensor).</summary>
        public abstract Tensor Call(Tensor w);

        /// <summary>Keras' <c>get_config()</c>.</summary>
        public virtual JsonObject GetConfig() => new JsonObject();

        /// <summary><c>keras.constraints.get(identifier)</c>: "max_norm", "min_max_norm", "non_neg", "unit_norm" or a class name.</summary>
        public static Constraint Get(string identifier)
        {
            if (identifier is null) throw new KerasArgumentException("Could not interpret constraint identifier: None", nameof(identifier));
            return KerasObjects.Deserialize<Constraint>(JsonValue.Create(identifier)!, "keras.constraints.get");
        }

        /// <summary>sqrt(sum(w², axis, keepdims)).</summary>
        private protected static Tensor Norms(Tensor w, int[] axis)
        {
            using var square = w.square();
            using var sum = square.sum(axis.Select(a => (long)a).ToArray(), keepdim: true);
            return sum.sqrt();
        }

        private protected static JsonNode Axis(int[] axis) => axis.Length == 1 ? JsonValue.Create(axis[0])! : new JsonArray(axis.Select(a => (JsonNode)a).ToArray());
    }

    /// <summary><c>keras.constraints.MaxNorm(max_value=2, axis=0)</c>: rescales weights whose norm along <c>axis</c> exceeds max_value.</summary>
    [KerasClass("MaxNorm")]
    public sealed class MaxNorm : Constraint
    {
        /// <summary>Creates the constraint.</summary>
        public MaxNorm(double maxValue = 2, params int[] axis)
        {
            MaxValue = maxValue;
            Axis = axis is { Length: > 0 } ? axis : new[] { 0 };
        }

        /// <summary>The largest norm.</summary>
        public double MaxValue { get; }

        /// <summary>The axes the norm is taken over.</summary>
        public new int[] Axis { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor w)
        {
            using var norms = Norms(w, Axis);
            using var desired = norms.clamp(0, MaxValue);
            using var denominator = norms.add(Config.Epsilon());
            using var ratio = desired.div(denominator);
            return w.mul(ratio);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["max_value"] = MaxValue, ["axis"] = Constraint.Axis(Axis) };

        internal static MaxNorm FromConfig(ConfigReader config) => new MaxNorm(config.Double("max_value", 2), config.IntList("axis", new[] { 0 }));
    }

    /// <summary><c>keras.constraints.MinMaxNorm(min_value=0.0, max_value=1.0, rate=1.0, axis=0)</c>.</summary>
    [KerasClass("MinMaxNorm")]
    public sealed class MinMaxNorm : Constraint
    {
        /// <summary>Creates the constraint.</summary>
        public MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, params int[] axis)
        {
            MinValue = minValue;
            MaxValue = maxValue;
            Rate = rate;
            Axis = axis is { Length: > 0 } ? axis : new[] { 0 };
        }

        /// <summary>The smallest norm.</summary>
        public double MinValue { get; }

        /// <summary>The largest norm.</summary>
        public double MaxValue { get; }

        /// <summary>How strictly the norm is moved into range (1 = fully).</summary>
        public double Rate { get; }

        /// <summary>The axes the norm is taken over.</summary>
        public new int[] Axis { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor w)
        {
            using var norms = Norms(w, Axis);
            using var clipped = norms.clamp(MinValue, MaxValue);
            using var desired = clipped.mul(Rate).add_(norms, alpha: 1 - Rate);
            using var denominator = norms.add(Config.Epsilon());
            using var ratio = desired.div(denominator);
            return w.mul(ratio);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["min_value"] = MinValue, ["max_value"] = MaxValue, ["rate"] = Rate, ["axis"] = Constraint.Axis(Axis),
        };

        internal static MinMaxNorm FromConfig(ConfigReader config) =>
            new MinMaxNorm(config.Double("min_value", 0.0), config.Double("max_value", 1.0), config.Double("rate", 1.0), config.IntList("axis", new[] { 0 }));
    }

    /// <summary><c>keras.constraints.NonNeg()</c>: max(w, 0).</summary>
    [KerasClass("NonNeg")]
    public sealed class NonNeg : Constraint
    {
        /// <inheritdoc />
        public override Tensor Call(Tensor w) => w.clamp_min(0);

        internal static NonNeg FromConfig(ConfigReader config) => new NonNeg();
    }

    /// <summary><c>keras.constraints.UnitNorm(axis=0)</c>: w / (epsilon + norm).</summary>
    [KerasClass("UnitNorm")]
    public sealed class UnitNorm : Constraint
    {
        /// <summary>Creates the constraint.</summary>
        public UnitNorm(params int[] axis) => Axis = axis is { Length: > 0 } ? axis : new[] { 0 };

        /// <summary>The axes the norm is taken over.</summary>
        public new int[] Axis { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor w)
        {
            using var norms = Norms(w, Axis);
            using var denominator = norms.add(Config.Epsilon());
            return w.div(denominator);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["axis"] = Constraint.Axis(Axis) };

        internal static UnitNorm FromConfig(ConfigReader config) => new UnitNorm(config.IntList("axis", new[] { 0 }));
    }
}

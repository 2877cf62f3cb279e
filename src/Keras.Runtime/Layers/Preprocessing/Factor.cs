using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// The <c>factor</c> of Keras' augmentation layers as given: one number <c>f</c> (the range ±f, clipped to the layer's
    /// bounds) or a pair <c>(lower, upper)</c>. Converts implicitly from a <see cref="double"/> and from a tuple, so
    /// <c>new RandomRotation(0.1)</c> and <c>new RandomRotation((-0.1, 0.3))</c> both read as in Python. Configs keep the
    /// form that was given.
    /// </summary>
    public readonly struct Factor
    {
        private Factor(double single)
        {
            Single = single;
            Pair = null;
        }

        private Factor((double Lower, double Upper) pair)
        {
            Single = null;
            Pair = pair;
        }

        /// <summary>The single number given, or null.</summary>
        public double? Single { get; }
        /// <summary>The pair given, or null.</summary>
        public (double Lower, double Upper)? Pair { get; }

        /// <summary>One number.</summary>
        public static implicit operator Factor(double value) => new Factor(value);
        /// <summary>A (lower, upper) pair.</summary>
        public static implicit operator Factor((double Lower, double Upper) pair) => new Factor(pair);

        /// <summary>As Python prints it in messages.</summary>
        public override string ToString() => Pair is { } p
            ? $"({Number(p.Lower)}, {Number(p.Upper)})"
            : Number(Single ?? 0);

        internal static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture) is var s && !s.Contains('.') && !s.Contains('E') ? s + ".0" : v.ToString("R", CultureInfo.InvariantCulture);

        internal JsonNode ToJson() => Pair is { } p ? new JsonArray(JsonValue.Create(p.Lower), JsonValue.Create(p.Upper)) : JsonValue.Create(Single ?? 0)!;

        internal static Factor Read(ConfigReader c, string key, double? defaultValue = null) =>
            ReadOptional(c, key) ?? (defaultValue is double d ? d : throw c.Error(key, "a number or a list of two numbers"));

        internal static Factor? ReadOptional(ConfigReader c, string key)
        {
            var node = c.Raw(key);
            if (node is null) return null;
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return v.GetValue<double>();
            if (node is JsonArray a && a.Count == 2 && a[0] is JsonValue l && l.GetValueKind() == JsonValueKind.Number &&
                a[1] is JsonValue u && u.GetValueKind() == JsonValueKind.Number)
                return (l.GetValue<double>(), u.GetValue<double>());
            throw c.Error(key, "a number or a list of two numbers");
        }
    }
}

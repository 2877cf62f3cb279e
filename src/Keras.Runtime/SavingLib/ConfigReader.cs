using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// A typed view of one serialized object's <c>config</c> (a layer's, an initializer's, ...), used by each class'
    /// <c>FromConfig</c>. Every getter checks the value's type and range and fails with a
    /// <see cref="KerasConfigException"/> naming the file, the object, the key, the value received and what is expected,
    /// never with a cast or null-reference error. The reader records the keys it was asked for: <see cref="Finish"/>
    /// then refuses any other key that carries a value, so a setting this runtime cannot honour (a regularizer, a
    /// constraint, a flag) is an error instead of being silently dropped. Keys whose value is null or false are Keras'
    /// "off" and pass.
    /// </summary>
    internal sealed class ConfigReader
    {
        private readonly HashSet<string> _consumed = new HashSet<string>(StringComparer.Ordinal);

        internal ConfigReader(JsonObject config, string className, string source)
        {
            Config = config;
            ClassName = className;
            Source = source;
            Name = config["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string?)v : null;
            _consumed.Add("name");
        }

        /// <summary>The raw config.</summary>
        internal JsonObject Config { get; }

        /// <summary>The Keras class name being read.</summary>
        internal string ClassName { get; }

        /// <summary>Where the config came from, for messages.</summary>
        internal string Source { get; }

        /// <summary>The object's <c>name</c>, or null.</summary>
        internal string? Name { get; }

        /// <summary>"layer 'dense_1' (Dense)" or "Dense" when unnamed, for messages.</summary>
        internal string Owner => Name != null ? $"{Kind} '{Name}' ({ClassName})" : $"{Kind} {ClassName}";

        /// <summary>"layer", "initializer", ... (set by the envelope).</summary>
        internal string Kind { get; set; } = "object";

        // ------------------------------------------------------------------ errors

        /// <summary>The typed error for <paramref name="key"/>.</summary>
        internal KerasConfigException Error(string key, string expected, JsonNode? received = null, Exception? inner = null)
        {
            string value = Describe(received ?? Config[key]);
            return new KerasConfigException(
                $"{Source}: {Owner}, config key '{key}': expected {expected}; received {value}. Fix the value in the saved config, or build " +
                "that part of the model in C# and load the weights with LoadWeights.",
                Source, Owner, key, value, expected, inner);
        }

        /// <summary>A value that Keras accepts but this runtime cannot honour.</summary>
        internal KerasConfigException Unsupported(string key, string feature)
        {
            string value = Describe(Config[key]);
            return new KerasConfigException(
                $"{Source}: {Owner}, config key '{key}' = {value}: {feature} is not supported by this runtime. Build that part of the model in C# " +
                "(or remove the setting in Python Keras and save again), then load the weights with LoadWeights.",
                Source, Owner, key, value, feature + " (unsupported)");
        }

        /// <summary>A JSON value as a message shows it: the JSON (shortened) and its kind.</summary>
        internal static string Describe(JsonNode? node)
        {
            if (node is null) return "null";
            string json = node.ToJsonString();
            if (json.Length > 80) json = json.Substring(0, 77) + "...";
            string kind = node switch
            {
                JsonObject => "an object",
                JsonArray => "a list",
                JsonValue v => v.GetValueKind() switch
                {
                    JsonValueKind.String => "a string",
                    JsonValueKind.Number => "a number",
                    JsonValueKind.True or JsonValueKind.False => "a boolean",
                    _ => "a value",
                },
                _ => "a value",
            };
            return json + " (" + kind + ")";
        }

        // ------------------------------------------------------------------ raw access

        /// <summary>Marks <paramref name="key"/> as read and returns its value (null when absent or JSON null).</summary>
        internal JsonNode? Raw(string key)
        {
            _consumed.Add(key);
            return Config[key];
        }

        /// <summary>True if the key is present with a non-null value (does not mark it read).</summary>
        internal bool Has(string key) => Config[key] is not null;

        /// <summary>Keys that carry no meaning for this runtime (informational in Keras, e.g. <c>unroll</c>).</summary>
        internal void Ignore(params string[] keys)
        {
            foreach (var key in keys) _consumed.Add(key);
        }

        /// <summary>
        /// A key this runtime honours only at some values: present with any other value is <see cref="Unsupported"/>.
        /// </summary>
        internal void Expect(string key, Func<JsonNode, bool> supported, string feature)
        {
            var value = Raw(key);
            bool ok;
            try
            {
                ok = value is null || supported(value);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
            {
                ok = false;
            }
            if (!ok) throw Unsupported(key, feature);
        }

        /// <summary>A boolean key this runtime supports only when it is <paramref name="supported"/>.</summary>
        internal void ExpectBool(string key, bool supported, string feature) =>
            Expect(key, v => v is JsonValue b && b.GetValueKind() is JsonValueKind.True or JsonValueKind.False && b.GetValue<bool>() == supported, feature);

        /// <summary>
        /// Refuses every key nobody read that carries a value (anything but null or false): Keras wrote it, so dropping it
        /// would change the model. Call after the object was created.
        /// </summary>
        internal void Finish()
        {
            foreach (var pair in Config)
            {
                if (_consumed.Contains(pair.Key)) continue;
                if (pair.Value is null) continue;
                if (pair.Value is JsonValue v && v.GetValueKind() == JsonValueKind.False) continue;
                throw Unsupported(pair.Key, "this setting");
            }
        }

        // ------------------------------------------------------------------ scalars

        /// <summary>A required or defaulted integer (integral JSON numbers, 2.0 included), at least <paramref name="min"/>.</summary>
        internal int Int(string key, int? defaultValue = null, int? min = null)
        {
            var node = Raw(key);
            if (node is null) return defaultValue ?? throw Missing(key, "an integer");
            int value = AsInt(key, node);
            if (min is int m && value < m) throw Error(key, m == 1 ? "a positive integer" : $"an integer of at least {m}");
            return value;
        }

        /// <summary>An integer or null.</summary>
        internal int? OptionalInt(string key, int? min = null)
        {
            var node = Raw(key);
            if (node is null) return null;
            int value = AsInt(key, node);
            if (min is int m && value < m) throw Error(key, m == 1 ? "a positive integer or null" : $"an integer of at least {m}, or null");
            return value;
        }

        private int AsInt(string key, JsonNode node, string expected = "an integer")
        {
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
            {
                if (v.TryGetValue<int>(out int i)) return i;
                if (v.TryGetValue<double>(out double d) && Math.Floor(d) == d && d >= int.MinValue && d <= int.MaxValue) return (int)d;
            }
            throw Error(key, expected, node);
        }

        /// <summary>A required or defaulted number.</summary>
        internal double Double(string key, double? defaultValue = null)
        {
            var node = Raw(key);
            if (node is null) return defaultValue ?? throw Missing(key, "a number");
            return AsDouble(key, node);
        }

        /// <summary>A number or null.</summary>
        internal double? OptionalDouble(string key)
        {
            var node = Raw(key);
            return node is null ? null : AsDouble(key, node);
        }

        private double AsDouble(string key, JsonNode node)
        {
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out double d) && !double.IsInfinity(d)) return d;
            throw Error(key, "a number", node);
        }

        /// <summary>A required or defaulted boolean.</summary>
        internal bool Bool(string key, bool? defaultValue = null)
        {
            var node = Raw(key);
            if (node is null) return defaultValue ?? throw Missing(key, "true or false");
            if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
            throw Error(key, "true or false", node);
        }

        /// <summary>A required or defaulted string.</summary>
        internal string String(string key, string? defaultValue = null)
        {
            var node = Raw(key);
            if (node is null) return defaultValue ?? throw Missing(key, "a string");
            return AsString(key, node);
        }

        /// <summary>A string or null.</summary>
        internal string? OptionalString(string key)
        {
            var node = Raw(key);
            return node is null ? null : AsString(key, node);
        }

        private string AsString(string key, JsonNode node)
        {
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.String) return (string)v!;
            throw Error(key, "a string", node);
        }

        /// <summary>One of <paramref name="allowed"/> (Keras' lowercase names; the value is lowercased first, as Keras does).</summary>
        internal string Choice(string key, string defaultValue, params string[] allowed)
        {
            string value = String(key, defaultValue).ToLowerInvariant();
            if (Array.IndexOf(allowed, value) < 0) throw Error(key, "one of " + Shared.KerasFacts.PythonSet(allowed));
            return value;
        }

        // ------------------------------------------------------------------ tuples and shapes

        /// <summary>
        /// Keras' <c>standardize_tuple</c>: an integer (repeated) or a list of exactly <paramref name="count"/> integers,
        /// each at least <paramref name="min"/>.
        /// </summary>
        internal int[] Ints(string key, int count, int[]? defaultValue = null, int min = 1)
        {
            var node = Raw(key);
            if (node is null) return defaultValue ?? throw Missing(key, $"an integer or a list of {count} integers");
            return AsInts(key, node, count, min);
        }

        /// <summary>Like <see cref="Ints"/>, null when absent or null.</summary>
        internal int[]? OptionalInts(string key, int count, int min = 1)
        {
            var node = Raw(key);
            return node is null ? null : AsInts(key, node, count, min);
        }

        private int[] AsInts(string key, JsonNode node, int count, int min)
        {
            string expected = (count == 1 ? "an integer" : $"an integer or a list of {count} integers") + (min == 1 ? ", positive" : min == 0 ? ", not negative" : "");
            int[] values;
            if (node is JsonArray list)
            {
                if (list.Count != count) throw Error(key, expected, node);
                values = list.Select(item => item is null ? throw Error(key, expected, node) : AsInt(key, item, expected)).ToArray();
            }
            else
            {
                int single = AsInt(key, node, expected);
                values = Enumerable.Repeat(single, count).ToArray();
            }
            if (values.Any(v => v < min)) throw Error(key, expected, node);
            return values;
        }

        /// <summary>A list of integers of any length (axes, permutations).</summary>
        internal int[] IntList(string key, int[]? defaultValue = null)
        {
            var node = Raw(key);
            if (node is null) return defaultValue ?? throw Missing(key, "a list of integers");
            if (node is JsonValue) return new[] { AsInt(key, node, "an integer or a list of integers") };
            if (node is not JsonArray list) throw Error(key, "a list of integers", node);
            return list.Select(item => item is null ? throw Error(key, "a list of integers", node) : AsInt(key, item, "a list of integers")).ToArray();
        }

        /// <summary>A shape: a list of dimensions, null for unknown (-1 here).</summary>
        internal long[] Shape(string key)
        {
            var node = Raw(key);
            if (node is null) throw Missing(key, "a shape (a list of integers or nulls)");
            return ReadShape(node, key);
        }

        /// <summary>A shape, or null when absent or null.</summary>
        internal long[]? OptionalShape(string key)
        {
            var node = Raw(key);
            return node is null ? null : ReadShape(node, key);
        }

        /// <summary>Reads a shape value; <see cref="LoadLimits.MaxRank"/> and non-negative dimensions are enforced.</summary>
        internal long[] ReadShape(JsonNode node, string key)
        {
            const string expected = "a shape (a list of non-negative integers or nulls)";
            if (node is not JsonArray list || list.Count > LoadLimits.MaxRank) throw Error(key, expected, node);
            var shape = new long[list.Count];
            for (int i = 0; i < shape.Length; i++)
            {
                var d = list[i];
                if (d is null)
                {
                    shape[i] = -1;
                    continue;
                }
                if (d is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue<long>(out long dim) || dim < 0)
                    throw Error(key, expected, node);
                shape[i] = dim;
            }
            return shape;
        }

        // ------------------------------------------------------------------ Keras objects

        /// <summary>An activation's name: a string, or Keras' serialized function (<c>{"class_name": "function", "config": "relu"}</c>).</summary>
        internal string? Activation(string key, string? defaultValue = null)
        {
            var node = Raw(key);
            switch (node)
            {
                case null:
                    return defaultValue;
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    return CheckActivation(key, (string)v!);
                case JsonObject o when o["config"] is JsonValue name && name.GetValueKind() == JsonValueKind.String:
                    return CheckActivation(key, (string)name!);
                case JsonObject o when o["config"] is JsonObject inner && inner["name"] is JsonValue name && name.GetValueKind() == JsonValueKind.String:
                    return CheckActivation(key, (string)name!);
                default:
                    throw Error(key, "an activation name such as \"relu\"", node);
            }
        }

        private string CheckActivation(string key, string name)
        {
            if (!Activations.IsKnown(name))
                throw Error(key, "an activation this runtime knows (" + string.Join(", ", Activations.Names) + ")");
            return name;
        }

        /// <summary>
        /// A nested Keras object of family <typeparamref name="T"/> (an initializer, regularizer, constraint): a string
        /// identifier or a serialized object; null when absent or null.
        /// </summary>
        internal T? OptionalObject<T>(string key) where T : class
        {
            var node = Raw(key);
            if (node is null) return null;
            string what = KerasCatalog.Describe(KerasCatalog.KindOf(typeof(T)) ?? typeof(T));
            if (node is not JsonObject && !(node is JsonValue v && v.GetValueKind() == JsonValueKind.String))
                throw Error(key, $"a {what} name or a serialized {what} (a string or an object)", node);
            try
            {
                return KerasObjects.Deserialize<T>(node, Source);
            }
            catch (KerasConfigException)
            {
                throw;
            }
            catch (Exception e) when (e is IKerasException)
            {
                throw Error(key, $"a {KerasCatalog.Describe(typeof(T))} this runtime can rebuild ({e.Message})", node, e);
            }
        }

        /// <summary>Like <see cref="OptionalObject{T}"/>, with a default when absent or null.</summary>
        internal T Object<T>(string key, T defaultValue) where T : class => OptionalObject<T>(key) ?? defaultValue;

        /// <summary>A nested object's config, read with its own reader (for classes that hold other classes' configs).</summary>
        internal ConfigReader Nested(string key, string className)
        {
            var node = Raw(key);
            if (node is not JsonObject o) throw Error(key, "an object");
            return new ConfigReader(o, className, Source) { Kind = Kind };
        }

        private KerasConfigException Missing(string key, string expected) =>
            new KerasConfigException($"{Source}: {Owner} lacks the required config key '{key}' ({expected}).", Source, Owner, key, null, expected);

        internal static string Invariant(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}

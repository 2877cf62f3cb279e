using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// One saved call of a layer in a Functional config (one entry of its <c>inbound_nodes</c>), as a layer that takes
    /// several tensors reads it: the positional <c>args</c> and the <c>kwargs</c> Keras 3 wrote, with every tensor
    /// reference (<c>__keras_tensor__</c>) resolvable to the symbolic tensor the graph already made. tf.keras 2 nodes
    /// (<c>[[layer, node, tensor, kwargs], ...]</c>) are presented the same way: one positional argument (the tensor, or the
    /// list of tensors) and the first entry's kwargs. Keyword arguments nobody read that carry a value are refused by
    /// <see cref="Finish"/>, as config keys are.
    /// </summary>
    internal sealed class SavedCall
    {
        private readonly Func<JsonArray, KerasTensor> _resolve;
        private readonly HashSet<string> _read = new HashSet<string>(StringComparer.Ordinal);

        internal SavedCall(JsonNode? node, Func<JsonArray, KerasTensor> resolve, string source, string layerName)
        {
            _resolve = resolve;
            Source = source;
            LayerName = layerName;
            switch (node)
            {
                case JsonObject o:
                    Args = o["args"] is JsonArray args ? args.ToArray() : Array.Empty<JsonNode?>();
                    Kwargs = o["kwargs"] as JsonObject ?? new JsonObject();
                    break;
                case JsonArray legacy when legacy.All(IsLegacyReference):
                    Args = new JsonNode?[] { legacy.Count == 1 ? legacy[0] : legacy };
                    Kwargs = legacy.Count > 0 && legacy[0] is JsonArray { Count: > 3 } first && first[3] is JsonObject kw ? kw : new JsonObject();
                    break;
                default:
                    throw Error("an inbound node must be {\"args\": [...], \"kwargs\": {...}} (Keras 3) or a list of [layer, node, tensor, kwargs] " +
                                "references (tf.keras). Received: " + ConfigReader.Describe(node));
            }
        }

        /// <summary>The file, for messages.</summary>
        internal string Source { get; }

        /// <summary>The layer being called, for messages.</summary>
        internal string LayerName { get; }

        /// <summary>The positional arguments.</summary>
        internal IReadOnlyList<JsonNode?> Args { get; }

        /// <summary>The keyword arguments.</summary>
        internal JsonObject Kwargs { get; }

        /// <summary>Positional argument <paramref name="index"/>, or null when there are fewer.</summary>
        internal JsonNode? Arg(int index) => index < Args.Count ? Args[index] : null;

        /// <summary>Keyword argument <paramref name="key"/> (marked read), or null.</summary>
        internal JsonNode? Kwarg(string key)
        {
            _read.Add(key);
            return Kwargs[key];
        }

        /// <summary>A boolean keyword argument (absent or null: <paramref name="defaultValue"/>).</summary>
        internal bool Flag(string key, bool defaultValue = false)
        {
            var node = Kwarg(key);
            if (node is null) return defaultValue;
            if (node is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False) return v.GetValue<bool>();
            throw Error($"keyword argument '{key}' must be true or false. Received: {ConfigReader.Describe(node)}");
        }

        /// <summary>A boolean keyword argument that may be absent or null (Keras' <c>training=None</c>).</summary>
        internal bool? OptionalFlag(string key) => Kwarg(key) is null ? null : Flag(key);

        /// <summary>Keyword arguments that change nothing here (<c>training</c> at load time).</summary>
        internal void Ignore(params string[] keys)
        {
            foreach (var key in keys) _read.Add(key);
        }

        /// <summary>A keyword argument this runtime honours only when absent, null, false or a list of nulls.</summary>
        internal void ExpectNone(string key, string feature)
        {
            var node = Kwarg(key);
            if (!IsNone(node)) throw Unsupported(key, node, feature);
        }

        private static bool IsNone(JsonNode? node) =>
            node is null || (node is JsonValue v && v.GetValueKind() == JsonValueKind.False) || (node is JsonArray a && a.All(IsNone));

        /// <summary>
        /// A mask keyword argument Keras fills in from the inputs' masks (<c>mask</c>, <c>query_mask</c>, ...): a tensor (with
        /// <paramref name="list"/>, a list of tensors and nulls) is accepted without being wired, since the graph propagates
        /// the same masks itself; anything else must be none. Returns the argument (null when absent).
        /// </summary>
        internal JsonNode? FilledMask(string key, bool list = false)
        {
            var node = Kwarg(key);
            bool filled = IsTensor(node) || list && node is JsonArray items && items.All(m => m is null || IsTensor(m));
            if (node is not null && !filled) ExpectNone(key, list ? "input masks that are not tensors" : "a mask that is not a tensor");
            return node;
        }

        /// <summary>Whether <paramref name="node"/> is a tensor reference.</summary>
        internal static bool IsTensor(JsonNode? node) =>
            node is JsonObject o && o["class_name"] is JsonValue k && k.GetValueKind() == JsonValueKind.String && (string?)k == "__keras_tensor__" ||
            IsLegacyReference(node);

        private static bool IsLegacyReference(JsonNode? node) =>
            node is JsonArray { Count: >= 3 } a && a[0] is JsonValue n && n.GetValueKind() == JsonValueKind.String && a[1] is JsonValue i &&
            i.GetValueKind() == JsonValueKind.Number;

        /// <summary>The tensor <paramref name="node"/> refers to; <paramref name="what"/> names the argument in messages.</summary>
        internal KerasTensor Tensor(JsonNode? node, string what)
        {
            switch (node)
            {
                case JsonObject o when IsTensor(o):
                    if (o["config"]?["keras_history"] is not JsonArray history) throw Error($"the tensor passed as {what} lacks its keras_history.");
                    return _resolve(history);
                case JsonArray a when IsLegacyReference(a):
                    return _resolve(a);
                default:
                    throw Error($"{what} must be a tensor. Received: {ConfigReader.Describe(node)}");
            }
        }

        /// <summary>A tensor, or null when <paramref name="node"/> is null.</summary>
        internal KerasTensor? OptionalTensor(JsonNode? node, string what) => node is null ? null : Tensor(node, what);

        /// <summary>A list of tensors (a single tensor counts as a list of one).</summary>
        internal IReadOnlyList<KerasTensor> Tensors(JsonNode? node, string what) =>
            IsTensor(node) ? new[] { Tensor(node, what) }
            : node is JsonArray list ? list.Select((item, i) => Tensor(item, $"{what}[{i}]")).ToArray()
            : throw Error($"{what} must be a list of tensors. Received: {ConfigReader.Describe(node)}");

        /// <summary>Refuses keyword arguments nobody read that carry a value (anything but null, false or a list of nulls).</summary>
        internal void Finish()
        {
            foreach (var pair in Kwargs)
                if (!_read.Contains(pair.Key) && !IsNone(pair.Value)) throw Unsupported(pair.Key, pair.Value, "this call argument");
        }

        internal KerasConfigException Unsupported(string key, JsonNode? value, string feature) =>
            new KerasConfigException(
                $"{Source}: layer '{LayerName}': the call argument {key}={ConfigReader.Describe(value)} ({feature}) is not supported by this runtime. " +
                "Build that part of the model in C# and load the weights with LoadWeights.",
                Source, LayerName, "inbound_nodes", ConfigReader.Describe(value), feature + " (unsupported)");

        internal KerasConfigException Error(string message) =>
            new KerasConfigException($"{Source}: layer '{LayerName}': {message}", Source, LayerName, "inbound_nodes", null, "a Keras call node");
    }
}

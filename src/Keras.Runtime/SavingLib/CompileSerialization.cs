using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using Keras.Utilities;
using Loss = Keras.Losses.Loss;
using Metric = Keras.Metrics.Metric;

namespace Keras.SavingLib
{
    /// <summary>
    /// Keras' <c>compile_config</c>: what Compile records of the optimizer, the losses and the metrics, and
    /// <c>compile_from_config</c> when a model is loaded. Every form Keras writes is read: names (<c>"mse"</c>),
    /// serialized objects, plain functions (<c>{"module": "builtins", "class_name": "function", "config":
    /// "sparse_categorical_crossentropy"}</c>), <c>LossFunctionWrapper</c>/<c>MeanMetricWrapper</c> around a function,
    /// one entry per output as lists or dicts keyed by output name, null for an output without loss, missing or empty
    /// entries. When a piece cannot be rebuilt here the model stays uncompiled with a warning naming that piece, as Keras
    /// does when compile_from_config fails; nothing is dropped silently.
    /// </summary>
    internal static class CompileSerialization
    {
        /// <summary>The optimizer as Keras serializes it (each optimizer class writes its own config).</summary>
        internal static JsonObject OptimizerConfig(Optimizer optimizer) => KerasObjects.Serialize(optimizer);

        internal static bool IsBuiltIn(Type type) => type.Assembly == typeof(Layer).Assembly;

        /// <summary>A loss as Keras serializes it: built-in classes under keras.losses, users' classes by their name.</summary>
        internal static JsonNode LossConfig(Loss loss) =>
            loss is Keras.Losses.CompileCrossentropy ? JsonValue.Create(loss.Name)! : KerasObjects.Serialize(loss);

        /// <summary>A metric as Keras serializes it; compile's "accuracy" stays the string it was given.</summary>
        internal static JsonNode MetricConfig(Metric metric) =>
            metric is Keras.Metrics.CompileAccuracy ? JsonValue.Create(metric.Name)! : KerasObjects.Serialize(metric);

        /// <summary>A piece of the compile config this runtime cannot rebuild.</summary>
        private sealed class MissingPiece : Exception
        {
            internal MissingPiece(string message, Exception? inner = null) : base(message, inner) { }
        }

        internal static void CompileFromConfig(Model model, JsonObject config)
        {
            try
            {
                Optimizer optimizer = Piece("optimizer", config["optimizer"], node => node switch
                {
                    null => Optimizer.Get("rmsprop"),
                    JsonValue v when v.GetValueKind() == JsonValueKind.String => Optimizer.Get((string)v!),
                    JsonObject o => KerasObjects.Deserialize<Optimizer>(o, "compile_config"),
                    var other => throw new KerasArgumentException("an optimizer must be a name or a serialized optimizer, not " + other.ToJsonString()),
                });
                var names = model.OutputNames;
                int outputs = model.OutputCount;
                var lossNode = config["loss"];
                var metricsNode = config["metrics"];
                var weightedNode = config["weighted_metrics"];
                if (outputs == 1)
                {
                    // One output: a list or dict of one entry is that entry (Keras' tree structures of one leaf).
                    lossNode = Single(lossNode, names[0], listOfLists: false);
                    metricsNode = Single(metricsNode, names[0], listOfLists: true);
                    weightedNode = Single(weightedNode, names[0], listOfLists: true);
                }
                bool perOutputLoss = outputs > 1 || lossNode is JsonArray || lossNode is JsonObject o2 && !IsSerializedObject(o2);
                if (!perOutputLoss)
                {
                    var loss = ReadLoss(lossNode, "loss");
                    var metrics = FlatMetrics(metricsNode, "metrics");
                    var weighted = FlatMetrics(weightedNode, "weighted_metrics");
                    model.Compile(optimizer, loss, metrics, weightedMetrics: weighted);
                }
                else
                {
                    var losses = PerOutput(lossNode, names, "loss", (n, where) => ReadLoss(n, where));
                    if (losses == null || losses.All(l => l == null))
                        throw new MissingPiece($"'loss': the model has {outputs} outputs but the saved loss is {Describe(lossNode)}");
                    var weights = PerOutput(config["loss_weights"], names, "loss_weights", (n, where) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number
                        ? v.GetValue<double>() : n is null ? 1.0 : throw new MissingPiece($"'{where}': a loss weight must be a number, not {Describe(n)}"));
                    var metrics = PerOutput(config["metrics"], names, "metrics", (n, where) => (IEnumerable<Metric>?)FlatMetrics(n, where));
                    var weighted = PerOutput(config["weighted_metrics"], names, "weighted_metrics", (n, where) => (IEnumerable<Metric>?)FlatMetrics(n, where));
                    model.Compile(optimizer, losses, weights, metrics, weightedMetrics: weighted);
                }
                // As Keras' compile_from_config: the optimizer is built now, so the file's optimizer state can be loaded.
                // (model.Optimizer: the LossScaleOptimizer when Compile wrapped it for mixed_float16.)
                if (model.Built) model.Optimizer!.Build(model.TrainableWeights);
            }
            catch (Exception e) when (e is MissingPiece or KerasArgumentException or KerasTypeException or KerasConfigException or InvalidOperationException)
            {
                IoUtils.Warn($"The model was loaded without compiling it: its compile_config could not be applied ({e.Message}). " +
                             "Call Compile before training.");
            }
        }

        private static bool IsSerializedObject(JsonObject o) => o.ContainsKey("class_name");

        private static JsonNode? Single(JsonNode? node, string output, bool listOfLists) => node switch
        {
            JsonArray { Count: 1 } list when !listOfLists || list[0] is JsonArray => list[0],
            JsonObject dict when !IsSerializedObject(dict) && dict.Count == 1 && dict.ContainsKey(output) => dict[output],
            _ => node,
        };

        private static string Describe(JsonNode? node) => node?.ToJsonString() ?? "null";

        /// <summary>Runs one piece's reader; its failure names the piece.</summary>
        private static T Piece<T>(string where, JsonNode? node, Func<JsonNode?, T> read)
        {
            try
            {
                return read(node);
            }
            catch (Exception e) when (e is KerasArgumentException or KerasTypeException or KerasConfigException)
            {
                throw new MissingPiece($"'{where}' = {Describe(node)}: {e.Message}", e);
            }
        }

        /// <summary>
        /// One value per output from a list (in output order) or a dict keyed by output name; a single value applies to
        /// every output (Keras broadcasts a lone loss or metric list over the outputs); null stays null.
        /// </summary>
        private static T[]? PerOutput<T>(JsonNode? node, IReadOnlyList<string> names, string key, Func<JsonNode?, string, T> read)
        {
            switch (node)
            {
                case null:
                    return null;
                case JsonArray list when list.Count == names.Count && (key is "loss" or "loss_weights" || list.All(e => e is JsonArray || e is null)):
                    return list.Select((e, i) => read(e, $"{key}[{i}]")).ToArray();
                case JsonObject dict when !IsSerializedObject(dict):
                    foreach (var k in dict.Select(p => p.Key))
                        if (!names.Contains(k))
                            throw new MissingPiece($"'{key}': the key '{k}' names no output of the model (its outputs: {string.Join(", ", names)})");
                    return names.Select(n => read(dict[n], $"{key}[\"{n}\"]")).ToArray();
                case JsonArray list when key is "loss" or "loss_weights":
                    throw new MissingPiece($"'{key}' has {list.Count} entries but the model has {names.Count} outputs");
                default:
                    var one = read(node, key);
                    return names.Select(_ => key.Contains("metrics") ? read(node, key) : one).ToArray();
            }
        }

        /// <summary>A loss by name, serialized object, builtins function or LossFunctionWrapper; null for none.</summary>
        private static Loss? ReadLoss(JsonNode? node, string where) => Piece(where, node, n => n switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => Keras.Losses.CompileCrossentropy.ForCompile((string)v!),
            JsonObject o when FunctionName(o) is { } function => Loss.Get(function),
            JsonObject o when (string?)o["class_name"] == "LossFunctionWrapper" => WrappedLoss(o),
            JsonObject o => KerasObjects.Deserialize<Loss>(o, "compile_config"),
            var other => throw new KerasArgumentException("a loss must be a name or a serialized loss, not " + other.ToJsonString()),
        });

        /// <summary>The function a <c>{"class_name": "function", "config": "name"}</c> envelope names, else null.</summary>
        private static string? FunctionName(JsonObject o) =>
            (string?)o["class_name"] == "function" && o["config"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string)v! : null;

        private static Loss WrappedLoss(JsonObject o)
        {
            var c = o["config"] as JsonObject ?? new JsonObject();
            string? function = c["fn"] switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => (string)v!,
                JsonObject f => FunctionName(f),
                _ => null,
            };
            if (function == null) throw new KerasArgumentException("LossFunctionWrapper needs 'fn', the name of a Keras loss function: " + o.ToJsonString());
            var extra = c.Select(p => p.Key).Where(k => k is not ("fn" or "name" or "reduction" or "dtype")).ToArray();
            if (extra.Length > 0)
                throw new KerasArgumentException($"LossFunctionWrapper({function}) with arguments {string.Join(", ", extra)} is not supported here.");
            var loss = Loss.Get(function);
            if ((string?)c["name"] is { } name) loss.Name = name;
            if ((string?)c["reduction"] is { } reduction && reduction != loss.Reduction)
                throw new KerasArgumentException($"LossFunctionWrapper({function}) with reduction '{reduction}' is not supported here.");
            return loss;
        }

        /// <summary>A flat list of metrics (a single metric counts as a list of one); null for none.</summary>
        private static List<Metric>? FlatMetrics(JsonNode? node, string where)
        {
            switch (node)
            {
                case null:
                    return null;
                case JsonArray list:
                    var metrics = new List<Metric>();
                    for (int i = 0; i < list.Count; i++)
                        if (list[i] is { } item) metrics.Add(ReadMetric(item, $"{where}[{i}]"));
                    return metrics;
                default:
                    return new List<Metric> { ReadMetric(node, where) };
            }
        }

        /// <summary>A metric by name, serialized object or builtins function; a function is wrapped and named after it, as Keras does.</summary>
        private static Metric ReadMetric(JsonNode node, string where) => Piece(where, node, n => n switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => Metric.Get((string)v!),
            JsonObject o when FunctionName(o) is { } function => FunctionMetric(function),
            JsonObject o => KerasObjects.Deserialize<Metric>(o, "compile_config"),
            var other => throw new KerasArgumentException("a metric must be a name or a serialized metric, not " + other!.ToJsonString()),
        });

        private static Metric FunctionMetric(string function)
        {
            if (Shared.KerasIdentifiers.Metrics.Resolve(function) != null || function is "accuracy" or "acc") return Metric.Get(function);
            var fn = Keras.Metrics.MeanMetricWrapper.Function(function)
                     ?? throw new KerasArgumentException($"Could not interpret metric identifier: {function}");
            return new Keras.Metrics.MeanMetricWrapper(fn, function);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Losses;
using Keras.Metrics;
using Keras.Models;
using Keras.Optimizers;
using Keras.State;
using Keras.Utilities;

namespace Keras.SavingLib
{
    /// <summary>
    /// Keras' <c>compile_config</c>: what Compile records of the optimizer, the losses and the metrics, and
    /// <c>compile_from_config</c> when a model is loaded.
    /// </summary>
    internal static class CompileSerialization
    {
        /// <summary>The optimizer as Keras serializes it (each optimizer class writes its own config).</summary>
        internal static JsonObject OptimizerConfig(Optimizer optimizer) => KerasObjects.Serialize(optimizer);

        internal static bool IsBuiltIn(Type type) => type.Assembly == typeof(Layer).Assembly;

        /// <summary>
        /// Serializes an instance as Keras does: a built-in class under its exported module with no registered name; a
        /// user's class with no module and its class name as registered name.
        /// </summary>
        private static JsonObject WrapInstance(object instance, string builtInModule, JsonObject config)
        {
            var type = instance.GetType();
            bool builtIn = IsBuiltIn(type);
            return ModelSerialization.Wrap(builtIn ? builtInModule : null, type.Name, config, builtIn ? null : type.Name);
        }

        internal static JsonObject LossConfig(Loss loss)
        {
            var c = new JsonObject { ["name"] = loss.Name, ["reduction"] = loss.Reduction };
            switch (loss)
            {
                case BinaryCrossentropy b: c["from_logits"] = b.FromLogits; c["label_smoothing"] = 0.0; c["axis"] = -1; break;
                case CategoricalCrossentropy cc: c["from_logits"] = cc.FromLogits; c["label_smoothing"] = 0.0; c["axis"] = -1; break;
                case SparseCategoricalCrossentropy s: c["from_logits"] = s.FromLogits; c["ignore_class"] = null; break;
            }
            return WrapInstance(loss, "keras.losses", c);
        }

        internal static JsonObject MetricConfig(Metric metric) =>
            WrapInstance(metric, "keras.metrics", new JsonObject { ["name"] = metric.Name, ["dtype"] = "float32" });

        internal static void CompileFromConfig(Model model, JsonObject config)
        {
            try
            {
                Optimizer optimizer = config["optimizer"] switch
                {
                    JsonValue v => Optimizer.Get((string)v!),
                    JsonObject o => KerasObjects.Deserialize<Optimizer>(o, "compile_config"),
                    _ => Optimizer.Get("rmsprop"),
                };
                if (config["loss"] is JsonArray lossList)
                {
                    var losses = lossList.Select(l => ReadLoss(l) ?? throw new KerasArgumentException("unreadable loss " + l?.ToJsonString())).ToArray();
                    var weights = config["loss_weights"] is JsonArray w ? w.Select(x => x!.GetValue<double>()).ToArray() : null;
                    var perOutput = config["metrics"] is JsonArray m && m.All(e => e is JsonArray || e == null)
                        ? m.Select(e => (IEnumerable<Metric>?)ReadMetrics(e as JsonArray)).ToArray()
                        : null;
                    model.Compile(optimizer, losses, weights, perOutput);
                }
                else
                {
                    model.Compile(optimizer, ReadLoss(config["loss"]), ReadMetrics(config["metrics"] as JsonArray));
                }
                // As Keras' compile_from_config: the optimizer is built now, so the file's optimizer state can be loaded.
                // (model.Optimizer: the LossScaleOptimizer when Compile wrapped it for mixed_float16.)
                if (model.Built) model.Optimizer!.Build(model.TrainableWeights);
            }
            catch (Exception e) when (e is KerasArgumentException or KerasTypeException or KerasConfigException or InvalidOperationException or NullReferenceException)
            {
                IoUtils.Warn($"The model was loaded without compiling it: its compile_config could not be applied ({e.Message}). Call Compile before training.");
            }
        }

        /// <summary>A loss by name or serialized object; null for none.</summary>
        private static Loss? ReadLoss(JsonNode? node) => node switch
        {
            JsonValue v => Loss.Get((string)v!),
            JsonObject o => CreateLoss(o),
            null => null,
            var other => throw new KerasArgumentException("unreadable loss " + other.ToJsonString()),
        };

        /// <summary>A serialized metric: by its configured name when this runtime knows it ("mae"), else by its class.</summary>
        private static Metric MetricFromObject(JsonObject o)
        {
            if ((string?)o["config"]?["name"] is { } name)
            {
                try
                {
                    return Metric.Get(name);
                }
                catch (KerasArgumentException)
                {
                    // a custom name ("val_auc_2"): fall back to the class
                }
            }
            return Metric.Get(Naming.ToSnakeCase((string?)o["class_name"] ?? ""));
        }

        /// <summary>Metrics by name or serialized object; ones this runtime lacks are left out with a warning.</summary>
        private static List<Metric> ReadMetrics(JsonArray? list)
        {
            var metrics = new List<Metric>();
            if (list != null)
                foreach (var item in list)
                {
                    try
                    {
                        metrics.Add(item switch
                        {
                            JsonValue v => Metric.Get((string)v!),
                            JsonObject o => MetricFromObject(o),
                            _ => throw new KerasArgumentException("unreadable metric " + item?.ToJsonString()),
                        });
                    }
                    catch (KerasArgumentException e)
                    {
                        IoUtils.Warn($"The saved metric {item?.ToJsonString()} is not available in this runtime and was left out of the compiled model ({e.Message}).");
                    }
                }
            return metrics;
        }

        private static Loss CreateLoss(JsonObject o)
        {
            string className = (string?)o["class_name"] ?? "";
            var c = o["config"] as JsonObject ?? new JsonObject();
            bool logits = Bool(c, "from_logits", false);
            return className switch
            {
                "BinaryCrossentropy" => new BinaryCrossentropy(logits),
                "CategoricalCrossentropy" => new CategoricalCrossentropy(logits),
                "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(logits),
                _ => Loss.Get(className),
            };
        }

        private static double Double(JsonObject c, string key, double fallback = double.NaN)
        {
            if (c[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number) return v.GetValue<double>();
            return double.IsNaN(fallback) ? throw new KerasArgumentException($"Layer config {(string?)c["name"]} lacks the required '{key}'.") : fallback;
        }

        private static bool Bool(JsonObject c, string key, bool fallback) =>
            c[key] is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False ? v.GetValue<bool>() : fallback;

    }
}

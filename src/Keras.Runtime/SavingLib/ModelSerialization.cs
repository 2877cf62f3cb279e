using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Initializers;
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
    /// Keras' serialized object format (reference §4.4) for the built-in layers, models, optimizers, losses and metrics:
    /// what <c>config.json</c> of a <c>.keras</c> archive and <c>Model.ToJson()</c> hold, and back. Files written by
    /// Python Keras 3 load as long as they use these classes; anything else fails with a message naming the class.
    /// </summary>
    internal static class ModelSerialization
    {
        /// <summary>While a config is being loaded: the dtype policy the next layer is created with (null otherwise).</summary>
        [ThreadStatic] internal static string? DtypeWhileLoading;

        private const string LambdaMessage =
            "Requested the deserialization of a Python lambda. This carries a potential risk of arbitrary code execution and thus it is disallowed " +
            "by default. If you trust the source of the artifact, you can override this error by passing `safe_mode=False` to the loading function, " +
            "or calling `keras.config.enable_unsafe_deserialization().";

        // ------------------------------------------------------------------ serialize

        internal static JsonObject Serialize(Model model)
        {
            var result = SerializeLayer(model);
            result["compile_config"] = model.CompileConfigJson();
            return result;
        }

        private static JsonObject SerializeLayer(Layer layer)
        {
            var (module, className, registered) = layer switch
            {
                Sequential => ("keras", "Sequential", (string?)null),
                Functional => ("keras.src.models.functional", "Functional", "Functional"),
                _ when IsBuiltIn(layer.GetType()) => ("keras.layers", layer.GetType().Name, null),
                _ => (null, layer.GetType().Name, SerializableRegistry.NameOf(layer.GetType()) ?? layer.GetType().Name),
            };
            var obj = Wrap(module, className, layer.GetConfig(), registered);
            if (layer.Built && layer.BuildInputShape != null && layer is not Functional)
                obj["build_config"] = new JsonObject { ["input_shape"] = Shape(layer.BuildInputShape) };
            return obj;
        }

        internal static JsonObject Wrap(string? module, string className, JsonNode? config, string? registeredName = null) => new JsonObject
        {
            ["module"] = module,
            ["class_name"] = className,
            ["config"] = config,
            ["registered_name"] = registeredName,
        };

        private static JsonArray Shape(IEnumerable<long> shape) => new JsonArray(shape.Select(d => d < 0 ? null : (JsonNode)JsonValue.Create(d)).ToArray());

        private static JsonObject Policy(DTypePolicy policy) =>
            Wrap("keras", "DTypePolicy", new JsonObject { ["name"] = policy.Name });

        private static JsonObject Init(string className, JsonObject? config = null) =>
            Wrap("keras.initializers", className, config ?? new JsonObject());

        private static JsonObject Glorot() => Init("GlorotUniform", new JsonObject { ["seed"] = null });

        /// <summary>Keras' <c>get_config()</c> of a layer: the base keys plus each built-in layer's own (Layer.GetConfig's default).</summary>
        internal static JsonObject LayerConfig(Layer layer)
        {
            var c = new JsonObject { ["name"] = layer.Name, ["trainable"] = layer.Trainable, ["dtype"] = Policy(layer.DtypePolicy) };
            switch (layer)
            {
                case Sequential sequential:
                    var layers = new JsonArray();
                    if (sequential.BuildInputShape is { } shape)
                        layers.Add(Wrap("keras.layers", "InputLayer", new JsonObject
                        {
                            ["batch_shape"] = Shape(shape), ["dtype"] = sequential.VariableDtype, ["sparse"] = false, ["name"] = "input_layer",
                        }));
                    foreach (var child in sequential.Layers) layers.Add(SerializeLayer(child));
                    c["layers"] = layers;
                    if (sequential.BuildInputShape is { } built) c["build_input_shape"] = Shape(built);
                    break;
                case Functional functional:
                    FunctionalConfig(functional, c);
                    break;
                case Model:
                    break; // a subclassed model: its constructor arguments are not known; LoadModel explains what to do
                case Dense d:
                    c["units"] = d.Units; c["activation"] = d.Activation; c["use_bias"] = d.UseBias;
                    c["kernel_initializer"] = Glorot(); c["bias_initializer"] = Init("Zeros");
                    c["kernel_regularizer"] = null; c["bias_regularizer"] = null; c["kernel_constraint"] = null; c["bias_constraint"] = null;
                    break;
                case Dropout d:
                    c["rate"] = d.Rate; c["seed"] = null; c["noise_shape"] = null;
                    break;
                case Flatten f:
                    c["data_format"] = f.DataFormat;
                    break;
                case Reshape r:
                    c["target_shape"] = Shape(r.TargetShape);
                    break;
                case Layers.Activation a:
                    c["activation"] = a.Function;
                    break;
                case Conv2D conv:
                    c["filters"] = conv.Filters;
                    c["kernel_size"] = new JsonArray(conv.KernelSize.Height, conv.KernelSize.Width);
                    c["strides"] = new JsonArray(conv.Strides.Height, conv.Strides.Width);
                    c["padding"] = conv.Padding; c["data_format"] = conv.DataFormat;
                    c["dilation_rate"] = new JsonArray(1, 1); c["groups"] = 1;
                    c["activation"] = conv.Activation; c["use_bias"] = conv.UseBias;
                    c["kernel_initializer"] = Glorot(); c["bias_initializer"] = Init("Zeros");
                    c["kernel_regularizer"] = null; c["bias_regularizer"] = null; c["activity_regularizer"] = null;
                    c["kernel_constraint"] = null; c["bias_constraint"] = null;
                    break;
                case MaxPooling2D pool:
                    c["pool_size"] = new JsonArray(pool.PoolSize, pool.PoolSize);
                    c["padding"] = pool.Padding;
                    c["strides"] = new JsonArray(pool.Strides, pool.Strides);
                    c["data_format"] = pool.DataFormat;
                    break;
                case BatchNormalization bn:
                    c["axis"] = bn.Axis; c["momentum"] = bn.Momentum; c["epsilon"] = bn.Epsilon; c["center"] = bn.Center; c["scale"] = bn.Scale;
                    c["beta_initializer"] = Init("Zeros"); c["gamma_initializer"] = Init("Ones");
                    c["moving_mean_initializer"] = Init("Zeros"); c["moving_variance_initializer"] = Init("Ones");
                    c["beta_regularizer"] = null; c["gamma_regularizer"] = null; c["beta_constraint"] = null; c["gamma_constraint"] = null;
                    c["synchronized"] = false;
                    break;
                case Embedding e:
                    c["input_dim"] = e.InputDim; c["output_dim"] = e.OutputDim;
                    c["embeddings_initializer"] = Init("RandomUniform", new JsonObject { ["minval"] = -0.05, ["maxval"] = 0.05, ["seed"] = null });
                    c["embeddings_regularizer"] = null; c["activity_regularizer"] = null; c["embeddings_constraint"] = null; c["mask_zero"] = false;
                    break;
                case Recurrent rnn:
                    c["return_sequences"] = rnn.ReturnSequences; c["return_state"] = false; c["go_backwards"] = false;
                    c["stateful"] = rnn.Stateful; c["unroll"] = false; c["zero_output_for_mask"] = false;
                    c["units"] = rnn.Units; c["activation"] = rnn.ActivationName; c["recurrent_activation"] = rnn.RecurrentActivationName;
                    c["use_bias"] = rnn.UseBias;
                    c["kernel_initializer"] = Glorot();
                    c["recurrent_initializer"] = Init("Orthogonal", new JsonObject { ["seed"] = null, ["gain"] = 1.0 });
                    c["bias_initializer"] = Init("Zeros");
                    if (rnn is LSTM lstm) c["unit_forget_bias"] = lstm.UnitForgetBias;
                    c["dropout"] = 0.0; c["recurrent_dropout"] = 0.0;
                    if (rnn is GRU) c["reset_after"] = true;
                    c["seed"] = null;
                    break;
                case Concatenate concat:
                    c["axis"] = concat.Axis;
                    break;
                case MultiHeadAttention mha:
                    c["num_heads"] = mha.NumHeads; c["key_dim"] = mha.KeyDim; c["value_dim"] = mha.ValueDim; c["dropout"] = mha.Dropout;
                    c["use_bias"] = mha.UseBias; c["output_shape"] = mha.OutputShape; c["attention_axes"] = null;
                    c["kernel_initializer"] = Glorot(); c["bias_initializer"] = Init("Zeros");
                    break;
            }
            return c;
        }

        private static void FunctionalConfig(Functional model, JsonObject c)
        {
            var layers = new JsonArray();
            for (int i = 0; i < model.Inputs.Count; i++)
            {
                var input = model.Inputs[i];
                string name = model.InputName(i);
                layers.Add(new JsonObject
                {
                    ["module"] = "keras.layers", ["class_name"] = "InputLayer",
                    ["config"] = new JsonObject { ["batch_shape"] = Shape(input.Shape), ["dtype"] = input.Dtype, ["sparse"] = false, ["name"] = name },
                    ["registered_name"] = null, ["name"] = name, ["inbound_nodes"] = new JsonArray(),
                });
            }
            JsonArray Ref(KerasTensor t)
            {
                var (layer, node) = model.History(t);
                return new JsonArray(layer, node, 0);
            }
            JsonObject TensorArg(KerasTensor t) => new JsonObject
            {
                ["class_name"] = "__keras_tensor__",
                ["config"] = new JsonObject { ["shape"] = Shape(t.Shape), ["dtype"] = t.Dtype, ["keras_history"] = Ref(t) },
            };
            foreach (var layer in model.Layers)
            {
                var obj = SerializeLayer(layer);
                obj.Remove("build_config"); // rebuilt by the calls
                obj["name"] = layer.Name;
                var inbound = new JsonArray();
                foreach (var node in model.NodesOf(layer))
                {
                    JsonNode firstArg = layer is Merge
                        ? new JsonArray(node.SourceInputs.Select(i => (JsonNode)TensorArg(i)).ToArray())
                        : TensorArg(node.SourceInputs[0]);
                    inbound.Add(new JsonObject { ["args"] = new JsonArray(firstArg), ["kwargs"] = new JsonObject() });
                }
                obj["inbound_nodes"] = inbound;
                layers.Add(obj);
            }
            c["layers"] = layers;
            c["input_layers"] = new JsonArray(model.Inputs.Select(i => (JsonNode)Ref(i)).ToArray());
            c["output_layers"] = new JsonArray(model.Outputs.Select(o => (JsonNode)Ref(o)).ToArray());
        }

        internal static JsonObject OptimizerConfig(Optimizer optimizer)
        {
            var c = new JsonObject
            {
                ["name"] = optimizer.Name,
                // Keras records float(variable.numpy()), the float32 value; the exact double is written here so a reloaded model
                // continues bit for bit (Python reads either into the same float32).
                ["learning_rate"] = optimizer.LearningRate,
                ["weight_decay"] = optimizer.WeightDecay,
                ["clipnorm"] = null, ["global_clipnorm"] = null, ["clipvalue"] = null, ["use_ema"] = false, ["ema_momentum"] = 0.99,
                ["ema_overwrite_frequency"] = null, ["loss_scale_factor"] = null, ["gradient_accumulation_steps"] = null,
            };
            switch (optimizer)
            {
                case Adam adam:
                    c["beta_1"] = adam.Beta1; c["beta_2"] = adam.Beta2; c["epsilon"] = adam.Epsilon; c["amsgrad"] = false;
                    break;
                case SGD sgd:
                    c["momentum"] = sgd.Momentum; c["nesterov"] = sgd.Nesterov;
                    break;
                case RMSprop rms:
                    c["rho"] = rms.Rho; c["momentum"] = rms.Momentum; c["epsilon"] = rms.Epsilon; c["centered"] = rms.Centered;
                    break;
            }
            return WrapInstance(optimizer, "keras.optimizers", c);
        }

        private static bool IsBuiltIn(Type type) => type.Assembly == typeof(Layer).Assembly;

        /// <summary>
        /// Serializes an instance as Keras does: a built-in class under its exported module with no registered name; a
        /// user's class with no module and its class name as registered name.
        /// </summary>
        private static JsonObject WrapInstance(object instance, string builtInModule, JsonObject config)
        {
            var type = instance.GetType();
            bool builtIn = IsBuiltIn(type);
            return Wrap(builtIn ? builtInModule : null, type.Name, config, builtIn ? null : type.Name);
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

        // ------------------------------------------------------------------ deserialize

        internal static Model Deserialize(JsonNode? root, bool compile, bool safeMode, string source)
        {
            if (root is not JsonObject obj)
                throw new KerasArgumentException($"{source}: the model configuration must be a JSON object with 'class_name' and 'config'.");
            bool safe = GlobalState.SafeModeSaving ?? safeMode;
            RejectLambdas(obj, safe);
            var layer = DeserializeLayer(obj);
            if (layer is not Model model)
                throw new KerasArgumentException($"{source}: the configuration describes a {layer.GetType().Name} layer, not a model.");
            if (compile && obj["compile_config"] is JsonObject compileConfig && compileConfig.Count > 0) CompileFromConfig(model, compileConfig);
            return model;
        }

        private static void RejectLambdas(JsonNode? node, bool safe)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["class_name"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && (string?)o["class_name"] is "__lambda__" or "Lambda")
                    {
                        if (safe) throw new KerasArgumentException(LambdaMessage);
                        throw new KerasArgumentException(
                            "This file contains a Python lambda (a Lambda layer or a lambda argument). Python bytecode cannot run in .NET even with " +
                            "safe mode off: rebuild that part of the model in C# and load the weights with LoadWeights.");
                    }
                    foreach (var pair in o) RejectLambdas(pair.Value, safe);
                    break;
                case JsonArray a:
                    foreach (var item in a) RejectLambdas(item, safe);
                    break;
            }
        }

        private static Layer DeserializeLayer(JsonObject obj)
        {
            string className = (string?)obj["class_name"] ?? throw new KerasArgumentException("A serialized Keras object needs a 'class_name'. Received: " + obj.ToJsonString());
            if (obj["config"] is not JsonObject config)
                throw new KerasTypeException($"Expected 'config' to be a dict. Received: {obj["config"]?.ToJsonString() ?? "null"} (class_name={className})");
            string? saved = DtypeWhileLoading;
            DtypeWhileLoading = DtypeName(config["dtype"]);
            Layer layer;
            try
            {
                layer = Create(className, config, obj);
            }
            finally
            {
                DtypeWhileLoading = saved;
            }
            if (config["trainable"] is JsonValue trainable && !trainable.GetValue<bool>()) layer.Trainable = false;
            if (layer is not Model && !layer.Built && obj["build_config"]?["input_shape"] is JsonArray inputShape) layer.Build(ReadShape(inputShape));
            return layer;
        }

        private static string? DtypeName(JsonNode? dtype) => dtype switch
        {
            null => null,
            JsonValue v => (string?)v,
            JsonObject o => (string?)o["config"]?["name"],
            _ => null,
        };

        private static long[] ReadShape(JsonArray shape) => shape.Select(d => d == null ? -1L : d.GetValue<long>()).ToArray();

        private static Layer Create(string className, JsonObject c, JsonObject obj)
        {
            string? name = (string?)c["name"];
            switch (className)
            {
                case "Sequential":
                    return CreateSequential(c, obj);
                case "Functional":
                case "Model":
                    return CreateFunctional(c);
                case "Dense":
                    return new Dense(Int(c, "units"), Activation(c, "activation"), Bool(c, "use_bias", true), name: name);
                case "Dropout":
                    return new Dropout(Double(c, "rate"), c["seed"] is JsonValue seed ? seed.GetValue<int>() : null, name);
                case "Flatten":
                    return new Flatten((string?)c["data_format"], name);
                case "Reshape":
                    return new Reshape(ReadShape((JsonArray)c["target_shape"]!), name);
                case "Activation":
                    return new Layers.Activation(Activation(c, "activation") ?? "linear", name);
                case "Conv2D":
                    Require(c, "dilation_rate", v => Pair(v) == (1, 1), "dilation_rate other than 1");
                    Require(c, "groups", v => v.GetValue<int>() == 1, "groups other than 1");
                    return new Conv2D(Int(c, "filters"), Pair(c["kernel_size"]!), c["strides"] is { } convStrides ? Pair(convStrides) : (1, 1),
                        (string?)c["padding"] ?? "valid", (string?)c["data_format"], Activation(c, "activation"), Bool(c, "use_bias", true), name: name);
                case "MaxPooling2D":
                {
                    var pool = Pair(c["pool_size"] ?? JsonValue.Create(2));
                    var strides = c["strides"] is JsonNode s && s.GetValueKind() != System.Text.Json.JsonValueKind.Null ? Pair(s) : pool;
                    if (pool.Item1 != pool.Item2 || strides.Item1 != strides.Item2)
                        throw Unsupported(className, "non-square pool_size or strides");
                    return new MaxPooling2D(pool.Item1, strides.Item1, (string?)c["padding"] ?? "valid", (string?)c["data_format"], name);
                }
                case "BatchNormalization":
                {
                    int axis = c["axis"] is JsonArray axes ? axes[0]!.GetValue<int>() : c["axis"] is JsonValue a ? a.GetValue<int>() : -1;
                    return new BatchNormalization(axis, Double(c, "momentum", 0.99), Double(c, "epsilon", 1e-3), Bool(c, "center", true), Bool(c, "scale", true), name);
                }
                case "Embedding":
                    if (Bool(c, "mask_zero", false)) IoUtils.Warn($"Embedding '{name}': mask_zero=True is not supported; the layer is loaded without masking.");
                    return new Embedding(Int(c, "input_dim"), Int(c, "output_dim"), name: name);
                case "LSTM":
                case "GRU":
                {
                    Require(c, "go_backwards", v => !v.GetValue<bool>(), "go_backwards=True");
                    Require(c, "return_state", v => !v.GetValue<bool>(), "return_state=True");
                    if (className == "GRU") Require(c, "reset_after", v => v.GetValue<bool>(), "reset_after=False");
                    string activation = Activation(c, "activation") ?? "tanh", recurrent = Activation(c, "recurrent_activation") ?? "sigmoid";
                    return className == "LSTM"
                        ? new LSTM(Int(c, "units"), activation, recurrent, Bool(c, "use_bias", true), Bool(c, "unit_forget_bias", true),
                            Bool(c, "return_sequences", false), Bool(c, "stateful", false), name)
                        : new GRU(Int(c, "units"), activation, recurrent, Bool(c, "use_bias", true), Bool(c, "return_sequences", false), Bool(c, "stateful", false), name);
                }
                case "Add": return new Add(name);
                case "Subtract": return new Subtract(name);
                case "Multiply": return new Multiply(name);
                case "Average": return new Average(name);
                case "Maximum": return new Maximum(name);
                case "Minimum": return new Minimum(name);
                case "Concatenate": return new Concatenate(c["axis"] is JsonValue concatAxis ? concatAxis.GetValue<int>() : -1, name);
                case "MultiHeadAttention":
                    Require(c, "attention_axes", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "attention_axes");
                    return new MultiHeadAttention(Int(c, "num_heads"), Int(c, "key_dim"), c["value_dim"] is JsonValue vd ? vd.GetValue<int>() : null,
                        Double(c, "dropout", 0), Bool(c, "use_bias", true), c["output_shape"] is JsonValue os && os.GetValueKind() == System.Text.Json.JsonValueKind.Number ? os.GetValue<int>() : null,
                        name: name);
                default:
                    if (SerializableRegistry.Find((string?)obj["registered_name"], className) is { } fromConfig)
                    {
                        var custom = fromConfig(c);
                        if (custom is Model customModel && !customModel.Built && obj["build_config"]?["input_shape"] is JsonArray modelShape)
                            customModel.BuildFromConfig(ReadShape(modelShape));
                        return custom;
                    }
                    throw new KerasTypeException(
                        $"Could not locate class '{className}'. This runtime can rebuild Keras' built-in Sequential and Functional models made of Dense, " +
                        "Dropout, Flatten, Reshape, Activation, Conv2D, MaxPooling2D, BatchNormalization, Embedding, LSTM, GRU, MultiHeadAttention and the " +
                        "merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate). " +
                        "Register custom classes with Keras.Saving.RegisterKerasSerializable (and override GetConfig), or build the model in C# and " +
                        "call LoadWeights on the file. Full object config: " + obj.ToJsonString());
            }
        }

        private static Sequential CreateSequential(JsonObject c, JsonObject obj)
        {
            if (c["name"] == null || c["layers"] is not JsonArray layers)
                throw new KerasArgumentException(
                    "A Sequential model configuration must be a dictionary containing the 'name' and 'layers' keys. Received: " + c.ToJsonString());
            var model = new Sequential(name: (string?)c["name"]);
            long[]? inputShape = null;
            foreach (var node in layers)
            {
                var layerObj = (JsonObject)node!;
                if ((string?)layerObj["class_name"] == "InputLayer")
                {
                    var lc = layerObj["config"]!;
                    inputShape = lc["batch_shape"] is JsonArray batch ? ReadShape(batch)
                        : lc["batch_input_shape"] is JsonArray legacy ? ReadShape(legacy) : null;
                    continue;
                }
                model.Add(DeserializeLayer(layerObj));
            }
            inputShape ??= c["build_input_shape"] is JsonArray b ? ReadShape(b) : obj["build_config"]?["input_shape"] is JsonArray bc ? ReadShape(bc) : null;
            // tf.keras 2 may give the input shape only on the first layer.
            if (inputShape == null && layers.FirstOrDefault()?["config"] is JsonObject first)
                inputShape = first["batch_input_shape"] is JsonArray legacyFirst ? ReadShape(legacyFirst)
                           : first["batch_shape"] is JsonArray firstBatch ? ReadShape(firstBatch) : null;
            if (inputShape != null) model.Build(inputShape);
            return model;
        }

        private static Functional CreateFunctional(JsonObject c)
        {
            if (c["layers"] is not JsonArray layers) throw new KerasArgumentException("A Functional model configuration needs 'layers'. Received: " + c.ToJsonString());
            var tensors = new Dictionary<(string, int), KerasTensor>();
            var pending = new List<(JsonObject Entry, string Name, JsonArray Nodes)>();
            foreach (var node in layers)
            {
                var layerObj = (JsonObject)node!;
                string layerName = (string?)layerObj["name"] ?? (string?)layerObj["config"]?["name"] ?? "";
                if ((string?)layerObj["class_name"] == "InputLayer")
                {
                    var lc = layerObj["config"]!;
                    var batch = ReadShape((JsonArray)(lc["batch_shape"] ?? lc["batch_input_shape"] ?? throw new KerasArgumentException(
                        $"InputLayer '{layerName}' has no batch_shape.")));
                    tensors[(layerName, 0)] = new Input(batch.Skip(1).ToArray(), name: layerName);
                    continue;
                }
                pending.Add((layerObj, layerName, layerObj["inbound_nodes"] as JsonArray ?? new JsonArray()));
            }
            // Calls are replayed as soon as the tensors they use exist: a shared layer's later calls may need layers listed after it.
            var created = new Dictionary<string, Layer>(StringComparer.Ordinal);
            var next = pending.ToDictionary(p => p.Name, _ => 0, StringComparer.Ordinal);
            bool progress = true;
            while (progress)
            {
                progress = false;
                foreach (var (entry, name, nodes) in pending)
                {
                    while (next[name] < nodes.Count)
                    {
                        var refs = NodeReferences(nodes[next[name]], name);
                        if (refs.Any(r => !tensors.ContainsKey(r))) break;
                        if (!created.TryGetValue(name, out var layer))
                        {
                            var clean = (JsonObject)entry.DeepClone();
                            clean.Remove("build_config"); // built by the call below
                            created[name] = layer = DeserializeLayer(clean);
                        }
                        var args = refs.Select(r => tensors[r]).ToArray();
                        KerasTensor output;
                        if (layer is Merge merge) output = merge.Call(args);
                        else if (args.All(a => ReferenceEquals(a, args[0]))) output = layer.Call(args[0]); // self-attention lists its input twice
                        else throw Unsupported(name, "a layer called on several different tensors (other than a merge layer)");
                        tensors[(name, next[name])] = output;
                        next[name]++;
                        progress = true;
                    }
                }
            }
            var stuck = pending.FirstOrDefault(p => next[p.Name] < p.Nodes.Count);
            if (stuck.Name != null)
                throw new KerasArgumentException($"Layer '{stuck.Name}' is called on tensors that the configuration never defines: the Functional graph is incomplete.");
            KerasTensor[] Resolve(string key)
            {
                var list = c[key] as JsonArray ?? throw new KerasArgumentException($"A Functional model configuration needs '{key}'.");
                var refs = list.Count > 0 && list[0] is JsonArray ? list.Select(r => (JsonArray)r!).ToArray() : new[] { list };
                return refs.Select(r =>
                {
                    var id = ((string?)r[0] ?? "", r.Count > 1 ? r[1]!.GetValue<int>() : 0);
                    if (r.Count > 2 && r[2]!.GetValue<int>() != 0) throw Unsupported(id.Item1, "layers with several outputs");
                    return tensors.TryGetValue(id, out var t) ? t : throw new KerasArgumentException($"The Functional configuration's {key} names '{id.Item1}', which it does not define.");
                }).ToArray();
            }
            return new Functional(Resolve("input_layers"), Resolve("output_layers"), (string?)c["name"]);
        }

        /// <summary>The (layer, node) tensors one call uses: Keras 3 (<c>args</c>/<c>kwargs</c> with <c>__keras_tensor__</c>) and tf.keras 2 (nested lists) forms.</summary>
        private static List<(string, int)> NodeReferences(JsonNode? node, string layerName)
        {
            var refs = new List<(string, int)>();
            void Add(string name, JsonNode? nodeIndex, JsonNode? tensorIndex)
            {
                if (tensorIndex is JsonValue ti && ti.GetValue<int>() != 0) throw Unsupported(layerName, "inputs taken from layers with several outputs");
                refs.Add((name, nodeIndex is JsonValue ni ? ni.GetValue<int>() : 0));
            }
            void Collect(JsonNode? n)
            {
                switch (n)
                {
                    case JsonObject o when (string?)o["class_name"] == "__keras_tensor__":
                        var history = o["config"]?["keras_history"] as JsonArray;
                        Add((string?)history?[0] ?? "", history?[1], history?[2]);
                        break;
                    case JsonObject o:
                        foreach (var pair in o) Collect(pair.Value);
                        break;
                    case JsonArray a when a.Count >= 3 && a[0] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && a[1] is JsonValue:
                        Add((string?)a[0] ?? "", a[1], a[2]); // tf.keras: [name, node_index, tensor_index, kwargs]
                        break;
                    case JsonArray a:
                        foreach (var item in a) Collect(item);
                        break;
                }
            }
            Collect(node);
            if (refs.Count == 0) throw Unsupported(layerName, "a layer call without tensor inputs");
            return refs;
        }

        private static void CompileFromConfig(Model model, JsonObject config)
        {
            try
            {
                Optimizer optimizer = config["optimizer"] switch
                {
                    JsonValue v => Optimizer.Get((string)v!),
                    JsonObject o => CreateOptimizer(o),
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
                if (model.Built) optimizer.Build(model.TrainableWeights);
            }
            catch (Exception e) when (e is KerasArgumentException or KerasTypeException or InvalidOperationException or NullReferenceException)
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

        private static Optimizer CreateOptimizer(JsonObject o)
        {
            string className = (string?)o["class_name"] ?? "";
            var c = o["config"] as JsonObject ?? new JsonObject();
            double lr = c["learning_rate"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number ? v.GetValue<double>() : 0.001;
            double? wd = c["weight_decay"] is JsonValue w && w.GetValueKind() == System.Text.Json.JsonValueKind.Number ? w.GetValue<double>() : null;
            string? name = (string?)c["name"];
            return className switch
            {
                "Adam" => new Adam(lr, Double(c, "beta_1", 0.9), Double(c, "beta_2", 0.999), Double(c, "epsilon", 1e-7), wd, name),
                "AdamW" => new AdamW(lr, wd ?? 0.004, Double(c, "beta_1", 0.9), Double(c, "beta_2", 0.999), Double(c, "epsilon", 1e-7), name),
                "SGD" => new SGD(lr, Double(c, "momentum", 0), Bool(c, "nesterov", false), wd, name),
                "RMSprop" => new RMSprop(lr, Double(c, "rho", 0.9), Double(c, "momentum", 0), Double(c, "epsilon", 1e-7), Bool(c, "centered", false), wd, name),
                _ => throw new KerasArgumentException($"Could not interpret optimizer '{className}'."),
            };
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

        // ------------------------------------------------------------------ config readers

        private static KerasArgumentException Unsupported(string what, string feature) =>
            new KerasArgumentException($"{what}: {feature} is not supported by this runtime. Build that part of the model in C# and load the weights with LoadWeights.");

        private static void Require(JsonObject c, string key, Func<JsonNode, bool> ok, string feature)
        {
            if (c[key] is JsonNode value && !ok(value)) throw Unsupported((string?)c["name"] ?? "layer", feature);
        }

        private static int Int(JsonObject c, string key) =>
            c[key] is JsonValue v ? v.GetValue<int>() : throw new KerasArgumentException($"Layer config {(string?)c["name"]} lacks the required '{key}'.");

        private static double Double(JsonObject c, string key, double fallback = double.NaN)
        {
            if (c[key] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number) return v.GetValue<double>();
            return double.IsNaN(fallback) ? throw new KerasArgumentException($"Layer config {(string?)c["name"]} lacks the required '{key}'.") : fallback;
        }

        private static bool Bool(JsonObject c, string key, bool fallback) =>
            c[key] is JsonValue v && v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False ? v.GetValue<bool>() : fallback;

        private static (int, int) Pair(JsonNode node) => node switch
        {
            JsonArray a => (a[0]!.GetValue<int>(), a[a.Count > 1 ? 1 : 0]!.GetValue<int>()),
            JsonValue v => (v.GetValue<int>(), v.GetValue<int>()),
            _ => throw new KerasArgumentException("Expected an integer or a pair of integers. Received: " + node.ToJsonString()),
        };

        /// <summary>An activation: a name, or Keras' serialized function object (whose config is the name).</summary>
        private static string? Activation(JsonObject c, string key) => c[key] switch
        {
            JsonValue v => (string?)v,
            JsonObject o => (string?)o["config"] is { } n ? n : (string?)o["config"]?["name"],
            _ => null,
        };
    }
}

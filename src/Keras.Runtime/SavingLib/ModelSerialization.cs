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
                _ when IsBuiltIn(layer) => ("keras.layers", layer.GetType().Name, null),
                _ => (null, layer.GetType().Name, layer.GetType().Name),
            };
            var obj = Wrap(module, className, LayerConfig(layer), registered);
            if (layer.Built && layer.BuildInputShape != null && layer is not Functional)
                obj["build_config"] = new JsonObject { ["input_shape"] = Shape(layer.BuildInputShape) };
            return obj;
        }

        private static bool IsBuiltIn(Layer layer) => layer.GetType().Assembly == typeof(Layer).Assembly;

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

        private static JsonObject LayerConfig(Layer layer)
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
            string inputName = model.InputTensor.Name ?? "input_layer";
            var layers = new JsonArray
            {
                new JsonObject
                {
                    ["module"] = "keras.layers", ["class_name"] = "InputLayer",
                    ["config"] = new JsonObject { ["batch_shape"] = Shape(model.InputTensor.Shape), ["dtype"] = model.InputTensor.Dtype, ["sparse"] = false, ["name"] = inputName },
                    ["registered_name"] = null, ["name"] = inputName, ["inbound_nodes"] = new JsonArray(),
                },
            };
            foreach (var tensor in model.OrderedOutputs)
            {
                var source = tensor.SourceInput!;
                string from = source.SourceLayer?.Name ?? inputName;
                var obj = SerializeLayer(tensor.SourceLayer!);
                obj["name"] = tensor.SourceLayer!.Name;
                obj["inbound_nodes"] = new JsonArray(new JsonObject
                {
                    ["args"] = new JsonArray(Wrap(null, "__keras_tensor__", new JsonObject
                    {
                        ["shape"] = Shape(source.Shape), ["dtype"] = source.Dtype, ["keras_history"] = new JsonArray(from, 0, 0),
                    }).WithoutModule()),
                    ["kwargs"] = new JsonObject(),
                });
                layers.Add(obj);
            }
            c["layers"] = layers;
            c["input_layers"] = new JsonArray(new JsonArray(inputName, 0, 0));
            c["output_layers"] = new JsonArray(new JsonArray(model.OutputTensor.SourceLayer?.Name ?? inputName, 0, 0));
        }

        private static JsonObject WithoutModule(this JsonObject obj)
        {
            obj.Remove("module");
            obj.Remove("registered_name");
            return obj;
        }

        internal static JsonObject OptimizerConfig(Optimizer optimizer)
        {
            var c = new JsonObject
            {
                ["name"] = optimizer.Name,
                ["learning_rate"] = (double)(float)optimizer.LearningRate, // Keras records float(variable.numpy()): float32 precision
                ["weight_decay"] = optimizer is AdamW ? optimizer.WeightDecay : optimizer.WeightDecay,
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
            return Wrap(IsBuiltIn(optimizer.GetType()) ? "keras.optimizers" : null, optimizer.GetType().Name, c,
                IsBuiltIn(optimizer.GetType()) ? null : optimizer.GetType().Name);
        }

        private static bool IsBuiltIn(Type type) => type.Assembly == typeof(Layer).Assembly;

        internal static JsonObject LossConfig(Loss loss)
        {
            var c = new JsonObject { ["name"] = loss.Name, ["reduction"] = loss.Reduction };
            switch (loss)
            {
                case BinaryCrossentropy b: c["from_logits"] = b.FromLogits; c["label_smoothing"] = 0.0; c["axis"] = -1; break;
                case CategoricalCrossentropy cc: c["from_logits"] = cc.FromLogits; c["label_smoothing"] = 0.0; c["axis"] = -1; break;
                case SparseCategoricalCrossentropy s: c["from_logits"] = s.FromLogits; c["ignore_class"] = null; break;
            }
            return Wrap(IsBuiltIn(loss.GetType()) ? "keras.losses" : null, loss.GetType().Name, c, IsBuiltIn(loss.GetType()) ? null : loss.GetType().Name);
        }

        internal static JsonObject MetricConfig(Metric metric) =>
            Wrap(IsBuiltIn(metric.GetType()) ? "keras.metrics" : null, metric.GetType().Name, new JsonObject { ["name"] = metric.Name, ["dtype"] = "float32" },
                IsBuiltIn(metric.GetType()) ? null : metric.GetType().Name);

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
                case "MultiHeadAttention":
                    Require(c, "attention_axes", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "attention_axes");
                    return new MultiHeadAttention(Int(c, "num_heads"), Int(c, "key_dim"), c["value_dim"] is JsonValue vd ? vd.GetValue<int>() : null,
                        Double(c, "dropout", 0), Bool(c, "use_bias", true), c["output_shape"] is JsonValue os && os.GetValueKind() == System.Text.Json.JsonValueKind.Number ? os.GetValue<int>() : null,
                        name: name);
                default:
                    throw new KerasTypeException(
                        $"Could not locate class '{className}'. This runtime can rebuild Keras' built-in Sequential and Functional models made of Dense, " +
                        "Dropout, Flatten, Reshape, Activation, Conv2D, MaxPooling2D, BatchNormalization, Embedding, LSTM, GRU and MultiHeadAttention. " +
                        "For other or custom classes, build the model in C# and call LoadWeights on the file. Full object config: " + obj.ToJsonString());
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
            if (inputShape != null) model.Build(inputShape);
            return model;
        }

        private static Functional CreateFunctional(JsonObject c)
        {
            if (c["layers"] is not JsonArray layers) throw new KerasArgumentException("A Functional model configuration needs 'layers'. Received: " + c.ToJsonString());
            var tensors = new Dictionary<string, KerasTensor>(StringComparer.Ordinal);
            Input? input = null;
            foreach (var node in layers)
            {
                var layerObj = (JsonObject)node!;
                string layerName = (string?)layerObj["name"] ?? (string?)layerObj["config"]?["name"] ?? "";
                if ((string?)layerObj["class_name"] == "InputLayer")
                {
                    if (input != null) throw Unsupported("Functional", "several inputs");
                    var lc = layerObj["config"]!;
                    var batch = ReadShape((JsonArray)(lc["batch_shape"] ?? lc["batch_input_shape"])!);
                    input = new Input(batch.Skip(1).ToArray(), name: layerName);
                    tensors[layerName] = input;
                    continue;
                }
                var inbound = InboundNames(layerObj["inbound_nodes"], layerName);
                if (!tensors.TryGetValue(inbound, out var from))
                    throw new KerasArgumentException($"Layer '{layerName}' is called on '{inbound}', which the configuration does not define before it.");
                layerObj.Remove("build_config"); // built by the call below
                var layer = DeserializeLayer(layerObj);
                tensors[layerName] = layer.Call(from);
            }
            var outputs = c["output_layers"] as JsonArray ?? throw new KerasArgumentException("A Functional model configuration needs 'output_layers'.");
            var flat = outputs.Count > 0 && outputs[0] is JsonArray ? outputs : new JsonArray(outputs.DeepClone());
            if (flat.Count != 1) throw Unsupported("Functional", "several outputs");
            string outputName = (string?)flat[0]![0] ?? "";
            if (input == null || !tensors.TryGetValue(outputName, out var output))
                throw new KerasArgumentException($"The Functional configuration's output '{outputName}' or its input is missing.");
            return new Functional(input, output, (string?)c["name"]);
        }

        /// <summary>The one layer a node is called on; Keras 3 (<c>args</c> with <c>__keras_tensor__</c>) and tf.keras 2 (nested lists) forms.</summary>
        private static string InboundNames(JsonNode? nodes, string layerName)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Collect(JsonNode? node)
            {
                switch (node)
                {
                    case JsonObject o when (string?)o["class_name"] == "__keras_tensor__":
                        names.Add((string?)o["config"]?["keras_history"]?[0] ?? "");
                        break;
                    case JsonObject o:
                        foreach (var pair in o) Collect(pair.Value);
                        break;
                    case JsonArray a when a.Count >= 3 && a[0] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && a[1] is JsonValue:
                        names.Add((string?)a[0] ?? ""); // tf.keras: [name, node_index, tensor_index, kwargs]
                        break;
                    case JsonArray a:
                        foreach (var item in a) Collect(item);
                        break;
                }
            }
            if (nodes is JsonArray list && list.Count > 1) throw Unsupported(layerName, "a layer called more than once (shared layers)");
            Collect(nodes);
            if (names.Count != 1) throw Unsupported(layerName, names.Count == 0 ? "a layer without inputs" : "a layer with several inputs");
            return names.First();
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
                Loss? loss = config["loss"] switch
                {
                    JsonValue v => Loss.Get((string)v!),
                    JsonObject o => CreateLoss(o),
                    null => null,
                    var other => throw new KerasArgumentException("Only one loss is supported; received " + other.ToJsonString()),
                };
                var metrics = new List<Metric>();
                if (config["metrics"] is JsonArray list)
                    foreach (var item in list)
                    {
                        try
                        {
                            metrics.Add(item switch
                            {
                                JsonValue v => Metric.Get((string)v!),
                                JsonObject o => Metric.Get(Naming.ToSnakeCase((string?)o["class_name"] ?? "")),
                                _ => throw new KerasArgumentException("unreadable metric " + item?.ToJsonString()),
                            });
                        }
                        catch (KerasArgumentException e)
                        {
                            IoUtils.Warn($"The saved metric {item?.ToJsonString()} is not available in this runtime and was left out of the compiled model ({e.Message}).");
                        }
                    }
                model.Compile(optimizer, loss, metrics);
                if (model.Built) optimizer.Build(model.TrainableWeights);
            }
            catch (Exception e) when (e is KerasArgumentException or KerasTypeException or InvalidOperationException or NullReferenceException)
            {
                IoUtils.Warn($"The model was loaded without compiling it: its compile_config could not be applied ({e.Message}). Call Compile before training.");
            }
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

        internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}

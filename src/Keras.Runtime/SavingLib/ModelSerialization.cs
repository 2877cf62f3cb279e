using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Regularizers;

namespace Keras.SavingLib
{
    /// <summary>
    /// Keras' serialized object format (reference §4.4), the generic part only: the envelope
    /// <c>{"module", "class_name", "config", "registered_name", "build_config"}</c> around every layer, the graphs of
    /// Sequential and Functional models, and custom classes. Each built-in layer writes and reads its own config
    /// (<c>GetConfig</c> / <c>FromConfig</c> in its file, found through <see cref="KerasCatalog"/>); nothing here names one.
    /// </summary>
    internal static class ModelSerialization
    {
        /// <summary>While a config is being loaded: the dtype policy the next layer is created with (null otherwise).</summary>
        [ThreadStatic] internal static string? DtypeWhileLoading;

        private const string SafeModeMessage =
            "Requested the deserialization of a Python lambda. This carries a potential risk of arbitrary code execution and thus it is disallowed " +
            "by default. If you trust the source of the artifact, you can override this error by passing `safe_mode=False` to the loading function, " +
            "or calling `keras.config.enable_unsafe_deserialization().";

        private const string LambdaMessage = SafeModeMessage + " In .NET a lambda argument cannot be loaded even then, " +
            "because its config is Python bytecode: write the function as a custom layer in C# (override CallCore and GetConfig, register it " +
            "with Keras.Saving.RegisterKerasSerializable) and save the model from Python with that layer in place of the Lambda, or build the " +
            "model in C# and load its weights with LoadWeights.";

        /// <summary>Keys of a layer config that only the envelope reads (legacy input shapes are taken by Sequential).</summary>
        private static readonly string[] EnvelopeKeys = { "trainable", "dtype", "batch_input_shape", "batch_shape" };

        // ------------------------------------------------------------------ serialize

        internal static JsonObject Serialize(Model model)
        {
            var result = SerializeLayer(model);
            result["compile_config"] = model.CompileConfigJson();
            return result;
        }

        /// <summary>A layer in Keras' envelope: built-ins under their catalog module and name, users' classes by registered name.</summary>
        internal static JsonObject SerializeLayer(Layer layer)
        {
            var entry = KerasCatalog.Of(layer.GetType());
            var obj = entry != null
                ? Wrap(entry.Module, entry.ClassName, layer.GetConfig(), entry.RegisteredName)
                : Wrap(null, layer.GetType().Name, layer.GetConfig(), SerializableRegistry.NameOf(layer.GetType()) ?? layer.GetType().Name);
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

        internal static JsonArray Shape(IEnumerable<long> shape) => new JsonArray(shape.Select(d => d < 0 ? null : (JsonNode)JsonValue.Create(d)).ToArray());

        /// <summary>A dtype policy as Keras 3.4+ writes it.</summary>
        internal static JsonObject Policy(DTypePolicy policy) =>
            Wrap("keras", "DTypePolicy", new JsonObject { ["name"] = policy.Name });

        /// <summary>Sequential's config: its layers, led by an InputLayer once it is built.</summary>
        internal static void SequentialConfig(Sequential sequential, JsonObject c)
        {
            var layers = new JsonArray();
            if (sequential.BuildInputShape is { } shape)
                layers.Add(Wrap("keras.layers", "InputLayer", new JsonObject
                {
                    ["batch_shape"] = Shape(shape), ["dtype"] = sequential.VariableDtype, ["sparse"] = false, ["name"] = "input_layer",
                }));
            foreach (var child in sequential.Layers) layers.Add(SerializeLayer(child));
            c["layers"] = layers;
            if (sequential.BuildInputShape is { } built) c["build_input_shape"] = Shape(built);
        }

        /// <summary>Functional's config: InputLayers, each layer with its inbound nodes, and the graph's inputs and outputs.</summary>
        internal static void FunctionalConfig(Functional model, JsonObject c)
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
                var (layer, node, index) = model.History(t);
                return new JsonArray(layer, node, index);
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
                    inbound.Add(layer is IMultiOutputLayer several ? several.SaveCall(node, TensorArg)
                        : layer is IMultiInputLayer multi ? multi.SaveCall(node, TensorArg)
                        : new JsonObject
                        {
                            ["args"] = new JsonArray(TensorArg(node.SourceInputs[0])),
                            ["kwargs"] = node.CallTraining is bool training ? new JsonObject { ["training"] = training } : new JsonObject(),
                        });
                }
                obj["inbound_nodes"] = inbound;
                layers.Add(obj);
            }
            c["layers"] = layers;
            c["input_layers"] = new JsonArray(model.Inputs.Select(i => (JsonNode)Ref(i)).ToArray());
            c["output_layers"] = new JsonArray(model.Outputs.Select(o => (JsonNode)Ref(o)).ToArray());
        }

        // ------------------------------------------------------------------ deserialize

        /// <summary>
        /// Rebuilds a model from its serialized config. Runs inside the caller's <see cref="LoadContext"/> when there is
        /// one (LoadModel), else in its own: on failure every layer created so far is released.
        /// </summary>
        internal static Model Deserialize(JsonNode? root, bool compile, bool safeMode, string source)
        {
            if (root is not JsonObject obj)
                throw new KerasConfigException($"{source}: the model configuration must be a JSON object with 'class_name' and 'config'. Received: " +
                                               ConfigReader.Describe(root), source, null, null, ConfigReader.Describe(root), "an object");
            bool safe = Keras.State.GlobalState.SafeModeSaving ?? safeMode;
            RejectLambdas(obj, safe);
            var layer = DeserializeLayer(obj, source);
            if (layer is not Model model)
                throw new KerasArgumentException($"{source}: the configuration describes a {layer.GetType().Name} layer, not a model.");
            if (compile && obj["compile_config"] is JsonObject compileConfig && compileConfig.Count > 0) CompileSerialization.CompileFromConfig(model, compileConfig);
            return model;
        }

        private static void RejectLambdas(JsonNode? node, bool safe)
        {
            switch (node)
            {
                case JsonObject o:
                    if (o["class_name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String && (string?)cn is { } className)
                    {
                        string? registered = o["registered_name"] is JsonValue rn && rn.GetValueKind() == JsonValueKind.String ? (string?)rn : null;
                        // A class the catalog refuses on purpose (its own file says why), unless the user registered a class for it:
                        // then the user's factory receives that config, Python code included, and nothing of it runs here.
                        if (KerasCatalog.Refusal(typeof(Layer), className) is { } reason)
                        {
                            if (SerializableRegistry.Find(registered, className) != null) return;
                            if (safe) throw new KerasArgumentException(SafeModeMessage + $" Class '{className}': {reason}");
                            throw new KerasArgumentException($"Cannot load class '{className}': {reason}");
                        }
                        if (className == "__lambda__")
                        {
                            if (safe) throw new KerasArgumentException(LambdaMessage);
                            throw new KerasArgumentException(
                                "This file contains a Python lambda (a lambda argument). Python bytecode cannot run in .NET even with " +
                                "safe mode off: write the function as a custom layer in C# (override CallCore and GetConfig, register it with " +
                                "Keras.Saving.RegisterKerasSerializable) and use that layer instead when saving from Python, or build the " +
                                "model in C# and load its weights with LoadWeights.");
                        }
                    }
                    foreach (var pair in o) RejectLambdas(pair.Value, safe);
                    break;
                case JsonArray a:
                    foreach (var item in a) RejectLambdas(item, safe);
                    break;
            }
        }

        /// <summary>
        /// One layer from its envelope: the class by registered name (custom classes) or Keras class name (built-ins,
        /// also when Keras 3.0 wrote a registered name for them), its config read by its own <c>FromConfig</c> with every key
        /// accounted for, then trainable, the activity regularizer and build_config.
        /// </summary>
        internal static Layer DeserializeLayer(JsonObject obj, string source)
        {
            string className = obj["class_name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String
                ? (string)cn!
                : throw new KerasConfigException("A serialized Keras object needs a string 'class_name'. Received: " + ConfigReader.Describe(obj),
                    source, null, "class_name", ConfigReader.Describe(obj["class_name"]), "a string");
            if (obj["config"] is not JsonObject config)
                throw new KerasTypeException($"Expected 'config' to be a dict. Received: {obj["config"]?.ToJsonString() ?? "null"} (class_name={className})");
            string? registered = obj["registered_name"] is JsonValue rn && rn.GetValueKind() == JsonValueKind.String ? (string?)rn : null;

            Func<JsonObject, Layer>? custom = registered != null && registered.Contains('>') ? SerializableRegistry.Find(registered, className) : null;
            string? module = obj["module"] is JsonValue mv && mv.GetValueKind() == JsonValueKind.String ? (string?)mv : null;
            var entry = custom == null ? KerasCatalog.Find(KerasCatalog.KindForModule(module, typeof(Layer)), className) : null;
            if (entry == null && custom == null) custom = SerializableRegistry.Find(registered, className);
            if (entry == null && custom == null) throw UnknownClass(className, obj);

            string? saved = DtypeWhileLoading;
            DtypeWhileLoading = DtypeName(config["dtype"], source, className);
            Layer layer;
            try
            {
                if (entry != null)
                {
                    var reader = new ConfigReader(config, className, source) { Kind = "layer" };
                    reader.Ignore(EnvelopeKeys);
                    var activity = reader.OptionalObject<Regularizer>("activity_regularizer");
                    bool trainable = reader.Bool("trainable", true);
                    if (entry.FromConfig == null) throw UnknownClass(className, obj);
                    try
                    {
                        layer = (Layer)entry.FromConfig(reader);
                    }
                    catch (KerasArgumentException e)
                    {
                        // Keras' own argument error (units=-1, ...), located in the file.
                        throw new KerasArgumentException($"{source}: {reader.Owner}: {e.Message}", e);
                    }
                    if (activity != null) layer.ActivityRegularizer = activity;
                    reader.Finish();
                    if (!trainable) layer.Trainable = false;
                }
                else
                {
                    layer = custom!(config);
                    if (config["trainable"] is JsonValue t && t.GetValueKind() == JsonValueKind.False) layer.Trainable = false;
                }
            }
            finally
            {
                DtypeWhileLoading = saved;
            }

            if (!layer.Built && layer is not Functional && BuildShape(obj, source, className) is { } shape)
            {
                if (layer is Model model and not Sequential) model.BuildFromConfig(shape);
                else layer.Build(shape);
            }
            return layer;
        }

        /// <summary>build_config's input_shape when it is one flat shape (merge layers list several; their calls build them).</summary>
        private static long[]? BuildShape(JsonObject obj, string source, string className)
        {
            if (obj["build_config"] is not JsonObject build || build["input_shape"] is not JsonArray shape) return null;
            if (shape.Any(d => d is JsonArray)) return null;
            var reader = new ConfigReader(build, className, source) { Kind = "layer build_config of" };
            return reader.ReadShape(shape, "input_shape");
        }

        private static KerasTypeException UnknownClass(string className, JsonObject obj)
        {
            if (KerasCatalog.Refusal(typeof(Layer), className) is { } reason)
                return new KerasTypeException($"Cannot load class '{className}': {reason}");
            var known = KerasCatalog.All(typeof(Layer)).Select(e => e.ClassName).ToArray();
            string json = obj.ToJsonString();
            if (json.Length > 400) json = json.Substring(0, 397) + "...";
            return new KerasTypeException(
                $"Could not locate class '{className}'. This runtime rebuilds these Keras classes: {string.Join(", ", known)}. " +
                "Register custom classes with Keras.Saving.RegisterKerasSerializable (and override GetConfig), or build the model in C# and " +
                "call LoadWeights on the file. Full object config: " + json);
        }

        /// <summary>The dtype policy name of a layer config: a string (Keras ≤ 3.3) or a DTypePolicy object.</summary>
        private static string? DtypeName(JsonNode? dtype, string source, string className) => dtype switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == JsonValueKind.String => (string?)v,
            JsonObject o when o["config"]?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String => (string?)n,
            _ => throw new KerasConfigException(
                $"{source}: {className}: config key 'dtype' must be a dtype name or a DTypePolicy object. Received: {ConfigReader.Describe(dtype)}",
                source, className, "dtype", ConfigReader.Describe(dtype), "a dtype name or a DTypePolicy object"),
        };

        // ------------------------------------------------------------------ Sequential

        /// <summary>A Sequential model's config: its layers in order; the input shape from an InputLayer, the tf.keras first layer, or build_input_shape.</summary>
        internal static Sequential SequentialFromConfig(ConfigReader c)
        {
            if (c.Name == null || c.Config["layers"] is not JsonArray layers)
                throw new KerasArgumentException(
                    "A Sequential model configuration must be a dictionary containing the 'name' and 'layers' keys. Received: " + Shorten(c.Config));
            c.Ignore("layers");
            var model = new Sequential(name: c.Name);
            long[]? inputShape = null;
            for (int i = 0; i < layers.Count; i++)
            {
                if (layers[i] is not JsonObject layerObj) throw c.Error("layers", "a list of serialized layers", layers[i]);
                if (layerObj["class_name"] is JsonValue n && (string?)n == "InputLayer")
                {
                    inputShape = InputShape(layerObj, c.Source);
                    continue;
                }
                model.Add(DeserializeLayer(layerObj, c.Source));
            }
            inputShape ??= c.OptionalShape("build_input_shape");
            // tf.keras 2 may give the input shape only on the first layer.
            if (inputShape == null && layers.Count > 0 && layers[0] is JsonObject { } first && first["config"] is JsonObject firstConfig)
            {
                var reader = new ConfigReader(firstConfig, "layer", c.Source);
                inputShape = reader.OptionalShape("batch_input_shape") ?? reader.OptionalShape("batch_shape");
            }
            c.Ignore("build_input_shape");
            if (inputShape != null && model.Layers.Count > 0) model.Build(inputShape);
            return model;
        }

        private static long[]? InputShape(JsonObject inputLayer, string source)
        {
            if (inputLayer["config"] is not JsonObject lc) return null;
            var reader = new ConfigReader(lc, "InputLayer", source) { Kind = "layer" };
            return reader.OptionalShape("batch_shape") ?? reader.OptionalShape("batch_input_shape");
        }

        private static string Shorten(JsonNode node)
        {
            string json = node.ToJsonString();
            return json.Length > 400 ? json.Substring(0, 397) + "..." : json;
        }

        // ------------------------------------------------------------------ Functional

        /// <summary>
        /// A Functional model's config. Layer calls are replayed in dependency order with a work list (each call waits for
        /// the tensors it uses and for the layer's previous call), so rebuilding is linear in the size of the graph
        /// whatever order the layers are listed in.
        /// </summary>
        internal static Functional FunctionalFromConfig(ConfigReader c)
        {
            if (c.Config["layers"] is not JsonArray layers)
                throw new KerasArgumentException("A Functional model configuration needs 'layers'. Received: " + Shorten(c.Config));
            c.Ignore("layers", "input_layers", "output_layers");
            string source = c.Source;
            var tensors = new Dictionary<(string, int), KerasTensor[]>(); // every output of each call
            var entries = new List<(JsonObject Entry, string Name, List<List<(string, int)>> Calls, JsonArray Nodes)>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in layers)
            {
                if (node is not JsonObject layerObj) throw c.Error("layers", "a list of serialized layers", node);
                string layerName = layerObj["name"] is JsonValue ln && ln.GetValueKind() == JsonValueKind.String ? (string)ln!
                    : layerObj["config"]?["name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String ? (string)cn! : "";
                if (!names.Add(layerName))
                    throw new KerasConfigException($"{source}: the Functional configuration lists the layer name '{layerName}' twice.", source, layerName, "name",
                        layerName, "unique layer names");
                if (layerObj["class_name"] is JsonValue k && (string?)k == "InputLayer")
                {
                    var batch = InputShape(layerObj, source) ?? throw new KerasConfigException(
                        $"{source}: InputLayer '{layerName}' has no batch_shape.", source, layerName, "batch_shape", null, "a shape");
                    if (batch.Length == 0) throw new KerasConfigException($"{source}: InputLayer '{layerName}' has an empty batch_shape.", source, layerName, "batch_shape", "[]", "a shape with a batch dimension");
                    tensors[(layerName, 0)] = new KerasTensor[] { new Input(batch.Skip(1).ToArray(), name: layerName) };
                    continue;
                }
                var inbound = layerObj["inbound_nodes"] switch
                {
                    null => new JsonArray(),
                    JsonArray a => a,
                    var other => throw new KerasConfigException($"{source}: layer '{layerName}': 'inbound_nodes' must be a list. Received: {ConfigReader.Describe(other)}",
                        source, layerName, "inbound_nodes", ConfigReader.Describe(other), "a list"),
                };
                entries.Add((layerObj, layerName, inbound.Select(n => NodeReferences(n, layerName, source)).ToList(), inbound));
            }

            // Work list: a call is ready once every tensor it uses exists (its layer's previous call counts as one).
            var missing = new Dictionary<(int Entry, int Call), int>();
            var waiting = new Dictionary<(string, int), List<(int Entry, int Call)>>();
            var ready = new Queue<(int Entry, int Call)>();
            void Require((int, int) call, IEnumerable<(string, int)> needs)
            {
                int count = 0;
                foreach (var need in needs.Distinct())
                {
                    if (tensors.ContainsKey(need)) continue;
                    if (!waiting.TryGetValue(need, out var list)) waiting[need] = list = new List<(int, int)>();
                    list.Add(call);
                    count++;
                }
                missing[call] = count;
                if (count == 0) ready.Enqueue(call);
            }
            for (int e = 0; e < entries.Count; e++)
                for (int k = 0; k < entries[e].Calls.Count; k++)
                    Require((e, k), k == 0 ? entries[e].Calls[k] : entries[e].Calls[k].Append((entries[e].Name, k - 1)));

            var created = new Layer?[entries.Count];
            int done = 0;
            while (ready.Count > 0)
            {
                var (e, k) = ready.Dequeue();
                var (entry, name, calls, nodes) = entries[e];
                var layer = created[e] ??= CreateGraphLayer(entry, source);
                KerasTensor ResolveReference(JsonArray history)
                {
                    var (id, tensorIndex) = Reference(history, "inbound_nodes of " + name, source);
                    return Output(tensors[id], id, tensorIndex, "inbound_nodes of " + name, source);
                }
                var saved = new SavedCall(nodes[k], ResolveReference, source, name);
                KerasTensor[] outputs;
                if (layer is IMultiOutputLayer several) outputs = several.CallSaved(saved);
                else if (layer is IMultiInputLayer multi) outputs = new[] { multi.CallSaved(saved) };
                else
                {
                    var args = saved.Tensors(saved.Arg(0), "inputs");
                    if (args.Any(a => !ReferenceEquals(a, args[0])) || saved.Args.Count > 1)
                        throw Unsupported(source, name, "a layer that takes one input called on several different tensors");
                    saved.FilledMask("mask");
                    var training = SavedTraining(nodes[k], source, name);
                    saved.Ignore("training");
                    saved.Finish();
                    outputs = new[] { layer.Call(args[0], training) };
                }
                tensors[(name, k)] = outputs;
                done++;
                if (waiting.Remove((name, k), out var unblocked))
                    foreach (var call in unblocked)
                        if (--missing[call] == 0) ready.Enqueue(call);
            }
            if (done < missing.Count)
            {
                var stuck = missing.First(m => m.Value > 0).Key;
                var absent = waiting.Keys.FirstOrDefault(key => waiting[key].Contains(stuck));
                throw new KerasConfigException(
                    $"{source}: layer '{entries[stuck.Entry].Name}' is called on the output of '{absent.Item1}' (call {absent.Item2}), which the configuration " +
                    "never defines (or which depends on this layer itself): the Functional graph is incomplete.",
                    source, entries[stuck.Entry].Name, "inbound_nodes", absent.Item1, "references to layers the configuration defines");
            }
            KerasTensor[] Resolve(string key)
            {
                var list = c.Config[key] as JsonArray ?? throw new KerasArgumentException($"A Functional model configuration needs '{key}'.");
                var refs = list.Count > 0 && list[0] is JsonArray ? list.Select(r => r as JsonArray ?? throw c.Error(key, "a list of [layer, node, tensor] references")).ToArray()
                                                                  : new[] { list };
                return refs.Select(r =>
                {
                    var (id, tensorIndex) = Reference(r, key, source);
                    return tensors.TryGetValue(id, out var t) ? Output(t, id, tensorIndex, key, source) : throw new KerasConfigException(
                        $"{source}: the Functional configuration's {key} names '{id.Item1}' (call {id.Item2}), which it does not define.",
                        source, id.Item1, key, id.Item1, "a layer the configuration defines");
                }).ToArray();
            }
            return new Functional(Resolve("input_layers"), Resolve("output_layers"), c.Name);
        }

        /// <summary>Output <paramref name="index"/> of a replayed call, with the file's reference in the message when it has fewer.</summary>
        private static KerasTensor Output(KerasTensor[] outputs, (string, int) id, int index, string key, string source) =>
            index < outputs.Length ? outputs[index] : throw new KerasConfigException(
                $"{source}: {key}: the reference [\"{id.Item1}\", {id.Item2}, {index}] asks for output {index} of that call, which gives " +
                $"{outputs.Length} output(s).", source, id.Item1, key, index.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"a tensor index below {outputs.Length}");

        /// <summary>The <c>training</c> keyword argument of a saved call (Keras 3: <c>"kwargs": {"training": false}</c>), or null.</summary>
        private static bool? SavedTraining(JsonNode? node, string source, string layer)
        {
            if (node is not JsonObject call || call["kwargs"] is not JsonObject kwargs || !kwargs.TryGetPropertyValue("training", out var value) || value == null)
                return null;
            return value is JsonValue v && v.TryGetValue<bool>(out bool b) ? b : throw new KerasConfigException(
                $"{source}: layer '{layer}': the call's 'training' argument must be true, false or null. Received: {ConfigReader.Describe(value)}",
                source, layer, "training", ConfigReader.Describe(value), "true, false or null");
        }

        /// <summary>Creates a graph layer from its entry (the calls build it, so its build_config is not used).</summary>
        private static Layer CreateGraphLayer(JsonObject entry, string source)
        {
            var clean = (JsonObject)entry.DeepClone();
            clean.Remove("build_config");
            return DeserializeLayer(clean, source);
        }

        private static ((string, int) Id, int TensorIndex) Reference(JsonArray r, string key, string source)
        {
            string name = r.Count > 0 && r[0] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? (string)n! :
                throw new KerasConfigException($"{source}: {key}: a reference must start with a layer name. Received: {ConfigReader.Describe(r)}",
                    source, null, key, ConfigReader.Describe(r), "[layer name, node index, tensor index]");
            int Index(int i) => r.Count <= i ? 0 : r[i] is JsonValue v && v.TryGetValue<int>(out int x) && x >= 0 ? x :
                throw new KerasConfigException($"{source}: {key}: reference {ConfigReader.Describe(r)} has an invalid index.", source, name, key,
                    ConfigReader.Describe(r), "non-negative integer indices");
            return ((name, Index(1)), Index(2));
        }

        /// <summary>The (layer, node) tensors one call uses: Keras 3 (<c>args</c>/<c>kwargs</c> with <c>__keras_tensor__</c>) and tf.keras 2 (nested lists) forms.</summary>
        private static List<(string, int)> NodeReferences(JsonNode? node, string layerName, string source)
        {
            var refs = new List<(string, int)>();
            void Add(JsonArray history)
            {
                refs.Add(Reference(history, "inbound_nodes of " + layerName, source).Id);
            }
            void Collect(JsonNode? n)
            {
                switch (n)
                {
                    case JsonObject o when o["class_name"] is JsonValue k && (string?)k == "__keras_tensor__":
                        if (o["config"]?["keras_history"] is not JsonArray history)
                            throw new KerasConfigException($"{source}: layer '{layerName}': a __keras_tensor__ argument lacks its keras_history.", source, layerName,
                                "inbound_nodes", ConfigReader.Describe(o), "a keras_history reference");
                        Add(history);
                        break;
                    case JsonObject o:
                        foreach (var pair in o) Collect(pair.Value);
                        break;
                    case JsonArray a when a.Count >= 3 && a[0] is JsonValue v && v.GetValueKind() == JsonValueKind.String && a[1] is JsonValue:
                        Add(a); // tf.keras: [name, node_index, tensor_index, kwargs]; the kwargs may name more tensors ({"value": [name, 0, 0]})
                        if (a.Count > 3) Collect(a[3]);
                        break;
                    case JsonArray a:
                        foreach (var item in a) Collect(item);
                        break;
                }
            }
            Collect(node);
            if (refs.Count == 0) throw Unsupported(source, layerName, "a layer call without tensor inputs");
            return refs;
        }

        private static KerasConfigException Unsupported(string source, string what, string feature) =>
            new KerasConfigException(
                $"{source}: layer '{what}': {feature} is not supported by this runtime. Build that part of the model in C# and load the weights with LoadWeights.",
                source, what, "inbound_nodes", null, feature + " (unsupported)");
    }
}

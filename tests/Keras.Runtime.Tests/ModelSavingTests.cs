using System.IO.Compression;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Whole-model saving (<c>.keras</c>), LoadModel, ToJson/ModelFromJson: keras-reference.md §4.1, §4.3, §4.4 and
/// keras/src/saving/saving_lib_test.py, saving_api_test.py, serialization_lib_test.py.
/// </summary>
public class ModelSavingTests : KerasTestBase
{
    private string TempFile(string name) => Path.Combine(KerasHome, name);

    private static (torch.Tensor X, torch.Tensor Y) Data()
    {
        using var g = new torch.Generator(3);
        return (torch.randn(new long[] { 32, 6 }, generator: g), torch.randint(0, 3, new long[] { 32 }, generator: g));
    }

    private static Sequential Classifier()
    {
        var model = new Sequential(new Layer[] { new Dense(8, activation: "relu"), new BatchNormalization(), new Dropout(0.2), new Dense(3, activation: "softmax") }, name: "classifier");
        model.Build(new long[] { -1, 6 });
        return model;
    }

    private static float[][] Values(Model model) => model.Weights.Select(w => w.ToArray<float>()).ToArray();

    [Fact]
    public void Save_then_LoadModel_restores_architecture_weights_compile_and_optimizer_state()
    {
        Utils.SetRandomSeed(5);
        var (x, y) = Data();
        var model = Classifier();
        model.Compile(new Adam(learningRate: 0.01), new Losses.SparseCategoricalCrossentropy(), new Metrics.Metric[] { new Metrics.SparseCategoricalAccuracy() });
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        string path = TempFile("classifier.keras");
        model.Save(path);

        var loaded = Saving.LoadModel(path);
        Assert.IsType<Sequential>(loaded);
        Assert.Equal("classifier", loaded.Name);
        Assert.Equal(new[] { "Dense", "BatchNormalization", "Dropout", "Dense" }, loaded.Layers.Select(l => l.GetType().Name));
        Assert.Equal(Values(model), Values(loaded));
        using (var a = model.Predict(x, verbose: 0))
        using (var b = loaded.Predict(x, verbose: 0))
            Assert.True(a.equal(b).all().item<bool>());

        Assert.True(loaded.Compiled);
        var adam = Assert.IsType<Adam>(loaded.Optimizer);
        Assert.Equal(0.01f, (float)adam.LearningRate);
        Assert.Equal(model.Optimizer!.Iterations, adam.Iterations);
        Assert.IsType<Losses.SparseCategoricalCrossentropy>(loaded.Loss);
        Assert.Equal(new[] { "sparse_categorical_accuracy" }, loaded.CompiledMetrics.Select(m => m.Name));
        Assert.Equal(model.Evaluate(x, y, verbose: 0)["loss"], loaded.Evaluate(x, y, verbose: 0)["loss"], 6);
    }

    [Fact]
    public void LoadModel_leaves_no_tensor_behind_and_restores_every_optimizer_slot_exactly()
    {
        Utils.SetRandomSeed(5);
        var (x, y) = Data();
        var model = Classifier();
        model.Compile(new Adam(learningRate: 0.01), new Losses.SparseCategoricalCrossentropy());
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        string path = TempFile("slots.keras");
        model.Save(path);

        Model loaded;
        using (var scope = torch.NewDisposeScope())
        {
            loaded = Saving.LoadModel(path);
            // Everything a load makes is either the model's (detached) or disposed: nothing is left for the caller's
            // scope or, without one, for the finalizer thread.
            Assert.Equal(0, scope.DisposablesCount);
        }
        var saved = model.Optimizer!.StateTensors();
        var restored = loaded.Optimizer!.StateTensors();
        try
        {
            Assert.Equal(saved.Select(s => s.Name), restored.Select(s => s.Name));
            Assert.True(saved.Count > 2 + 2 * model.TrainableWeights.Count - 1, "Adam's moments are missing from the state.");
            for (int i = 0; i < saved.Count; i++)
            {
                Assert.Equal(saved[i].Value.dtype, restored[i].Value.dtype);
                Assert.True(saved[i].Value.equal(restored[i].Value).all().item<bool>(), $"optimizer variable {saved[i].Name} differs after loading");
            }
        }
        finally
        {
            foreach (var (_, t) in saved.Concat(restored)) t.Dispose();
        }
    }

    [Fact]
    public void A_loaded_model_keeps_training_exactly_like_the_original()
    {
        Utils.SetRandomSeed(9);
        var (x, y) = Data();
        var model = new Sequential(new Layer[] { new Dense(8, activation: "relu"), new Dense(3) });
        model.Build(new long[] { -1, 6 });
        model.Compile("rmsprop", "sparse_categorical_crossentropy");
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        string path = TempFile("resume.keras");
        model.Save(path);
        var loaded = Saving.LoadModel(path);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(Values(model), Values(loaded));
    }

    [Fact]
    public void Functional_models_round_trip()
    {
        var input = new Input(new long[] { 10, 4 }, name: "tokens");
        var hidden = new LSTM(5, returnSequences: true).Call(input);
        var attended = new MultiHeadAttention(numHeads: 2, keyDim: 3).Call(hidden);
        var output = new Dense(2).Call(new Flatten().Call(attended));
        var model = new Functional(input, output, name: "seq_model");
        string path = TempFile("functional.keras");
        model.Save(path);
        var loaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        Assert.Equal("seq_model", loaded.Name);
        Assert.Equal(new long[] { -1, 10, 4 }, loaded.InputTensor.Shape);
        using var x = torch.randn(3, 10, 4);
        using var a = model.Call(x);
        using var b = loaded.Call(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
        Assert.False(loaded.Compiled); // never compiled: compile_config is {}
    }

    [Fact]
    public void The_archive_has_Keras_entries_in_order_stored_uncompressed_with_metadata_and_config()
    {
        var model = Classifier();
        model.Compile("adam", "sparse_categorical_crossentropy", new[] { "accuracy" });
        string path = TempFile("layout.keras");
        model.Save(path);
        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(new[] { "metadata.json", "config.json", "model.weights.h5" }, zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        // The local file header's compression method (offset 8) is 0: stored, as Keras writes.
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(0, BitConverter.ToUInt16(bytes, 8));

        string metadata = new StreamReader(zip.GetEntry("metadata.json")!.Open()).ReadToEnd();
        Assert.Matches(new Regex(@"^\{""keras_version"": ""3\.\d+\.\d+"", ""date_saved"": ""\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}""\}$"), metadata);

        var config = JsonNode.Parse(zip.GetEntry("config.json")!.Open())!;
        Assert.Equal("keras", (string?)config["module"]);
        Assert.Equal("Sequential", (string?)config["class_name"]);
        Assert.Equal("InputLayer", (string?)config["config"]!["layers"]![0]!["class_name"]);
        var dense = config["config"]!["layers"]![1]!;
        Assert.Equal("keras.layers", (string?)dense["module"]);
        Assert.Equal(8, (int)dense["config"]!["units"]!);
        Assert.Equal("relu", (string?)dense["config"]!["activation"]);
        Assert.Equal("float32", (string?)dense["config"]!["dtype"]!["config"]!["name"]);
        Assert.Equal(new JsonArray(null, 6).ToJsonString(), dense["build_config"]!["input_shape"]!.ToJsonString());
        Assert.Equal("adam", (string?)config["compile_config"]!["optimizer"]); // names stay names, as Keras records them
        Assert.Equal("accuracy", (string?)config["compile_config"]!["metrics"]![0]);

        using var weights = new MemoryStream();
        zip.GetEntry("model.weights.h5")!.Open().CopyTo(weights);
        weights.Position = 0;
        using var h5 = H5File.Open(weights);
        Assert.Equal(new ulong[] { 6, 8 }, h5.Dataset("layers/dense/vars/0").Space.Dimensions);
    }

    [Fact]
    public void An_uncompiled_model_saves_an_empty_compile_config_and_compile_false_skips_compiling()
    {
        var model = Classifier();
        Assert.Equal("{}", JsonNode.Parse(model.ToJson())!["compile_config"]!.ToJsonString());
        model.Compile("sgd", "mse");
        string path = TempFile("c.keras");
        model.Save(path);
        Assert.True(Saving.LoadModel(path).Compiled);
        Assert.False(Saving.LoadModel(path, compile: false).Compiled);
    }

    [Theory]
    [InlineData("model.png", "Invalid filepath extension for saving")]
    [InlineData("model.txt", "Invalid filepath extension for saving")]
    [InlineData("model.h5", "legacy HDF5 model format is not supported")]
    public void Save_rejects_other_extensions(string name, string message)
    {
        Assert.Contains(message, Assert.Throws<KerasArgumentException>(() => Classifier().Save(TempFile(name))).Message);
    }

    [Fact]
    public void LoadModel_reports_Keras_messages_for_bad_paths()
    {
        Assert.Contains("File format not supported", Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(TempFile("model.pkl"))).Message);
        Assert.Contains("File not found", Assert.Throws<FileNotFoundException>(() => Saving.LoadModel(TempFile("missing.keras"))).Message);
        string notZip = TempFile("not_a_zip.keras");
        File.WriteAllText(notZip, "hello");
        var error = Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(notZip));
        Assert.Contains("is not a `.keras` zip archive", error.Message); // an existing file is not "not found"
        Assert.DoesNotContain("File not found", error.Message);
    }

    private string Archive(string configJson, Action<H5File>? weights = null)
    {
        string path = TempFile(Guid.NewGuid().ToString("N") + ".keras");
        var file = new H5File();
        weights?.Invoke(file);
        using var h5 = new MemoryStream();
        file.Write(h5);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Entry(string name, byte[] content)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(content);
        }
        Entry("metadata.json", System.Text.Encoding.UTF8.GetBytes("{\"keras_version\": \"3.3.3\", \"date_saved\": \"2024-05-01@10:00:00\"}"));
        Entry("config.json", System.Text.Encoding.UTF8.GetBytes(configJson));
        Entry("model.weights.h5", h5.ToArray());
        return path;
    }

    [Fact]
    public void Loads_a_Keras_3_3_style_file_with_string_dtypes_a_string_optimizer_and_layer_names_unlike_group_names()
    {
        // As Keras 3.3 writes it: dtype as a plain string, optimizer as a bare name, the Dense called "dense_139" stored
        // under layers/dense, vars groups without a name attribute.
        const string config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential_7", "trainable": true, "dtype": "float32",
          "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
            {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_139", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true,
              "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
              "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
              "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
             "registered_name": null, "build_config": {"input_shape": [null, 3]}}],
          "build_input_shape": [null, 3]},
         "registered_name": null, "build_config": {"input_shape": [null, 3]},
         "compile_config": {"optimizer": "adam", "loss": "mean_squared_error", "loss_weights": null, "metrics": ["mae"], "weighted_metrics": null, "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}}
        """;
        string path = Archive(config, f => f["layers"] = new H5Group
        {
            ["dense"] = new H5Group
            {
                ["vars"] = new H5Group
                {
                    ["0"] = new H5Dataset(new float[] { 1, 0, 0, 1, 1, 1 }, fileDims: new ulong[] { 3, 2 }),
                    ["1"] = new H5Dataset(new float[] { 0.5f, -0.5f }, fileDims: new ulong[] { 2 }),
                },
            },
        });
        var model = Saving.LoadModel(path);
        Assert.Equal("dense_139", model.Layers[0].Name);
        Assert.IsType<Adam>(model.Optimizer);
        Assert.Equal(new[] { "mae" }, model.CompiledMetrics.Select(m => m.Name));
        using var x = torch.tensor(new float[] { 1, 2, 3 }, new long[] { 1, 3 });
        using var y = model.Call(x);
        Assert.Equal(new float[] { 1 + 3 + 0.5f, 2 + 3 - 0.5f }, y.data<float>().ToArray());
    }

    [Fact]
    public void A_tf_keras_style_functional_config_with_nested_inbound_nodes_loads()
    {
        const string config = """
        {"class_name": "Functional", "config": {"name": "model", "layers": [
            {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "dtype": "float32", "name": "input_1"}, "name": "input_1", "inbound_nodes": []},
            {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "relu", "use_bias": true}, "name": "d", "inbound_nodes": [[["input_1", 0, 0, {}]]]}],
          "input_layers": [["input_1", 0, 0]], "output_layers": ["d", 0, 0]}}
        """;
        var model = Assert.IsType<Functional>(Saving.LoadModel(Archive(config, f => f["layers"] = new H5Group
        {
            ["dense"] = new H5Group
            {
                ["vars"] = new H5Group
                {
                    ["0"] = new H5Dataset(new float[] { 1, 2, 3, 4, 5, 6, 7, 8 }, fileDims: new ulong[] { 4, 2 }),
                    ["1"] = new H5Dataset(new float[] { 0, -100 }, fileDims: new ulong[] { 2 }),
                },
            },
        })));
        Assert.Equal(new long[] { -1, 4 }, model.InputTensor.Shape);
        Assert.Equal(2, ((Dense)model.Layers.Single()).Units);
        using var x = torch.ones(1, 4);
        using var y = model.Call(x);
        Assert.Equal(new float[] { 16, 0 }, y.data<float>().ToArray()); // relu(1+3+5+7, 2+4+6+8-100)

        // Without the weights the file is incomplete: the layer reports 0 received variables, as Keras.
        Assert.Contains("received 0 variables", Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(Archive(config))).Message);
    }

    [Fact]
    public void A_Keras_3_functional_file_with_a_residual_Add_loads_and_computes()
    {
        // Written from Keras 3's format: merge-layer nodes take a list of tensors as their first argument, the
        // InputLayer has its own (empty) weight group, compile_config may be null.
        const string config = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "trainable": true, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 2], "dtype": "float32", "sparse": false, "name": "input_layer"},
           "registered_name": null, "name": "input_layer", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
             "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null},
             "units": 2, "activation": "linear", "use_bias": false, "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
             "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
             "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
           "registered_name": null, "build_config": {"input_shape": [null, 2]}, "name": "dense",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}], "kwargs": {}}]},
          {"module": "keras.layers", "class_name": "Add", "config": {"name": "add", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}},
           "registered_name": null, "build_config": {"input_shape": [[null, 2], [null, 2]]}, "name": "add",
           "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}},
                                        {"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["dense", 0, 0]}}]], "kwargs": {}}]}],
          "input_layers": [["input_layer", 0, 0]], "output_layers": [["add", 0, 0]]},
         "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": null}
        """;
        var model = Assert.IsType<Functional>(Saving.LoadModel(Archive(config, f =>
        {
            f["vars"] = new H5Group();
            f["layers"] = new H5Group
            {
                ["input_layer"] = new H5Group { ["vars"] = new H5Group() },
                ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(new float[] { 1, 2, 3, 4 }, fileDims: new ulong[] { 2, 2 }) } },
                ["add"] = new H5Group { ["vars"] = new H5Group() },
            };
        })));
        Assert.Equal(new[] { "dense", "add" }, model.Layers.Select(l => l.Name));
        Assert.False(model.Compiled);
        using var x = torch.ones(1, 2);
        using var y = model.Call(x);
        Assert.Equal(new float[] { 5, 7 }, y.data<float>().ToArray()); // x + x·W = [1, 1] + [4, 6]
    }

    [Fact]
    public void A_tf_keras_Sequential_with_the_input_shape_on_its_first_layer_is_built_and_loaded()
    {
        const string config = """
        {"class_name": "Sequential", "config": {"name": "legacy", "layers": [
            {"class_name": "Dense", "config": {"name": "dense", "batch_input_shape": [null, 2], "units": 1, "activation": "linear", "use_bias": false}}]}}
        """;
        var model = Saving.LoadModel(Archive(config, f => f["layers"] = new H5Group
        {
            ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(new float[] { 2, 3 }, fileDims: new ulong[] { 2, 1 }) } },
        }));
        Assert.True(model.Built);
        using var x = torch.ones(1, 2);
        using var y = model.Call(x);
        Assert.Equal(5f, y.item<float>());
    }

    [Fact]
    public void Lambdas_are_refused_in_safe_mode_with_Keras_message()
    {
        const string config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [
          {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "lambda", "function": {"class_name": "__lambda__", "config": {"value": "xyz"}}}}]}}
        """;
        string path = Archive(config);
        var safeError = Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(path));
        Assert.Contains("arbitrary code execution", safeError.Message);
        Assert.Contains("custom layer in C#", safeError.Message); // and what to do instead
#pragma warning disable KERAS009 // this test is about the unsafe path
        var unsafeError = Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(path, safeMode: false));
        Assert.DoesNotContain("arbitrary code execution", unsafeError.Message);
        Assert.Contains("cannot run in .NET", unsafeError.Message);
        Config.EnableUnsafeDeserialization(); // the global setting wins over the argument, as in Keras
        Assert.Contains("cannot run in .NET", Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(path)).Message);
#pragma warning restore KERAS009
    }

    [Fact]
    public void Unknown_classes_and_malformed_configs_fail_with_Keras_messages()
    {
        string unknown = Archive("""{"module": "keras", "class_name": "Sequential", "config": {"name": "s", "layers": [{"module": "keras.layers", "class_name": "NoSuchLayerClass", "config": {"name": "l"}}]}}""");
        Assert.Contains("Could not locate class 'NoSuchLayerClass'", Assert.Throws<KerasTypeException>(() => Saving.LoadModel(unknown)).Message);
        Assert.Contains("Expected 'config' to be a dict",
            Assert.Throws<KerasTypeException>(() => Saving.ModelFromJson("""{"class_name": "Dense", "config": [1, 2, 3]}""")).Message);
        Assert.Contains("A Sequential model configuration must be a dictionary containing the 'name' and 'layers' keys",
            Assert.Throws<KerasArgumentException>(() => Saving.ModelFromJson("""{"class_name": "Sequential", "config": {"layers": []}}""")).Message);
    }

    [Fact]
    public void ToJson_and_ModelFromJson_rebuild_the_same_architecture_with_fresh_weights()
    {
        var model = new Sequential(new Layer[]
        {
            new Reshape(new long[] { 8, 8, 1 }), new Conv2D(4, 3, padding: "same", activation: "relu"), new MaxPooling2D(2), new Flatten(),
            new Activation("tanh"), new Dense(3, trainable: false),
        });
        model.Build(new long[] { -1, 64 });
        var copy = Saving.ModelFromJson(model.ToJson());
        Assert.Equal(model.Layers.Select(l => l.GetType()), copy.Layers.Select(l => l.GetType()));
        Assert.Equal(model.Layers.Select(l => l.Name), copy.Layers.Select(l => l.Name));
        Assert.False(copy.Layers[5].Trainable);
        var conv = (Conv2D)copy.Layers[1];
        Assert.Equal(("same", "relu", 4), (conv.Padding, conv.Activation, conv.Filters));
        Assert.Equal(model.CountParams(), copy.CountParams());
        Assert.NotEqual(Values(model)[0], Values(copy)[0]);
    }
}

/// <summary>Subclassed models: their weights save and load; LoadModel cannot rebuild the class and says what to do.</summary>
public class SubclassedModelSavingTests : KerasTestBase
{
    private sealed class TwoLayer : Model
    {
        private readonly Dense _hidden, _out;

        public TwoLayer()
        {
            _hidden = Track(new Dense(4, activation: "relu"));
            _out = Track(new Dense(1));
        }

        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training)
        {
            using var h = _hidden.Call(inputs, training);
            return _out.Call(h, training);
        }
    }

    [Fact]
    public void A_subclassed_model_saves_whole_but_loads_by_weights()
    {
        var model = new TwoLayer();
        using (var x = torch.ones(2, 3)) model.Call(x).Dispose();
        string path = Path.Combine(KerasHome, "sub.keras");
        model.Save(path);
        var error = Assert.Throws<KerasTypeException>(() => Saving.LoadModel(path));
        Assert.Contains("Could not locate class 'TwoLayer'", error.Message);
        Assert.Contains("build the model in C# and call LoadWeights", error.Message);

        var again = new TwoLayer();
        using (var x = torch.ones(2, 3)) again.Call(x).Dispose();
        again.LoadWeights(path);
        Assert.Equal(model.Weights.Select(w => w.ToArray<float>()), again.Weights.Select(w => w.ToArray<float>()));
    }
}

/// <summary>Custom classes registered like Keras' register_keras_serializable rebuild from saved configs.</summary>
public class CustomObjectSavingTests : KerasTestBase
{
    /// <summary>y = x * factor + offset, with a trainable offset.</summary>
    public sealed class ScaleShift : Layer
    {
        private KerasVariable? _offset;

        public ScaleShift(double factor, string? name = null) : base(name) => Factor = factor;

        public double Factor { get; }

        protected override void BuildCore(long[] inputShape) =>
            _offset = AddWeight("offset", new[] { inputShape[^1] }, new Keras.Initializers.RandomUniform());

        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training)
        {
            using var scaled = inputs.mul(Factor);
            return scaled.add(_offset!.Value);
        }

        public override System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["factor"] = Factor;
            return config;
        }
    }

    /// <summary>A subclassed model with a constructor argument.</summary>
    public sealed class Tower : Model
    {
        private readonly Dense _hidden, _out;

        public Tower(int units, string? name = null) : base(name)
        {
            Units = units;
            _hidden = Track(new Dense(units, activation: "relu"));
            _out = Track(new Dense(1));
        }

        public int Units { get; }

        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training)
        {
            using var h = _hidden.Call(inputs, training);
            return _out.Call(h, training);
        }

        public override System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var config = base.GetConfig();
            config["units"] = Units;
            return config;
        }
    }

    static CustomObjectSavingTests()
    {
        Saving.RegisterKerasSerializable(c => new ScaleShift((double)c["factor"]!, (string?)c["name"]), package: "my_package");
        Saving.RegisterKerasSerializable(c => new Tower((int)c["units"]!, (string?)c["name"]));
    }

    [Fact]
    public void A_registered_custom_layer_round_trips_inside_a_Sequential()
    {
        var model = new Sequential(new Layer[] { new Dense(3), new ScaleShift(2.5) });
        model.Build(new long[] { -1, 4 });
        string path = Path.Combine(KerasHome, "custom.keras");
        model.Save(path);
        var config = System.Text.Json.Nodes.JsonNode.Parse(model.ToJson())!["config"]!["layers"]![2]!;
        Assert.Equal("my_package>ScaleShift", (string?)config["registered_name"]);
        Assert.Equal(2.5, (double)config["config"]!["factor"]!);

        var loaded = Saving.LoadModel(path);
        var layer = Assert.IsType<ScaleShift>(loaded.Layers[1]);
        Assert.Equal(2.5, layer.Factor);
        using var x = torch.randn(2, 4);
        using var a = model.Call(x);
        using var b = loaded.Call(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    [Fact]
    public void A_registered_subclassed_model_is_rebuilt_built_and_loaded()
    {
        var model = new Tower(6, name: "tower");
        model.Compile("adam", "mse");
        using var x = torch.randn(8, 3);
        using var y = torch.randn(8, 1);
        model.Fit(x, y, epochs: 1, verbose: 0);
        string path = Path.Combine(KerasHome, "tower.keras");
        model.Save(path);
        var loaded = Assert.IsType<Tower>(Saving.LoadModel(path));
        Assert.Equal(6, loaded.Units);
        Assert.True(loaded.Compiled);
        Assert.Equal(model.Weights.Select(w => w.ToArray<float>()), loaded.Weights.Select(w => w.ToArray<float>()));
        Assert.Equal(model.Optimizer!.Iterations, loaded.Optimizer!.Iterations);
    }
}

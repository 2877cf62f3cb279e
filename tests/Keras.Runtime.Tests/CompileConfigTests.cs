using System.IO.Compression;
using System.Text.Json.Nodes;
using Keras.Layers;
using Keras.Metrics;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Every compile_config form Keras writes loads compiled (names, serialized objects, builtins functions, function
/// wrappers, per-output lists and dicts, null losses, missing keys), the optimizer state comes back with it, and a piece
/// this runtime lacks leaves the model uncompiled with a warning that names it.
/// </summary>
public class CompileConfigTests : KerasTestBase
{
    private string TempFile(string name) => Path.Combine(KerasHome, name);

    private static (torch.Tensor X, torch.Tensor Y) Data()
    {
        using var g = new torch.Generator(7);
        var x = torch.randn(new long[] { 32, 4 }, generator: g);
        var y = x.select(1, 0).gt(0).to_type(torch.ScalarType.Int64);
        return (x, y);
    }

    /// <summary>Replaces the compile_config of a saved .keras file.</summary>
    private static void RewriteCompileConfig(string path, Action<JsonObject> edit)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var entry = zip.GetEntry("config.json")!;
        JsonObject config;
        using (var s = entry.Open()) config = JsonNode.Parse(s)!.AsObject();
        edit(config["compile_config"]!.AsObject());
        entry.Delete();
        using var w = new StreamWriter(zip.CreateEntry("config.json").Open());
        w.Write(config.ToJsonString());
    }

    private string Warnings() => ((StringWriter)Utilities.IoUtils.StderrOverride!).ToString();

    private static JsonObject Function(string name) =>
        new() { ["module"] = "builtins", ["class_name"] = "function", ["config"] = name, ["registered_name"] = "function" };

    [Fact]
    public void A_file_with_builtins_function_losses_and_metrics_loads_compiled_with_its_optimizer_state()
    {
        Utils.SetRandomSeed(3);
        var (x, y) = Data();
        var model = new Sequential(new Layer[] { new Dense(6, activation: "relu"), new Dense(2, activation: "softmax") });
        model.Compile(new Adam(0.01), new Losses.SparseCategoricalCrossentropy(), new[] { new SparseCategoricalAccuracy() });
        model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, shuffle: false);
        string path = TempFile("functions.keras");
        model.Save(path);
        RewriteCompileConfig(path, c =>
        {
            c["loss"] = Function("sparse_categorical_crossentropy"); // compile(loss=keras.losses.sparse_categorical_crossentropy)
            c["metrics"] = new JsonArray(Function("sparse_categorical_accuracy"), Function("sparse_categorical_crossentropy"));
        });

        var loaded = Saving.LoadModel(path);
        Assert.True(loaded.Compiled, Warnings());
        Assert.DoesNotContain("without compiling", Warnings());
        var adam = Assert.IsType<Adam>(loaded.Optimizer);
        Assert.Equal(model.Optimizer!.Iterations, adam.Iterations); // 12 steps of state kept
        Assert.IsType<Losses.SparseCategoricalCrossentropy>(loaded.Loss);
        Assert.Equal("sparse_categorical_crossentropy", loaded.Loss!.Name);
        Assert.Equal(new[] { "sparse_categorical_accuracy", "sparse_categorical_crossentropy" }, loaded.CompiledMetrics.Select(m => m.Name));
        var original = model.Evaluate(x, y, verbose: 0);
        var again = loaded.Evaluate(x, y, verbose: 0);
        Assert.Equal(original["loss"], again["loss"], 6);
        Assert.Equal(original["sparse_categorical_accuracy"], again["sparse_categorical_accuracy"], 6);
        // Training continues from the saved moments exactly as the original does.
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(model.Weights.Select(v => v.ToArray<float>()), loaded.Weights.Select(v => v.ToArray<float>()));
    }

    public static IEnumerable<object[]> SharedFiles() => Directory.Exists(RealKerasFilesTests.FolderOf(""))
        ? Directory.GetDirectories(RealKerasFilesTests.FolderOf("")).Where(d => File.Exists(Path.Combine(d, "model.keras"))).Select(d => new object[] { Path.GetFileName(d) })
        : new[] { new object[] { "(../shared/keras-files is missing)" } };

    [Theory]
    [MemberData(nameof(SharedFiles))]
    public void Each_real_files_compile_config_compiles_with_every_metric(string name)
    {
        // The compile_config alone, applied to a one-output model (some files' layers belong to other work).
        string path = Path.Combine(RealKerasFilesTests.FolderOf(name), "model.keras");
        using var zip = ZipFile.OpenRead(path);
        JsonObject compile;
        using (var s = zip.GetEntry("config.json")!.Open()) compile = JsonNode.Parse(s)!["compile_config"]!.AsObject();
        var model = new Sequential(new Layer[] { new Dense(1, activation: "sigmoid") });
        model.Build(new long[] { -1, 3 });
        SavingLib.CompileSerialization.CompileFromConfig(model, compile);
        Assert.True(model.Compiled, Warnings());
        Assert.Equal("", Warnings());
        var expectedNames = (compile["metrics"] as JsonArray ?? new JsonArray())
            .Select(e => e is JsonValue v ? (string)v! : (string)e!["config"]!["name"]!).ToArray();
        Assert.Equal(expectedNames, model.CompiledMetrics.Select(x => x.Name));
        if (compile["loss"] is JsonValue loss) Assert.Equal(Shared.KerasIdentifiers.Losses.Resolve((string)loss!), model.Loss!.Name);
        Assert.NotNull(model.Loss);
        using var x = torch.rand(8, 3);
        using var y = torch.randint(0, 2, new long[] { 8, 1 }).to_type(torch.ScalarType.Float32);
        var logs = model.Evaluate(x, y, verbose: 0); // every metric runs
        Assert.All(logs.Values, v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void Metric_objects_keep_their_arguments_through_save_and_load()
    {
        var (x, y) = Data();
        var model = new Sequential(new Layer[] { new Dense(1, activation: "sigmoid") });
        var metrics = new Metric[]
        {
            new AUC(numThresholds: 33, curve: "PR", name: "pr_auc"), new Precision(thresholds: new[] { 0.4 }), new Recall(name: "rec"),
            new F1Score(threshold: 0.5, average: "micro"), new Metrics.BinaryCrossentropy(labelSmoothing: 0.1),
        };
        model.Compile(new SGD(0.1), new Losses.BinaryFocalCrossentropy(gamma: 3, labelSmoothing: 0.05), metrics,
            weightedMetrics: new Metric[] { new RootMeanSquaredError() });
        using var yFloat = y.to_type(torch.ScalarType.Float32).unsqueeze(1);
        model.Fit(x, yFloat, batchSize: 8, verbose: 0);
        string path = TempFile("metrics.keras");
        model.Save(path);
        var loaded = Saving.LoadModel(path);
        Assert.True(loaded.Compiled, Warnings());
        Assert.Equal(metrics.Select(m => SavingLib.KerasObjects.Serialize(m).ToJsonString()),
            loaded.CompiledMetrics.Select(m => SavingLib.KerasObjects.Serialize(m).ToJsonString()));
        var focal = Assert.IsType<Losses.BinaryFocalCrossentropy>(loaded.Loss);
        Assert.Equal((3.0, 0.05), (focal.Gamma, focal.LabelSmoothing));
        var a = model.Evaluate(x, yFloat, verbose: 0);
        var b = loaded.Evaluate(x, yFloat, verbose: 0);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var key in a.Keys) Assert.Equal(a[key], b[key], 6);
        Assert.Contains("root_mean_squared_error", b.Keys);
    }

    private static Functional TwoHeads()
    {
        var input = new Input(new long[] { 4 }, name: "features");
        var a = new Dense(1, name: "price").Call(input);
        var b = new Dense(2, name: "kind").Call(input);
        return new Functional(new[] { input }, new[] { a, b });
    }

    [Fact]
    public void Per_output_dicts_nulls_and_wrappers_load_as_Keras_writes_them()
    {
        var model = TwoHeads();
        model.Compile("adam", new[] { "mse", "sparse_categorical_crossentropy" });
        string path = TempFile("dicts.keras");
        model.Save(path);
        RewriteCompileConfig(path, c =>
        {
            c["loss"] = new JsonObject
            {
                ["price"] = new JsonObject { ["module"] = "keras.losses", ["class_name"] = "LossFunctionWrapper", ["registered_name"] = null,
                    ["config"] = new JsonObject { ["name"] = "price_mse", ["reduction"] = "sum_over_batch_size", ["fn"] = Function("mean_squared_error") } },
                ["kind"] = null,
            };
            c["loss_weights"] = new JsonObject { ["price"] = 2.0 };
            c["metrics"] = new JsonObject { ["kind"] = new JsonArray("accuracy") };
            c["weighted_metrics"] = new JsonObject
            {
                ["price"] = new JsonArray(new JsonObject { ["module"] = "keras.metrics", ["class_name"] = "MeanMetricWrapper", ["registered_name"] = null,
                    ["config"] = new JsonObject { ["name"] = "wmae", ["dtype"] = "float32", ["fn"] = Function("mean_absolute_error") } }),
            };
        });
        var loaded = Saving.LoadModel(path);
        Assert.True(loaded.Compiled, Warnings());
        Assert.Equal("price_mse", loaded.OutputLosses![0]!.Name);
        Assert.Null(loaded.OutputLosses[1]);
        using var x = torch.ones(4, 4);
        using var yPrice = torch.zeros(4, 1);
        using var yKind = torch.zeros(new long[] { 4 }, torch.ScalarType.Int64);
        var logs = loaded.Evaluate(new[] { x }, new[] { yPrice, yKind }, verbose: 0);
        Assert.Equal(new[] { "kind_accuracy", "loss", "price_loss", "price_wmae" }, logs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2 * logs["price_loss"], logs["loss"], 5); // loss_weights {"price": 2}; kind has no loss
    }

    [Fact]
    public void Missing_keys_compile_with_Keras_defaults()
    {
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Build(new long[] { -1, 3 });
        model.Compile("sgd", "mse");
        string path = TempFile("sparse.keras");
        model.Save(path);
        RewriteCompileConfig(path, c =>
        {
            foreach (var key in c.Select(p => p.Key).ToArray()) if (key != "loss") c.Remove(key);
        });
        var loaded = Saving.LoadModel(path);
        Assert.True(loaded.Compiled, Warnings());
        Assert.IsType<RMSprop>(loaded.Optimizer); // compile's default optimizer
        Assert.Empty(loaded.CompiledMetrics);
    }

    [Theory]
    [InlineData("metrics", "[\"accuracy\", {\"module\": \"keras.metrics\", \"class_name\": \"PearsonCorrelation\", \"config\": {\"name\": \"pearson\"}}]", "metrics[1]")]
    [InlineData("loss", "{\"module\": \"keras.losses\", \"class_name\": \"Circle\", \"config\": {\"name\": \"circle\"}}", "'loss'")]
    [InlineData("loss", "\"circle\"", "'loss'")]
    [InlineData("optimizer", "{\"module\": \"keras.optimizers\", \"class_name\": \"Muon\", \"config\": {}}", "'optimizer'")]
    [InlineData("weighted_metrics", "[{\"module\": \"builtins\", \"class_name\": \"function\", \"config\": \"no_such_metric\"}]", "weighted_metrics[0]")]
    public void A_piece_this_runtime_lacks_leaves_the_model_uncompiled_with_a_warning_naming_it(string key, string json, string where)
    {
        var model = new Sequential(new Layer[] { new Dense(2, activation: "softmax") });
        model.Build(new long[] { -1, 3 });
        model.Compile("adam", "sparse_categorical_crossentropy", new[] { "accuracy" });
        string path = TempFile("unknown.keras");
        model.Save(path);
        RewriteCompileConfig(path, c => c[key] = JsonNode.Parse(json));
        var loaded = Saving.LoadModel(path);
        Assert.False(loaded.Compiled);
        Assert.Contains("loaded without compiling", Warnings());
        Assert.Contains(where, Warnings());
        using var x = torch.ones(2, 3);
        using var p = loaded.Predict(x); // the model itself is intact
        Assert.Equal(new long[] { 2, 2 }, p.shape);
    }
}

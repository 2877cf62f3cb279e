using System.Reflection;
using System.Text.Json.Nodes;
using Keras.Layers;
using Keras.Models;
using Keras.SavingLib;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// The layer catalog is complete: every built-in layer class is in it, saves and loads through it with the same
/// predictions, and the shared machinery (ModelSerialization) names no layer.
/// </summary>
public class CatalogTests : KerasTestBase
{
    /// <summary>
    /// One sample per catalog layer: how to make it (with non-default arguments where it has them) and the
    /// per-sample input shape to call it on. A new layer class must add its row here, or
    /// <see cref="Every_layer_class_is_in_the_catalog_and_has_a_sample"/> fails.
    /// </summary>
    internal static readonly Dictionary<string, (Func<Layer> Make, long[] Input)> Samples = new()
    {
        ["Dense"] = (() => new Dense(3, activation: "tanh"), new long[] { 4 }),
        ["Dropout"] = (() => new Dropout(0.25, seed: 3), new long[] { 4 }),
        ["Flatten"] = (() => new Flatten(), new long[] { 2, 3 }),
        ["Reshape"] = (() => new Reshape(new long[] { 3, -1 }), new long[] { 6 }),
        ["Activation"] = (() => new Activation("softplus"), new long[] { 4 }),
        ["Conv2D"] = (() => new Conv2D(2, (3, 2), (1, 1), padding: "same", activation: "relu"), new long[] { 5, 5, 2 }),
        ["MaxPooling2D"] = (() => new MaxPooling2D((2, 3), (1, 2), padding: "same"), new long[] { 5, 6, 2 }),
        ["BatchNormalization"] = (() => new BatchNormalization(momentum: 0.9, epsilon: 1e-2), new long[] { 4 }),
        ["Embedding"] = (() => new Embedding(7, 3, maskZero: true), new long[] { 5 }),
        ["LSTM"] = (() => new LSTM(3, returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.1, seed: 5), new long[] { 4, 2 }),
        ["GRU"] = (() => new GRU(3, goBackwards: true, dropout: 0.1, seed: 2), new long[] { 4, 2 }),
        ["SimpleRNN"] = (() => new SimpleRNN(3, activation: "relu", returnSequences: true, goBackwards: true, dropout: 0.1, recurrentDropout: 0.2), new long[] { 4, 2 }),
        ["Masking"] = (() => new Masking(0.5), new long[] { 4, 2 }),
        ["Bidirectional"] = (() => new Bidirectional(new LSTM(3, returnSequences: true), mergeMode: "ave"), new long[] { 4, 2 }),
        ["TimeDistributed"] = (() => new TimeDistributed(new Dense(2, activation: "relu")), new long[] { 4, 3 }),
        ["MultiHeadAttention"] = (() => new MultiHeadAttention(2, 3), new long[] { 4, 6 }),
        ["Conv1D"] = (() => new Conv1D(3, 3, padding: "causal", dilationRate: 2, groups: 1, activation: "tanh"), new long[] { 7, 2 }),
        ["Conv3D"] = (() => new Conv3D(4, (2, 3, 2), (1, 2, 1), padding: "same", groups: 2), new long[] { 3, 5, 4, 2 }),
        ["Conv1DTranspose"] = (() => new Conv1DTranspose(2, 3, strides: 2, padding: "same", outputPadding: 1), new long[] { 4, 3 }),
        ["Conv2DTranspose"] = (() => new Conv2DTranspose(3, (3, 2), (2, 1), padding: "valid", dataFormat: "channels_first"), new long[] { 2, 3, 4 }),
        ["Conv3DTranspose"] = (() => new Conv3DTranspose(2, 2, strides: 2), new long[] { 2, 3, 2, 2 }),
        ["SeparableConv1D"] = (() => new SeparableConv1D(3, 3, padding: "same", depthMultiplier: 2), new long[] { 6, 2 }),
        ["SeparableConv2D"] = (() => new SeparableConv2D(4, (3, 3), (2, 2), padding: "same", depthMultiplier: 2, activation: "relu"), new long[] { 5, 5, 3 }),
        ["DepthwiseConv1D"] = (() => new DepthwiseConv1D(3, depthMultiplier: 2, dilationRate: 2), new long[] { 8, 2 }),
        ["DepthwiseConv2D"] = (() => new DepthwiseConv2D((2, 3), padding: "same", depthMultiplier: 3), new long[] { 4, 5, 2 }),
        ["MaxPooling1D"] = (() => new MaxPooling1D(3, 2, padding: "same"), new long[] { 7, 2 }),
        ["MaxPooling3D"] = (() => new MaxPooling3D((2, 2, 1), padding: "same"), new long[] { 3, 3, 2, 2 }),
        ["AveragePooling1D"] = (() => new AveragePooling1D(3, 2, padding: "same"), new long[] { 7, 2 }),
        ["AveragePooling2D"] = (() => new AveragePooling2D((2, 3), (2, 2), padding: "same"), new long[] { 5, 5, 2 }),
        ["AveragePooling3D"] = (() => new AveragePooling3D(2, dataFormat: "channels_first"), new long[] { 2, 4, 4, 2 }),
        ["GlobalAveragePooling2D"] = (() => new GlobalAveragePooling2D(keepdims: true), new long[] { 3, 4, 2 }),
        ["GlobalAveragePooling3D"] = (() => new GlobalAveragePooling3D(dataFormat: "channels_first"), new long[] { 2, 3, 2, 2 }),
        ["GlobalMaxPooling2D"] = (() => new GlobalMaxPooling2D(), new long[] { 3, 4, 2 }),
        ["GlobalMaxPooling3D"] = (() => new GlobalMaxPooling3D(keepdims: true), new long[] { 2, 3, 2, 2 }),
        ["RepeatVector"] = (() => new RepeatVector(3), new long[] { 4 }),
        ["Permute"] = (() => new Permute(new[] { 2, 1 }), new long[] { 3, 4 }),
        ["UpSampling1D"] = (() => new UpSampling1D(3), new long[] { 4, 2 }),
        ["UpSampling2D"] = (() => new UpSampling2D((2, 3), interpolation: "bilinear"), new long[] { 3, 3, 2 }),
        ["UpSampling3D"] = (() => new UpSampling3D((1, 2, 2)), new long[] { 2, 2, 2, 1 }),
        ["ZeroPadding1D"] = (() => new ZeroPadding1D((1, 2)), new long[] { 4, 2 }),
        ["ZeroPadding2D"] = (() => new ZeroPadding2D(((1, 0), (2, 1))), new long[] { 3, 3, 2 }),
        ["ZeroPadding3D"] = (() => new ZeroPadding3D(1, dataFormat: "channels_first"), new long[] { 2, 2, 2, 2 }),
        ["Cropping1D"] = (() => new Cropping1D((1, 2)), new long[] { 6, 2 }),
        ["Cropping2D"] = (() => new Cropping2D(((1, 0), (0, 2))), new long[] { 4, 5, 2 }),
        ["Cropping3D"] = (() => new Cropping3D((1, 0, 1)), new long[] { 4, 3, 4, 1 }),
        ["ReLU"] = (() => new ReLU(maxValue: 1.5, negativeSlope: 0.1, threshold: 0.2), new long[] { 4 }),
        ["LeakyReLU"] = (() => new LeakyReLU(0.2), new long[] { 4 }),
        ["PReLU"] = (() => new PReLU(new Keras.Initializers.Constant(0.25), sharedAxes: new[] { 1 }), new long[] { 3, 2 }),
        ["ELU"] = (() => new ELU(0.5), new long[] { 4 }),
        ["Softmax"] = (() => new Softmax(new[] { 1, 2 }), new long[] { 2, 3 }),
        ["Identity"] = (() => new Identity(), new long[] { 4 }),
        ["LayerNormalization"] = (() => new LayerNormalization(new[] { 1, 2 }, epsilon: 1e-4, gammaInitializer: new Keras.Initializers.Constant(1.5)), new long[] { 3, 4 }),
        ["GroupNormalization"] = (() => new GroupNormalization(2, epsilon: 1e-2, center: false), new long[] { 3, 4 }),
        ["UnitNormalization"] = (() => new UnitNormalization(new[] { 1, 2 }), new long[] { 3, 2 }),
        ["GlobalAveragePooling1D"] = (() => new GlobalAveragePooling1D(keepdims: true), new long[] { 5, 3 }),
        ["GlobalMaxPooling1D"] = (() => new GlobalMaxPooling1D(dataFormat: "channels_first"), new long[] { 3, 5 }),
        ["SpatialDropout1D"] = (() => new SpatialDropout1D(0.3, seed: 2), new long[] { 5, 3 }),
        ["SpatialDropout2D"] = (() => new SpatialDropout2D(0.3, dataFormat: "channels_first", seed: 2), new long[] { 2, 3, 3 }),
        ["SpatialDropout3D"] = (() => new SpatialDropout3D(0.2), new long[] { 2, 2, 2, 3 }),
        ["GaussianNoise"] = (() => new GaussianNoise(0.2, seed: 4), new long[] { 4 }),
        ["GaussianDropout"] = (() => new GaussianDropout(0.4, seed: 4), new long[] { 4 }),
        ["AlphaDropout"] = (() => new AlphaDropout(0.1, noiseShape: new long?[] { null, 1, 4 }, seed: 4), new long[] { 3, 4 }),
        ["ActivityRegularization"] = (() => new ActivityRegularization(l1: 0.01, l2: 0.02), new long[] { 4 }),
        ["Rescaling"] = (() => new Rescaling(new[] { 0.5, 2.0 }, new[] { 1.0, -1.0 }), new long[] { 3, 2 }),
        ["Normalization"] = (() =>
        {
            var n = new Normalization(axis: -1);
            using var data = torch.randn(new long[] { 8, 3 }, generator: new torch.Generator(3)) * 2 + 1;
            n.Adapt(data);
            return n;
        }, new long[] { 3 }),
        ["Resizing"] = (() => new Resizing(3, 5, interpolation: "nearest", cropToAspectRatio: true), new long[] { 4, 4, 2 }),
        ["CenterCrop"] = (() => new CenterCrop(2, 3), new long[] { 4, 5, 2 }),
        ["RandomFlip"] = (() => new RandomFlip("horizontal", seed: 1), new long[] { 3, 3, 2 }),
        ["RandomRotation"] = (() => new RandomRotation((-0.1, 0.2), fillMode: "constant", fillValue: 1.0, seed: 1), new long[] { 3, 3, 2 }),
        ["RandomZoom"] = (() => new RandomZoom(0.2, (-0.1, 0.3), interpolation: "nearest", seed: 1), new long[] { 3, 3, 2 }),
        ["RandomTranslation"] = (() => new RandomTranslation(0.1, (-0.2, 0.2), fillMode: "wrap", seed: 1), new long[] { 3, 3, 2 }),
        ["RandomContrast"] = (() => new RandomContrast(0.3, valueRange: (0, 1), seed: 1), new long[] { 3, 3, 2 }),
    };

    /// <summary>Layers that take several inputs: made and called inside a Functional graph by this function.</summary>
    private static readonly Dictionary<string, Func<Input, KerasTensor>> GraphSamples = new()
    {
        ["Add"] = x => new Add().Call(x, x),
        ["Subtract"] = x => new Subtract().Call(x, x),
        ["Multiply"] = x => new Multiply().Call(x, x),
        ["Average"] = x => new Average().Call(x, x),
        ["Maximum"] = x => new Maximum().Call(x, x),
        ["Minimum"] = x => new Minimum().Call(x, x),
        ["Concatenate"] = x => new Concatenate(axis: 1).Call(x, x),
        ["Dot"] = x => new Dot(1, normalize: true).Call(x, new Dense(4).Call(x)),
        ["Attention"] = x =>
        {
            var query = new Reshape(new long[] { 2, 2 }).Call(x);
            return new Attention(useScale: true, scoreMode: "concat").Call(new[] { query, new Dense(2).Call(query) }, useCausalMask: true);
        },
        ["AdditiveAttention"] = x =>
        {
            var query = new Reshape(new long[] { 2, 2 }).Call(x);
            var value = new Dense(3).Call(query);
            return new AdditiveAttention().Call(new[] { query, value, new Dense(2).Call(query) });
        },
    };

    /// <summary>Catalog classes that are models (their graphs have their own tests).</summary>
    private static readonly string[] Models = { "Sequential", "Functional" };

    private static IEnumerable<Type> LayerClasses() =>
        typeof(Layer).Assembly.GetTypes().Where(t => typeof(Layer).IsAssignableFrom(t) && !t.IsAbstract && t.IsPublic);

    [Fact]
    public void Every_layer_class_is_in_the_catalog_and_has_a_sample()
    {
        var catalog = KerasCatalog.All(typeof(Layer)).Select(e => e.ClassName).ToHashSet();
        foreach (var type in LayerClasses())
            Assert.True(KerasCatalog.Of(type) != null, $"{type.Name} has no [KerasClass] attribute: it cannot be saved or loaded.");
        foreach (var name in catalog)
            Assert.True(Samples.ContainsKey(name) || GraphSamples.ContainsKey(name) || Models.Contains(name),
                $"Catalog layer {name} has no sample in CatalogTests: add one so it is saved and reloaded.");
    }

    public static IEnumerable<object[]> SampleNames() => Samples.Keys.Select(k => new object[] { k });

    public static IEnumerable<object[]> GraphSampleNames() => GraphSamples.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Each_layer_saves_and_loads_with_every_config_key_and_the_same_predictions(string className)
    {
        Utils.SetRandomSeed(11);
        var (make, input) = Samples[className];
        var x = new Input(input);
        var layer = make();
        var model = new Functional(x, layer.Call(x), name: "sample");
        AssertRoundTrip(model, className, input);
    }

    [Theory]
    [MemberData(nameof(GraphSampleNames))]
    public void Each_merge_layer_saves_and_loads_with_the_same_predictions(string className)
    {
        Utils.SetRandomSeed(12);
        var x = new Input(new long[] { 4 });
        var model = new Functional(x, GraphSamples[className](x), name: "sample");
        AssertRoundTrip(model, className, new long[] { 4 });
    }

    private void AssertRoundTrip(Functional model, string className, long[] input)
    {
        string path = Path.Combine(KerasHome, className + ".keras");
        model.Save(path);
        var reloaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        var original = model.Layers.Single(l => l.KerasClassName == className);
        var copy = reloaded.Layers.Single(l => l.KerasClassName == className);
        Assert.Equal(original.GetConfig().ToJsonString(), copy.GetConfig().ToJsonString());
        using var data = className == "Embedding"
            ? torch.randint(0, 7, new[] { 3L }.Concat(input).ToArray(), torch.ScalarType.Int64)
            : torch.randn(new[] { 3L }.Concat(input).ToArray());
        using var expected = model.Predict(data);
        using var actual = reloaded.Predict(data);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 0), $"{className}: the reloaded model predicts differently");
    }

    [Fact]
    public void The_shared_serialization_code_names_no_layer_class()
    {
        string file = Path.Combine(Metadata("RepoRoot"), "src", "Keras.Runtime", "SavingLib", "ModelSerialization.cs");
        string code = File.ReadAllText(file);
        var named = KerasCatalog.All(typeof(Layer)).Select(e => e.ClassName)
            .Where(n => !Models.Contains(n) && System.Text.RegularExpressions.Regex.IsMatch(code,
                $@"""{n}""|\bnew\s+{n}\b|\b(is|as|case)\s+{n}\b|typeof\(\s*{n}\s*\)|<{n}>|\({n}\)")).ToArray(); // the name as a string or a type
        Assert.Empty(named);
    }

    [Fact]
    public void An_unknown_class_lists_the_classes_this_runtime_rebuilds()
    {
        var config = JsonNode.Parse("""{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "NoSuchLayer", "config": {"name": "n"}}]}}""");
        var error = Assert.Throws<Keras.Errors.KerasTypeException>(() => Saving.ModelFromJson(config!.ToJsonString()));
        Assert.Contains("Could not locate class 'NoSuchLayer'", error.Message);
        foreach (var name in Samples.Keys) Assert.Contains(name, error.Message);
    }

    [Fact]
    public void A_Lambda_layer_is_refused_with_why_and_what_to_do_instead()
    {
        const string json = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}},
          {"module": "keras.layers", "class_name": "Lambda", "config": {"name": "l", "function": {"class_name": "__lambda__", "config": {"code": "4wEAAAAAAAAA", "defaults": null, "closure": null}}}}]}}
        """;
        var error = Assert.Throws<Keras.Errors.KerasArgumentException>(() => Saving.ModelFromJson(json));
        Assert.Contains("Class 'Lambda': a Lambda layer's config holds its function as Python bytecode", error.Message);
        Assert.Contains("RegisterKerasSerializable", error.Message);
        Assert.Contains("op nodes", error.Message);
        Assert.Contains("LoadWeights", error.Message);
        // A class the user registers under the name takes the file's Lambda layers.
        Saving.RegisterKerasSerializable(config => new LambdaReplacement((string?)config["name"]), package: "CatalogTests", name: "Lambda");
        try
        {
            var model = Saving.ModelFromJson(json);
            using var x = torch.ones(2, 3);
            using var y = model.Predict(x);
            Assert.IsType<LambdaReplacement>(model.Layers[0]);
            Assert.Equal(new[] { 2f, 2f, 2f, 2f, 2f, 2f }, y.data<float>().ToArray());
        }
        finally
        {
            SerializableRegistry.Unregister(typeof(LambdaReplacement)); // the registry is process-wide: other tests expect Lambda refused
        }
    }

    /// <summary>What a user writes instead of a Lambda(lambda x: x * 2).</summary>
    private sealed class LambdaReplacement : Layer
    {
        public LambdaReplacement(string? name) : base(name)
        {
        }

        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training) => inputs.mul(2);
    }
}

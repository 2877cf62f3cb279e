using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Keras.Analyzers.Tests;

/// <summary>All analyzers at once: a correct program is silent; a large, odd body of C# never crashes them.</summary>
public class WholeProgramTests
{
    private static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => !Path.GetFileName(p).StartsWith("Keras.", StringComparison.Ordinal))
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .Concat(KerasReferences.All)
        .ToImmutableArray();

    private static async Task<(ImmutableArray<Diagnostic> Diagnostics, List<Exception> Exceptions)> RunAllAsync(Compilation compilation,
        ImmutableArray<AdditionalText> additionalFiles = default)
    {
        var exceptions = new List<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(additionalFiles.IsDefault ? ImmutableArray<AdditionalText>.Empty : additionalFiles),
            (e, _, _) => { lock (exceptions) exceptions.Add(e); },
            concurrentAnalysis: true, logAnalyzerExecutionTime: false);
        var diagnostics = await compilation.WithAnalyzers(RuleCatalogTests.AllAnalyzers, options).GetAnalyzerDiagnosticsAsync();
        return (diagnostics, exceptions);
    }

    [Fact]
    public async Task A_realistic_program_using_the_api_correctly_has_no_diagnostics()
    {
        const string program = """
            using System;
            using System.Collections.Generic;
            using System.Linq;
            using Keras;
            using Keras.Layers;
            using Keras.Models;
            using TorchSharp;

            Keras.Config.SetBackend("torch");
            Keras.Config.SetDtypePolicy("mixed_float16");
            Keras.Config.SetImageDataFormat("channels_last");
            Keras.Config.SetEpsilon(1e-7);
            Keras.Utils.SetRandomSeed(42);

            var results = new List<double>();
            foreach (int units in new[] { 32, 64, 128 })
            {
                Keras.Utils.ClearSession();
                var model = new Sequential(new Layer[]
                {
                    new Dense(units, activation: "relu"),
                    new Dense(units / 2, activation: "relu"),
                    new Dense(10, activation: "softmax"),
                });
                using var x = torch.rand(16, 20);
                using var y = model.Call(x);
                model.Summary();
                results.Add(y.mean().item<float>());
            }

            var shared = new Sequential(name: "stack");
            for (int i = 0; i < 4; i++) shared.Add(new Dense(8, name: $"hidden_{i}"));
            shared.Trainable = false;

            var ensemble = new List<Sequential>();
            for (int i = 0; i < 3; i++) ensemble.Add(new Sequential(new Layer[] { new Dense(4) }));

            // Saving, checkpoints and loading with the extensions Keras expects, in the forms code uses.
            string dir = System.IO.Path.GetTempPath();
            var trained = ensemble[0];
            trained.Compile("adam", "mse");
            using (var tx = torch.rand(8, 4))
            using (var ty = torch.rand(8, 4))
                trained.Fit(tx, ty, epochs: 1, verbose: 0, callbacks: new Keras.Callbacks.Callback[]
                {
                    new Keras.Callbacks.ModelCheckpoint(System.IO.Path.Combine(dir, "ckpt-{epoch:02d}.keras"), monitor: "loss"),
                    new Keras.Callbacks.ModelCheckpoint(dir + "/best.weights.h5", monitor: "loss", saveBestOnly: true, saveWeightsOnly: true),
                    new Keras.Callbacks.BackupAndRestore(System.IO.Path.Combine(dir, "backup")),
                });
            trained.Save(System.IO.Path.Combine(dir, "model.keras"));
            trained.SaveWeights($"{dir}/model.weights.h5");
            trained.LoadWeights(dir + "/model.keras");
            var reloaded = Keras.Saving.LoadModel(System.IO.Path.Combine(dir, "model.keras"), compile: false);
            Console.WriteLine(reloaded.Name);

            // The second rule set's APIs, used correctly: names Keras resolves, arguments in range, outputs that match
            // their losses, monitors the fit logs, a frozen base called with training: false, Predict on whole batches.
            var classifier = new Sequential(new Layer[]
            {
                new Conv2D(8, 3, padding: "same", activation: "relu", dataFormat: "channels_last"),
                new MaxPooling2D(2, padding: "valid"),
                new BatchNormalization(momentum: 0.9),
                new Flatten(),
                new Dropout(0.25),
                new Dense(16, activation: "swish"),
                new Dense(10, activation: "softmax"),
            });
            classifier.Compile("Adam", "categorical_crossentropy", new[] { "accuracy", "mae" });
            using (var ix = torch.rand(8, 6, 6, 1))
            using (var iy = torch.rand(8, 10))
            {
                classifier.Fit(ix, iy, batchSize: 4, epochs: 1, verbose: 0, validationSplit: 0.25, callbacks: new Keras.Callbacks.Callback[]
                {
                    new Keras.Callbacks.EarlyStopping(monitor: "val_accuracy", mode: "max", patience: 2),
                    new Keras.Callbacks.ReduceLROnPlateau(monitor: "val_loss", factor: 0.5),
                    new Keras.Callbacks.ModelCheckpoint(System.IO.Path.Combine(dir, "best.keras"), monitor: "val_mae", saveBestOnly: true),
                });
                classifier.Evaluate(ix, iy, batchSize: 4, verbose: 0);
                using var all = classifier.Predict(ix, batchSize: 8);
                for (int i = 0; i < 8; i += 4) { using var part = classifier.Predict(ix.narrow(0, i, 4)); }
                for (int i = 0; i < 2; i++) { using var one = classifier.Call(ix[i].unsqueeze(0)); }
            }
            var logits = new Sequential(new Layer[] { new Dense(3) });
            logits.Compile(new Keras.Optimizers.SGD(momentum: 0.9), new Keras.Losses.SparseCategoricalCrossentropy(fromLogits: true));
            var binary = new Sequential(new Layer[] { new Dense(1, activation: "sigmoid") });
            binary.Compile("rmsprop", "binary_crossentropy", new[] { "acc" });
            _ = Keras.Initializers.Initializer.Get("he_normal");
            _ = Keras.Regularizers.Regularizer.Get("l2");
            _ = Keras.Constraints.Constraint.Get("max_norm");
            _ = new LSTM(8, recurrentActivation: "hard_sigmoid");
            _ = new Embedding(100, 8);
            _ = new UpSampling2D(2, interpolation: "bilinear");
            _ = new Bidirectional(new LSTM(2), mergeMode: "ave");
            _ = new Bidirectional(new LSTM(2), mergeMode: null);
            var frozen = new Sequential(new Layer[] { new Dense(4), new BatchNormalization() }, name: "base");
            frozen.Trainable = false;
            var fineTuneInputs = new Input(new long[] { 3 });
            var fineTuned = new Functional(fineTuneInputs, new Dense(1).Call(frozen.Call(fineTuneInputs, training: false)));
            fineTuned.Compile("adam", "mse");

            Console.WriteLine(string.Join(", ", results));
            Console.WriteLine(Backend.IsKerasTensor(new Input(new long[] { 4 })));
            """;
        var compilation = CSharpCompilation.Create("Clean", new[] { CSharpSyntaxTree.ParseText(program, path: "Program.cs") }, References,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var (diagnostics, exceptions) = await RunAllAsync(compilation);
        Assert.Empty(exceptions);
        Assert.Empty(diagnostics);
    }

    private static readonly string[] OddSources =
    {
        // incomplete code
        "class Broken { void M() { Keras.Config.SetFloatx( } ",
        "class Broken2 { void M() { var m = new Keras.Models.Sequential(; for (;;) { new Keras.Models.Sequential( } }",
        "class Broken3 { void M() { Keras.Config.SetBackend(\"torch\") var d = new Keras.Layers.Dense(",
        // top-level statements
        "using Keras.Models; for (int i = 0; i < 3; i++) { var m = new Sequential(); m.Summary(); } Keras.Config.SetMaxEpochs(2);",
        // local functions, lambdas, async, switch expressions, patterns, target-typed new
        """
        using System; using System.Threading.Tasks; using Keras.Layers; using Keras.Models;
        class Odd
        {
            async Task RunAsync()
            {
                Sequential Make() => new();
                Func<Sequential> f = () => new Sequential();
                for (int i = 0; i < 2; i++) { await Task.Yield(); var m = Make(); var n = f(); Sequential t = new(); t.Summary(); }
                var d = new Dense(3);
                Keras.Config.SetFloatx(i switch { _ => "float64" });
                d.Build(new long[] { -1, 2 });
                object o = d; if (o is Dense { Units: > 2 } big) Keras.Config.SetBackend("torch");
                _ = o switch { Dense x => x.Name, _ => "" };
                int i = 0;
            }
            static Sequential Prop => new Sequential();
            Sequential field = new Sequential();
            Odd() { var m = new Sequential(); Keras.Config.SetBackend("torch"); m.Summary(); }
            ~Odd() { while (true) { using var m = new Sequential(); break; } }
            void Goto() { var m = new Sequential(); start: Keras.Config.SetDtypePolicy("float64"); m.Summary(); goto start; }
            void Try() { var m = new Sequential(); try { Keras.Config.SetBackend("torch"); } finally { m.Summary(); } }
            void Unsafe() => Keras.Config.EnableUnsafeDeserialization();
            void Nulls() { Keras.Config.SetDtypePolicy((string)null!); Keras.Config.SetEpsilon(-0.0); Keras.Config.SetMaxStepsPerEpoch(int.MinValue); }
        }
        """,
        // a user type named like Keras' own
        "namespace MyApp { static class Config { public static void SetFloatx(string s) { } } class U { void M() => Config.SetFloatx(\"float8\"); } }",
        // generics, records, iterators
        """
        using System.Collections.Generic; using Keras.Models;
        record R(int X) { public IEnumerable<Sequential> Many() { for (int i = 0; i < X; i++) yield return new Sequential(); } }
        class G<T> where T : Keras.Layers.Layer, new() { void M() { for (int i = 0; i < 2; i++) { var t = new T(); } } }
        """,
    };

    [Fact]
    public async Task The_analyzers_never_throw_on_the_repositorys_own_sources_and_odd_syntax()
    {
        string root = KerasReferences.RepoRoot;
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") &&
                        !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .ToList();
        Assert.True(files.Count > 50, $"expected the repository's sources, found {files.Count}");
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), path: f))
            .Concat(OddSources.Select((s, i) => CSharpSyntaxTree.ParseText(s, new CSharpParseOptions(LanguageVersion.Latest), path: $"odd{i}.cs")))
            .ToList();
        var keras = ImmutableArray.Create<AdditionalText>(new Text("/odd/keras.json", "{\"floatx\": \"float16\", \"epsilon\": 1e-9, \"flaotx\": 1,"));
        foreach (var kind in new[] { OutputKind.DynamicallyLinkedLibrary, OutputKind.ConsoleApplication })
        {
            var compilation = CSharpCompilation.Create("Everything", trees, References, new CSharpCompilationOptions(kind));
            var (diagnostics, exceptions) = await RunAllAsync(compilation, keras);
            Assert.Empty(exceptions);
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
            Assert.Contains(diagnostics, d => d.Id == "KERAS002"); // the odd sources do exercise the rules
            Assert.Contains(diagnostics, d => d.Id == "KERAS004");
        }
    }

    private sealed class Text(string path, string content) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(content);
    }
}

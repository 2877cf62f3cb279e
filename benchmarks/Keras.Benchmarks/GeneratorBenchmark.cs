using System.Collections.Immutable;
using System.Diagnostics;
using System.Text;
using Keras.Analyzers;
using Keras.SourceGen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

/// <summary>
/// Cost of Keras.SourceGen and the Keras analyzers on a large compilation, side by side with the compiler's own work on
/// the same compilation: medians of several runs, reported as milliseconds and as a share of compile time.
/// </summary>
internal static class GeneratorBenchmark
{
    public static int Run(int files, int repeats)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Keras.", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Keras.Config).Assembly.Location))
            .ToList();
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = Enumerable.Range(0, files).Select(i => CSharpSyntaxTree.ParseText(SourceFile(i), parse, path: $"/bench/File{i}.cs")).ToList();
        var compilation = CSharpCompilation.Create("Bench", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var kerasJson = new Text("/bench/keras.json", "{\n    \"floatx\": \"float16\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}");
        var options = new Options();
        int lines = trees.Sum(t => t.GetText().Lines.Count);
        Console.WriteLine($"Compilation: {files} files, {lines:N0} lines, referencing Keras.Runtime; medians of {repeats} runs.");

        double compile = Median(repeats, () => compilation.Clone().GetDiagnostics());

        double generatorFirst = Median(repeats, () =>
            CSharpGeneratorDriver.Create(new[] { new KerasJsonGenerator().AsSourceGenerator() }, new[] { kerasJson }, parse, options)
                .RunGenerators(compilation.Clone()));

        var warm = CSharpGeneratorDriver.Create(new[] { new KerasJsonGenerator().AsSourceGenerator() }, new[] { kerasJson }, parse, options)
            .RunGenerators(compilation);
        int edit = 0;
        double generatorCsEdit = Median(repeats, () =>
        {
            var edited = compilation.ReplaceSyntaxTree(trees[0], CSharpSyntaxTree.ParseText(SourceFile(0) + $"\n// edit {edit++}", parse, path: "/bench/File0.cs"));
            warm = warm.RunGenerators(edited);
        });
        double generatorJsonEdit = Median(repeats, () =>
        {
            var changed = new Text("/bench/keras.json", "{\"floatx\": \"float32\", \"epsilon\": " + (edit++ + 1) + ".0}");
            warm = warm.ReplaceAdditionalTexts(ImmutableArray.Create<AdditionalText>(changed)).RunGenerators(compilation);
        });

        // Each analyzer's own execution time, as the compiler's analyzer driver measures it (what -p:ReportAnalyzer=true
        // prints). Run 0 is the warm-up; medians of the rest.
        var analyzerTypes = typeof(KerasJsonAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)).OrderBy(t => t.Name).ToList();
        var perAnalyzer = analyzerTypes.ToDictionary(t => t.Name, _ => new List<double>());
        var totals = new List<double>();
        int reported = 0;
        for (int i = 0; i <= repeats; i++)
        {
            var instances = analyzerTypes.Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!).ToImmutableArray();
            var withAnalyzers = compilation.Clone().WithAnalyzers(instances,
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray.Create<AdditionalText>(kerasJson), options),
                    onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true));
            reported = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult().Length;
            double total = 0;
            foreach (var instance in instances)
            {
                double ms = withAnalyzers.GetAnalyzerTelemetryInfoAsync(instance, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds;
                total += ms;
                if (i > 0) perAnalyzer[instance.GetType().Name].Add(ms);
            }
            if (i > 0) totals.Add(total);
        }
        totals.Sort();
        double analyzer = totals[totals.Count / 2];

        Console.WriteLine();
        Console.WriteLine($"  compiler (GetDiagnostics)                    {compile,9:0.0} ms   1.000x");
        Console.WriteLine($"  generator, first run                         {generatorFirst,9:0.00} ms   {generatorFirst / compile:0.000}x");
        Console.WriteLine($"  generator, after editing a .cs file          {generatorCsEdit,9:0.00} ms   {generatorCsEdit / compile:0.000}x");
        Console.WriteLine($"  generator, after editing keras.json          {generatorJsonEdit,9:0.00} ms   {generatorJsonEdit / compile:0.000}x");
        Console.WriteLine($"  all Keras analyzers (own execution time)     {analyzer,9:0.00} ms   {analyzer / compile:0.000}x   ({reported} diagnostics)");
        // The total's median over few runs follows one noisy run; the sum of the per-analyzer medians is steadier on a busy machine.
        double sumOfMedians = perAnalyzer.Values.Sum(t => t.OrderBy(v => v).ElementAt(t.Count / 2));
        Console.WriteLine($"  sum of the per-analyzer medians              {sumOfMedians,9:0.00} ms   {sumOfMedians / compile:0.000}x");
        foreach (var (name, times) in perAnalyzer.OrderByDescending(p => p.Value.Sum()))
        {
            times.Sort();
            Console.WriteLine($"    {name,-42} {times[times.Count / 2],9:0.00} ms");
        }
        return 0;
    }

    private static double Median(int repeats, Action action)
    {
        action(); // warm-up
        var times = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return times[times.Count / 2];
    }

    private static string SourceFile(int i)
    {
        var sb = new StringBuilder();
        sb.AppendLine("using System; using System.Collections.Generic; using System.Linq;");
        sb.AppendLine($"namespace Bench.N{i % 50} {{");
        sb.AppendLine($"public sealed class Type{i} {{");
        for (int m = 0; m < 10; m++)
        {
            sb.AppendLine($"  public int Method{m}(IEnumerable<int> xs) {{ var total = 0; foreach (var x in xs.Where(v => v % {m + 2} == 0)) total += x * {m}; return total; }}");
            sb.AppendLine($"  public string Describe{m}() => $\"{{nameof(Type{i})}}:{m}:{{Keras.Config.Floatx()}}\";");
        }
        if (i % 100 == 0) sb.AppendLine("  public void Configure() { Keras.Config.SetFloatx(\"float32\"); Keras.Config.SetEpsilon(1e-7); }");
        if (i % 10 == 0)
        {
            // Keras usage the code rules look at: models in loops, config after objects, SetBackend.
            sb.AppendLine("  public void Train() { for (int e = 0; e < 3; e++) { Keras.Utils.ClearSession(); var m = new Keras.Models.Sequential(); m.Add(new Keras.Layers.Dense(8)); m.Summary(); } }");
            sb.AppendLine("  public void Setup() { Keras.Config.SetBackend(\"torch\"); var d = new Keras.Layers.Dense(4); Keras.Config.SetEpsilon(1e-6); d.Build(new long[] { -1, 2 }); }");
            // What the second rule set looks at (KERAS103-106, 301, 302, 401): names, arguments, Compile/Fit/callbacks,
            // a frozen base called symbolically, Predict in loops.
            sb.AppendLine("  public void Fit(TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor y) { var m = new Keras.Models.Sequential(new Keras.Layers.Layer[] { " +
                          "new Keras.Layers.Dense(16, activation: \"relu\"), new Keras.Layers.Dropout(0.2), new Keras.Layers.Dense(10, activation: \"softmax\") }); " +
                          "m.Compile(\"adam\", \"categorical_crossentropy\", new[] { \"accuracy\" }); m.Fit(x, y, batchSize: 32, epochs: 2, validationSplit: 0.1, " +
                          "callbacks: new Keras.Callbacks.Callback[] { new Keras.Callbacks.EarlyStopping(monitor: \"val_accuracy\", mode: \"max\") }); " +
                          "for (int i = 0; i < 10; i += 5) { using var p = m.Predict(x.narrow(0, i, 5)); } }");
            sb.AppendLine("  public Keras.Models.Functional Tune(Keras.Models.Sequential b) { b.Trainable = false; var inp = new Keras.Input(new long[] { 4 }); " +
                          "return new Keras.Models.Functional(inp, new Keras.Layers.Dense(1).Call(b.Call(inp, training: false))); }");
        }
        sb.AppendLine("}}");
        return sb.ToString();
    }

    private sealed class Text(string path, string content) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(content, Encoding.UTF8);
    }

    private sealed class Options : AnalyzerConfigOptionsProvider
    {
        private static readonly DictionaryOptions Global = new(new Dictionary<string, string>
        {
            ["build_property.KerasBakeConfig"] = "true",
            ["build_property.MSBuildProjectDirectory"] = "/bench",
        });

        private static readonly DictionaryOptions Empty = new(new Dictionary<string, string>());

        public override AnalyzerConfigOptions GlobalOptions => Global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;

        private sealed class DictionaryOptions(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

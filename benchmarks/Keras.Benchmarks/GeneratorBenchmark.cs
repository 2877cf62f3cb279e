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
    public static int Run(int files, int repeats, bool driverBaseline = false)
    {
        // The compiler server (VBCSCompiler), which runs the analyzers of a real build, uses server GC: measure under it
        // too (set DOTNET_gcServer=0 to measure under workstation GC). Under workstation GC on a small machine the pauses
        // of the binding work are long, and the driver's per-callback clock charges every pause to the analyzers it stops.
        if (!System.Runtime.GCSettings.IsServerGC && Environment.GetEnvironmentVariable("DOTNET_gcServer") == null)
        {
            var self = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
            foreach (var a in Environment.GetCommandLineArgs().Skip(Environment.ProcessPath!.EndsWith("dotnet", StringComparison.Ordinal) ? 0 : 1)) self.ArgumentList.Add(a);
            self.Environment["DOTNET_gcServer"] = "1";
            using var child = Process.Start(self)!;
            child.WaitForExit();
            return child.ExitCode;
        }
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("Keras.", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .Append(MetadataReference.CreateFromFile(typeof(Keras.Config).Assembly.Location))
            .ToList();
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var kerasJson = new Text("/bench/keras.json", "{\n    \"floatx\": \"float16\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}");
        var options = new Options();

        // Two workloads over the same number of files. "mixed": one file in ten uses Keras' model APIs, the others only
        // read Keras.Config (a large application with a Keras corner). "Keras-heavy": every file builds, compiles, trains,
        // fine-tunes and saves models (a Keras project; the analyzers' worst realistic case). Both seed a few mistakes at
        // fixed rates, so the diagnostic counts printed per rule show that a faster analyzer still finds them all.
        var mixedTrees = Enumerable.Range(0, files).Select(i => CSharpSyntaxTree.ParseText(SourceFile(i), parse, path: $"/bench/File{i}.cs")).ToList();
        var mixed = CSharpCompilation.Create("Bench", mixedTrees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var heavy = CSharpCompilation.Create("BenchKeras",
            Enumerable.Range(0, files).Select(i => CSharpSyntaxTree.ParseText(KerasFile(i), parse, path: $"/bench/Keras{i}.cs")),
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

        Console.WriteLine($"{files} files per workload, referencing Keras.Runtime; {repeats} measured runs after one warm-up, medians; " +
                          $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC, {Environment.ProcessorCount} cores; " +
                          (Concurrent ? "concurrent build and analysis (KERAS_BENCH_SERIAL=1: one thread each)." : "serial: compiler and driver on one thread each."));
        Console.WriteLine("Compile = Compilation.GetDiagnostics() (binds and checks every body; no emit, so a real build's share is smaller).");
        Console.WriteLine("Own execution time = each analyzer's callbacks as the driver times them (what -p:ReportAnalyzer=true prints), in the same");
        Console.WriteLine("run, paired with a compile-only run (order alternated); per-run shares listed. 'Less GC pauses' is the same callbacks");
        Console.WriteLine("timed by a wrapper that leaves out the GC pauses falling inside them (almost all caused by the compiler's binding");
        Console.WriteLine("running beside them; the driver's clock charges each pause to every callback it stops). The driver's own work for operation");
        Console.WriteLine("analyzers (operation trees of every body, events) is shared with every operation analyzer of the build (the SDK's CA");
        Console.WriteLine("rules too) and not in the own time: 'driver' adds a run with one empty operation analyzer to show it.");
        var mixedCompile = MeasureAnalyzers($"mixed workload ({mixedTrees.Sum(t => t.GetText().Lines.Count):N0} lines, Keras model code in 1 file of 10)", mixed, repeats, kerasJson, options, driverBaseline);
        MeasureAnalyzers($"Keras-heavy workload ({heavy.SyntaxTrees.Sum(t => t.GetText().Lines.Count):N0} lines, Keras model code in every file)", heavy, repeats, kerasJson, options, driverBaseline);

        double compile = mixedCompile;
        double generatorFirst = Median(repeats, () =>
            CSharpGeneratorDriver.Create(new[] { new KerasJsonGenerator().AsSourceGenerator() }, new[] { kerasJson }, parse, options)
                .RunGenerators(mixed.Clone()));

        var warm = CSharpGeneratorDriver.Create(new[] { new KerasJsonGenerator().AsSourceGenerator() }, new[] { kerasJson }, parse, options)
            .RunGenerators(mixed);
        int edit = 0;
        double generatorCsEdit = Median(repeats, () =>
        {
            var edited = mixed.ReplaceSyntaxTree(mixedTrees[0], CSharpSyntaxTree.ParseText(SourceFile(0) + $"\n// edit {edit++}", parse, path: "/bench/File0.cs"));
            warm = warm.RunGenerators(edited);
        });
        double generatorJsonEdit = Median(repeats, () =>
        {
            var changed = new Text("/bench/keras.json", "{\"floatx\": \"float32\", \"epsilon\": " + (edit++ + 1) + ".0}");
            warm = warm.ReplaceAdditionalTexts(ImmutableArray.Create<AdditionalText>(changed)).RunGenerators(mixed);
        });
        Console.WriteLine();
        Console.WriteLine("Keras.SourceGen on the mixed workload:");
        Console.WriteLine($"  compiler (GetDiagnostics)                    {compile,9:0.0} ms   1.000x");
        Console.WriteLine($"  generator, first run                         {generatorFirst,9:0.00} ms   {generatorFirst / compile:0.000}x");
        Console.WriteLine($"  generator, after editing a .cs file          {generatorCsEdit,9:0.00} ms   {generatorCsEdit / compile:0.000}x");
        Console.WriteLine($"  generator, after editing keras.json          {generatorJsonEdit,9:0.00} ms   {generatorJsonEdit / compile:0.000}x");
        return 0;
    }

    /// <summary>Compile-only and compile-with-analyzers runs alternated; prints the shares; returns the compile median.</summary>
    private static double MeasureAnalyzers(string title, CSharpCompilation compilation, int repeats, AdditionalText kerasJson, AnalyzerConfigOptionsProvider options, bool driverBaseline)
    {
        // KERAS_BENCH_SERIAL=1: the compiler binds on one thread and the driver analyses on one thread, so that every clock
        // (compile wall time, each callback's time) counts the work of one thread and nothing waits for a core.
        if (!Concurrent) compilation = compilation.WithOptions(compilation.Options.WithConcurrentBuild(false));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var analyzerTypes = typeof(KerasJsonAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t)).OrderBy(t => t.Name).ToList();
        var perAnalyzer = analyzerTypes.ToDictionary(t => t.Name, _ => new List<double>());
        var own = new List<double>();
        var ownWithoutPauses = new List<double>();
        var sharesWithoutPauses = new List<double>();
        var perAnalyzerWithoutPauses = analyzerTypes.ToDictionary(t => t.Name, _ => new List<double>());
        var perAnalyzerCallbacks = analyzerTypes.ToDictionary(t => t.Name, _ => 0L);
        var perAnalyzerBytes = analyzerTypes.ToDictionary(t => t.Name, _ => new List<double>());
        var compileTimes = new List<double>();
        var withTimes = new List<double>();
        var shares = new List<double>();
        var byId = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var nullTimes = new List<double>();
        var gcPauses = new List<double>();
        var floorTimes = new List<double>();
        var nullShares = new List<double>();
        for (int i = 0; i <= repeats; i++) // run 0 is the warm-up
        {
            double compileOnly = 0, withAnalyzers = 0, withNull = 0, gcPause = 0;
            var timed = analyzerTypes.Select(t => new TimedAnalyzer((DiagnosticAnalyzer)Activator.CreateInstance(t)!)).ToList();
            var floor = new TimedAnalyzer(new EmptyOperationAnalyzer());
            var instances = timed.Cast<DiagnosticAnalyzer>().Append(floor).ToImmutableArray();
            CompilationWithAnalyzers? driver = null;
            ImmutableArray<Diagnostic> all = default;
            int parts = driverBaseline && i > 0 ? 3 : 2;
            for (int part = 0; part < parts; part++)
            {
                // Rotate which part runs first, so that a drift in machine load does not favour one side.
                switch ((part + i) % parts)
                {
                    case 0:
                        compileOnly = Time(() => compilation.Clone().GetDiagnostics());
                        break;
                    case 1:
                        var pause = GC.GetTotalPauseDuration();
                        withAnalyzers = Time(() =>
                        {
                            driver = compilation.Clone().WithAnalyzers(instances,
                                new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray.Create(kerasJson), options),
                                    onAnalyzerException: null, concurrentAnalysis: Concurrent, logAnalyzerExecutionTime: true));
                            all = driver.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
                        });
                        gcPause = (GC.GetTotalPauseDuration() - pause).TotalMilliseconds;
                        break;
                    default:
                        withNull = Time(() => compilation.Clone().WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new EmptyOperationAnalyzer()),
                                new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray.Create(kerasJson), options),
                                    onAnalyzerException: null, concurrentAnalysis: Concurrent, logAnalyzerExecutionTime: true))
                            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult());
                        break;
                }
            }
            double total = 0, totalWithoutPauses = 0;
            foreach (var instance in timed)
            {
                double ms = driver!.GetAnalyzerTelemetryInfoAsync(instance, CancellationToken.None).GetAwaiter().GetResult().ExecutionTime.TotalMilliseconds;
                total += ms;
                totalWithoutPauses += instance.Milliseconds;
                if (i > 0) perAnalyzer[instance.Name].Add(ms);
                if (i > 0) perAnalyzerWithoutPauses[instance.Name].Add(instance.Milliseconds);
                if (i > 0) perAnalyzerBytes[instance.Name].Add(instance.AllocatedBytes / 1024.0);
                perAnalyzerCallbacks[instance.Name] = instance.Callbacks;
            }
            if (i == 0)
                foreach (var d in all.Where(d => d.Id.StartsWith("KERAS", StringComparison.Ordinal)))
                    byId[d.Id] = byId.TryGetValue(d.Id, out int n) ? n + 1 : 1;
            if (i == 0) continue;
            floorTimes.Add(floor.Milliseconds);
            own.Add(total);
            shares.Add(total / compileOnly);
            ownWithoutPauses.Add(totalWithoutPauses);
            sharesWithoutPauses.Add(totalWithoutPauses / compileOnly);
            compileTimes.Add(compileOnly);
            withTimes.Add(withAnalyzers);
            gcPauses.Add(gcPause);
            if (driverBaseline)
            {
                nullTimes.Add(withNull);
                nullShares.Add((withAnalyzers - withNull) / compileOnly);
            }
        }
        double compile = MedianOf(compileTimes);
        Console.WriteLine();
        Console.WriteLine(title + ":");
        Console.WriteLine($"  compiler errors: {errors.Count}" + (errors.Count > 0 ? " (" + string.Join("; ", errors.Take(3).Select(e => e.ToString())) + ")" : ""));
        Console.WriteLine($"  Keras diagnostics: {(byId.Count == 0 ? "none" : string.Join(", ", byId.Select(p => $"{p.Key} x{p.Value}")))}");
        Console.WriteLine($"  compile only (GetDiagnostics)                {compile,9:0.0} ms   1.000x   runs: {Runs(compileTimes, "0")}");
        Console.WriteLine($"  all Keras analyzers, own time (driver clock) {MedianOf(own),9:0.0} ms   {MedianOf(own) / compile:0.000}x   runs: {Runs(shares.Select(s => s * 100).ToList(), "0.0")} %");
        Console.WriteLine($"  all Keras analyzers, own time less GC pauses {MedianOf(ownWithoutPauses),9:0.0} ms   {MedianOf(ownWithoutPauses) / compile:0.000}x   runs: {Runs(sharesWithoutPauses.Select(s => s * 100).ToList(), "0.0")} %");
        Console.WriteLine($"  (an empty analyzer on every invocation and creation, same clock: {MedianOf(floorTimes):0.0} ms: the floor of one such rule)");
        Console.WriteLine($"  analyzer driver run with the Keras analyzers {MedianOf(withTimes),9:0.0} ms   {MedianOf(withTimes) / compile:0.000}x   runs: {Runs(withTimes, "0")}");
        Console.WriteLine($"  GC pauses during that run                    {MedianOf(gcPauses),9:0.0} ms            (the driver's per-callback clock charges a pause to the analyzer it interrupts)");
        if (driverBaseline)
        {
            Console.WriteLine($"  analyzer driver run with one empty operation analyzer {MedianOf(nullTimes),9:0.0} ms   {MedianOf(nullTimes) / compile:0.000}x   runs: {Runs(nullTimes, "0")}");
            Console.WriteLine($"  Keras analyzers beyond the empty one (paired, wall clock) {MedianOf(nullShares) * 100:0.0} % of compile   runs: {Runs(nullShares.Select(s => s * 100).ToList(), "0.0")} %");
        }
        Console.WriteLine($"    {"analyzer (medians)",-42} {"driver clock",12} {"less GC pauses",15} {"callbacks",10} {"allocated",10}");
        foreach (var (name, times) in perAnalyzerWithoutPauses.OrderByDescending(p => MedianOf(p.Value)))
            Console.WriteLine($"    {name,-42} {MedianOf(perAnalyzer[name]),9:0.00} ms {MedianOf(times),12:0.00} ms {perAnalyzerCallbacks[name],10:N0} {MedianOf(perAnalyzerBytes[name]),7:N0} KB");
        return compile;
    }

    private static readonly bool Concurrent = Environment.GetEnvironmentVariable("KERAS_BENCH_SERIAL") != "1";

    private static string Runs(List<double> values, string format) => string.Join(", ", values.Select(v => v.ToString(format)));

    private static double Time(Action action)
    {
        var sw = Stopwatch.StartNew();
        action();
        return sw.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// The analyzer driver's fixed cost for operation-based analysis (operation trees of every body, events), which any
    /// operation analyzer in the build pays once, shared with every other (the SDK's CA analyzers included).
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class EmptyOperationAnalyzer : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Rule = new("BENCH001", "empty", "empty", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterOperationAction(_ => { }, OperationKind.Invocation, OperationKind.ObjectCreation);
        }
    }

    private static double MedianOf(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count == 0 ? 0 : sorted[sorted.Count / 2];
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
            sb.AppendLine("  public Keras.Models.Functional Tune(Keras.Models.Sequential b) { b.Trainable = false; var inp = new Keras.Layers.Input(new long[] { 4 }); " +
                          "return new Keras.Models.Functional(inp, new Keras.Layers.Dense(1).Call(b.Call(inp, training: false))); }");
        }
        sb.AppendLine("}}");
        return sb.ToString();
    }

    /// <summary>
    /// A file of a Keras project: ordinary C# next to model building (Conv2D/Dense/Dropout/LSTM with named activations
    /// and paddings), Compile with names, Fit with validation and callbacks, batched Predict, Save, and fine-tuning a
    /// frozen base. Mistakes at fixed rates (per 100 files): an activation typo (KERAS301), Dropout(1.5) (KERAS302),
    /// Keras 2's val_acc (KERAS104), a model fitted without Compile (KERAS105), a frozen base called without training:
    /// false (KERAS106), SetFloatx after a layer (KERAS010), SetBackend between a layer and its use (KERAS002).
    /// </summary>
    private static string KerasFile(int i)
    {
        int r = i % 100;
        var sb = new StringBuilder();
        sb.AppendLine("using System; using System.Collections.Generic; using System.Linq;");
        sb.AppendLine("using Keras; using Keras.Layers; using Keras.Models; using Keras.Callbacks; using TorchSharp;");
        sb.AppendLine($"namespace App.N{i % 50} {{");
        sb.AppendLine($"public sealed class Experiment{i} {{");
        sb.AppendLine($"  private readonly int _seed = {i};");
        for (int m = 0; m < 4; m++)
        {
            sb.AppendLine($"  public int Score{m}(IEnumerable<int> xs) {{ var total = _seed; foreach (var x in xs.Where(v => v % {m + 2} == 0)) total += x * {m}; return total; }}");
            sb.AppendLine($"  public string Describe{m}(string run) => $\"{{nameof(Experiment{i})}}:{m}:{{run}}:{{Keras.Config.Floatx()}}\";");
        }
        sb.AppendLine("  public Sequential Build(int classes) {");
        sb.AppendLine("    var model = new Sequential(new Layer[] {");
        sb.AppendLine($"      new Conv2D(32, 3, padding: \"same\", activation: \"{(r == 1 ? "rleu" : "relu")}\"),");
        sb.AppendLine("      new MaxPooling2D(2),");
        sb.AppendLine("      new Conv2D(64, 3, padding: \"same\", activation: \"relu\"),");
        sb.AppendLine("      new Flatten(),");
        sb.AppendLine("      new Dense(128, activation: \"relu\"),");
        sb.AppendLine($"      new Dropout({(r == 2 ? "1.5" : "0.5")}),");
        sb.AppendLine("      new Dense(classes, activation: \"softmax\") });");
        sb.AppendLine("    model.Compile(\"adam\", \"sparse_categorical_crossentropy\", new[] { \"accuracy\" });");
        sb.AppendLine("    return model;");
        sb.AppendLine("  }");
        sb.AppendLine("  public History Train(torch.Tensor x, torch.Tensor y, string dir) {");
        sb.AppendLine("    var model = new Sequential(new Layer[] { new Dense(64, activation: \"relu\"), new Dropout(0.2), new Dense(10, activation: \"softmax\") });");
        if (r != 4) sb.AppendLine("    model.Compile(\"adam\", \"sparse_categorical_crossentropy\", new[] { \"accuracy\" });");
        sb.AppendLine($"    var stop = new EarlyStopping(monitor: \"{(r == 3 ? "val_acc" : "val_accuracy")}\", patience: 3, mode: \"max\");");
        sb.AppendLine($"    var best = new ModelCheckpoint(System.IO.Path.Combine(dir, \"best{i}.keras\"), saveBestOnly: true);");
        sb.AppendLine("    var history = model.Fit(x, y, batchSize: 64, epochs: 10, validationSplit: 0.1, callbacks: new Callback[] { stop, best });");
        sb.AppendLine($"    model.Save(System.IO.Path.Combine(dir, \"model{i}.keras\"));");
        sb.AppendLine("    return history;");
        sb.AppendLine("  }");
        sb.AppendLine("  public float[] Scores(Model model, torch.Tensor x) {");
        sb.AppendLine("    var all = new List<float>();");
        sb.AppendLine("    for (int start = 0; start < x.shape[0]; start += 256) { using var p = model.Predict(x.narrow(0, start, 256), batchSize: 128); all.AddRange(p.data<float>().ToArray()); }");
        sb.AppendLine("    return all.ToArray();");
        sb.AppendLine("  }");
        sb.AppendLine("  public Functional FineTune(Model baseModel) {");
        sb.AppendLine("    baseModel.Trainable = false;");
        sb.AppendLine("    var inputs = new Input(new long[] { 28, 28, 1 });");
        sb.AppendLine($"    var features = {(r == 5 ? "baseModel.Call(inputs)" : "baseModel.Call(inputs, training: false)")};");
        sb.AppendLine("    var outputs = new Dense(10, activation: \"softmax\").Call(new GlobalAveragePooling2D().Call(features));");
        sb.AppendLine("    var model = new Functional(inputs, outputs);");
        sb.AppendLine("    model.Compile(\"adam\", \"categorical_crossentropy\", new[] { \"accuracy\" });");
        sb.AppendLine("    return model;");
        sb.AppendLine("  }");
        if (i % 4 == 0)
        {
            sb.AppendLine("  public Sequential Text(int vocabulary) {");
            sb.AppendLine("    var model = new Sequential();");
            sb.AppendLine("    model.Add(new Embedding(vocabulary, 64));");
            sb.AppendLine("    model.Add(new LSTM(64));");
            sb.AppendLine("    model.Add(new Dense(1, activation: \"sigmoid\"));");
            sb.AppendLine("    model.Compile(\"rmsprop\", \"binary_crossentropy\", new[] { \"accuracy\" });");
            sb.AppendLine("    return model;");
            sb.AppendLine("  }");
        }
        if (r == 6) sb.AppendLine("  public void Configure() { var d = new Dense(4); Keras.Config.SetFloatx(\"float32\"); d.Build(new long[] { -1, 2 }); }");
        if (r == 7) sb.AppendLine("  public void Switch() { var d = new Dense(4); Keras.Config.SetBackend(\"torch\"); d.Build(new long[] { -1, 2 }); }");
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

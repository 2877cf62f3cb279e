using System.Collections.Immutable;
using System.Reflection;
using System.Text;
using Keras.Analyzers;
using Keras.SourceGen;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace Keras.SourceGen.Tests;

/// <summary>An in-memory additional file; null content means "cannot be read" (a missing file).</summary>
public sealed class InMemoryAdditionalText(string path, string? content, bool withBom = false) : AdditionalText
{
    public override string Path { get; } = path;

    public override SourceText? GetText(CancellationToken cancellationToken = default)
    {
        if (content == null) return null;
        if (!withBom) return SourceText.From(content, Encoding.UTF8);
        var bytes = new UTF8Encoding(true).GetPreamble().Concat(Encoding.UTF8.GetBytes(content)).ToArray();
        using var stream = new MemoryStream(bytes);
        return SourceText.From(stream);
    }
}

/// <summary>build_property.* and per-file build_metadata.* as MSBuild would pass them.</summary>
public sealed class TestOptionsProvider(IDictionary<string, string> global, IDictionary<string, IDictionary<string, string>>? perFile = null)
    : AnalyzerConfigOptionsProvider
{
    public override AnalyzerConfigOptions GlobalOptions { get; } = new DictionaryOptions(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new DictionaryOptions(new Dictionary<string, string>());

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        new DictionaryOptions(perFile != null && perFile.TryGetValue(textFile.Path, out var o) ? o : new Dictionary<string, string>());

    private sealed class DictionaryOptions(IDictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, out string value)
        {
            if (values.TryGetValue(key, out var v))
            {
                value = v;
                return true;
            }
            value = null!;
            return false;
        }
    }
}

public static class Harness
{
    public const string ProjectDir = "/src/App";

    /// <summary>The .NET reference assemblies of this process plus the real Keras.Runtime.</summary>
    public static readonly ImmutableArray<MetadataReference> References =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
        .Where(p => !p.Contains("Keras.", StringComparison.Ordinal))
        .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
        .Append(MetadataReference.CreateFromFile(typeof(Keras.Config).Assembly.Location))
        .ToImmutableArray();

    public static readonly CSharpParseOptions Parse = new(LanguageVersion.Latest);

    public static CSharpCompilation Compilation(params string[] sources) => Compilation(References, sources);

    public static CSharpCompilation Compilation(IEnumerable<MetadataReference> references, params string[] sources) =>
        CSharpCompilation.Create("App",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, Parse, path: $"{ProjectDir}/File{i}.cs")),
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static TestOptionsProvider Options(bool? bake = true, string? configFile = null, params string[] markedKerasConfig)
    {
        var global = new Dictionary<string, string> { ["build_property.MSBuildProjectDirectory"] = ProjectDir };
        if (bake != null) global["build_property.KerasBakeConfig"] = bake.Value ? "true" : "false";
        if (configFile != null) global["build_property.KerasConfigFileFullPath"] = configFile;
        var perFile = markedKerasConfig.ToDictionary(p => p, _ => (IDictionary<string, string>)new Dictionary<string, string>
        {
            ["build_metadata.AdditionalFiles.KerasConfig"] = "true",
        });
        return new TestOptionsProvider(global, perFile);
    }

    public static AdditionalText KerasJson(string content, string path = ProjectDir + "/keras.json", bool withBom = false) =>
        new InMemoryAdditionalText(path, content, withBom);

    public static GeneratorDriver Driver(IEnumerable<AdditionalText> files, AnalyzerConfigOptionsProvider options) =>
        CSharpGeneratorDriver.Create(
            new[] { new KerasJsonGenerator().AsSourceGenerator() },
            files,
            Parse,
            options,
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator; returns the generated source (or null) and the compiled result's errors.</summary>
    public static (string? Source, ImmutableArray<Diagnostic> Errors, GeneratorDriverRunResult Run) Generate(
        IEnumerable<AdditionalText> files, AnalyzerConfigOptionsProvider options, CSharpCompilation? compilation = null)
    {
        compilation ??= Compilation("class Placeholder { }");
        var driver = Driver(files, options).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        Assert.Empty(generatorDiagnostics);
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        string? source = run.Results.SelectMany(r => r.GeneratedSources).Select(s => s.SourceText.ToString()).SingleOrDefault();
        return (source, errors, run);
    }

    /// <summary>Runs the keras.json analyzers (KerasJsonAnalyzer and KERAS001's); fails the test on any analyzer exception (AD0001).</summary>
    public static ImmutableArray<Diagnostic> Analyze(IEnumerable<AdditionalText> files, AnalyzerConfigOptionsProvider options, CSharpCompilation? compilation = null)
    {
        compilation ??= Compilation("class Placeholder { }");
        var exceptions = new List<Exception>();
        var withAnalyzers = compilation.WithAnalyzers(
            ImmutableArray.Create<DiagnosticAnalyzer>(new KerasJsonAnalyzer(), new Float16WithoutMixedPrecisionAnalyzer()),
            new CompilationWithAnalyzersOptions(
                new AnalyzerOptions(files.ToImmutableArray(), options),
                onAnalyzerException: (e, _, _) => { lock (exceptions) exceptions.Add(e); },
                concurrentAnalysis: true,
                logAnalyzerExecutionTime: false));
        var diagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        Assert.Empty(exceptions);
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        return diagnostics.OrderBy(d => d.Location.GetLineSpan().StartLinePosition.Line).ThenBy(d => d.Id).ToImmutableArray();
    }

    public static string RepoRoot => typeof(Harness).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
}

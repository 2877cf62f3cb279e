using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace Keras.Analyzers.Tests;

/// <summary>Microsoft.CodeAnalysis.Testing verifiers compiling against the real Keras.Runtime assembly.</summary>
public static class Verifier<TAnalyzer, TCodeFix>
    where TAnalyzer : DiagnosticAnalyzer, new()
    where TCodeFix : CodeFixProvider, new()
{
    public sealed class Test : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
    {
        public Test(bool testProject = false)
        {
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
            TestState.AdditionalReferences.AddRange(KerasReferences.All);
            TestState.OutputKind = OutputKind.ConsoleApplication;
            FixedState.OutputKind = OutputKind.ConsoleApplication;
            TestState.AnalyzerConfigFiles.Add(("/.globalconfig", "is_global = true\nbuild_property.IsTestProject = " + (testProject ? "true" : "false") + "\n"));
        }
    }

    /// <summary>Checks the diagnostics marked in <paramref name="source"/> ({|KERASnnn:...|}) and nothing else.</summary>
    public static Task AnalyzeAsync(string source, bool testProject = false)
    {
        var test = new Test(testProject) { TestCode = source };
        return test.RunAsync();
    }

    /// <summary>Checks the diagnostics, then the fix (and Fix All in document, project and solution scope).</summary>
    public static Task FixAsync(string source, string fixedSource, string? equivalenceKey = null, string? batchFixedSource = null)
    {
        var test = new Test { TestCode = source, FixedCode = fixedSource, CodeActionEquivalenceKey = equivalenceKey };
        if (batchFixedSource != null) test.BatchFixedCode = batchFixedSource;
        return test.RunAsync();
    }
}

public static class KerasReferences
{
    /// <summary>Keras.Runtime and the assemblies its public API exposes (TorchSharp, logging abstractions).</summary>
    public static readonly MetadataReference[] All =
    {
        MetadataReference.CreateFromFile(typeof(Keras.Config).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
    };

    public static string RepoRoot =>
        typeof(KerasReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepoRoot").Value!;
}

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Keras.Analyzers.Tests;

/// <summary>Every rule has a page, a release-tracking entry, a stable ID; severities come from .editorconfig.</summary>
public class RuleCatalogTests
{
    public static ImmutableArray<DiagnosticAnalyzer> AllAnalyzers { get; } = typeof(KerasJsonAnalyzer).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    public static ImmutableArray<CodeFixProvider> AllCodeFixes { get; } = typeof(Keras.Analyzers.CodeFixes.KerasCodeFix).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    private static IEnumerable<DiagnosticDescriptor> Descriptors =>
        AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).GroupBy(d => d.Id).Select(g => g.First());

    [Fact]
    public void The_rule_ids_are_the_fixed_ones()
    {
        Assert.Equal(
            new[] { "KERAS001", "KERAS002", "KERAS003", "KERAS004", "KERAS005", "KERAS006", "KERAS007", "KERAS008", "KERAS009", "KERAS010", "KERAS101", "KERAS102", "KERAS103", "KERAS104", "KERAS105", "KERAS106", "KERAS201", "KERAS301", "KERAS302", "KERAS401" },
            Descriptors.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
    }

    [Fact]
    public void Every_rule_has_a_documentation_page_behind_its_help_link()
    {
        foreach (var d in Descriptors)
        {
            Assert.Equal($"https://github.com/KerasTooling/KerasTooling/blob/main/docs/rules/{d.Id}.md", d.HelpLinkUri);
            string page = Path.Combine(KerasReferences.RepoRoot, "docs", "rules", d.Id + ".md");
            Assert.True(File.Exists(page), $"{d.Id} has no page at {page}");
            string text = File.ReadAllText(page);
            Assert.StartsWith($"# {d.Id}: ", text);
            Assert.Contains("suppress", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Every_rule_is_in_the_release_tracking_file_with_its_category_and_severity()
    {
        string unshipped = File.ReadAllText(Path.Combine(KerasReferences.RepoRoot, "src", "Keras.Analyzers", "AnalyzerReleases.Unshipped.md"));
        foreach (var d in Descriptors)
            Assert.Contains($"{d.Id} | {d.Category} | {d.DefaultSeverity} |", unshipped);
    }

    [Fact]
    public void Fixes_exist_for_the_rules_that_have_one_and_none_for_KERAS009_105_401()
    {
        var fixable = AllCodeFixes.SelectMany(f => f.FixableDiagnosticIds).ToHashSet();
        Assert.Equal(new[] { "KERAS001", "KERAS002", "KERAS003", "KERAS008", "KERAS010", "KERAS101", "KERAS102", "KERAS103", "KERAS104", "KERAS106", "KERAS201", "KERAS301", "KERAS302" }, fixable.OrderBy(x => x, StringComparer.Ordinal));
        Assert.All(AllCodeFixes, f => Assert.NotNull(f.GetFixAllProvider()));
    }

    [Fact]
    public async Task Severities_are_configurable_from_editorconfig()
    {
        var test = new Verifier<InvalidConfigArgumentAnalyzer, Keras.Analyzers.CodeFixes.InvalidConfigArgumentCodeFix>.Test
        {
            TestCode = Keras003InvalidConfigArgumentTests.Program("Keras.Config.SetFloatx(\"float8\");"),
        };
        test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.KERAS003.severity = none\n"));
        await test.RunAsync();

        var warning = new Verifier<InvalidConfigArgumentAnalyzer, Keras.Analyzers.CodeFixes.InvalidConfigArgumentCodeFix>.Test
        {
            TestCode = Keras003InvalidConfigArgumentTests.Program("Keras.Config.SetFloatx({|#0:\"float8\"|});"),
            ExpectedDiagnostics = { new Microsoft.CodeAnalysis.Testing.DiagnosticResult("KERAS003", DiagnosticSeverity.Warning).WithLocation(0) },
        };
        warning.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.KERAS003.severity = warning\n"));
        await warning.RunAsync();
    }
}

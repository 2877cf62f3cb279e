using Microsoft.CodeAnalysis;
using Xunit;
using static Keras.SourceGen.Tests.Harness;

namespace Keras.SourceGen.Tests;

/// <summary>KERAS001/004/005/006/007 on keras.json, each at its exact place in the file.</summary>
public class KerasJsonDiagnosticsTests
{
    /// <summary>(id, severity, 1-based line, 1-based column, text under the span).</summary>
    private static List<(string Id, DiagnosticSeverity Severity, int Line, int Column, string Span, string Message)> Run(
        string keras, string? code = null, bool withBom = false)
    {
        var file = KerasJson(keras, withBom: withBom);
        var diagnostics = Analyze(new[] { file }, Options(), code == null ? null : Compilation(code));
        var text = file.GetText()!;
        return diagnostics.Select(d =>
        {
            var span = d.Location.GetLineSpan();
            Assert.Equal(file.Path, span.Path);
            return (d.Id, d.Severity, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1,
                text.ToString(d.Location.SourceSpan), d.GetMessage());
        }).ToList();
    }

    [Fact]
    public void A_valid_file_has_no_diagnostics()
    {
        Assert.Empty(Run("{\n    \"floatx\": \"float32\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}"));
    }

    [Fact]
    public void Malformed_json_is_KERAS004_at_the_offending_character()
    {
        var d = Assert.Single(Run("{\n    \"floatx\": \"float32\",\n    \"epsilon\": 1e-07\n    \"backend\": \"torch\"\n}"));
        Assert.Equal(("KERAS004", DiagnosticSeverity.Error, 4, 5), (d.Id, d.Severity, d.Line, d.Column));
        Assert.Contains("keras.json is not valid JSON", d.Message);
        Assert.Contains("comma", d.Message);
    }

    [Fact]
    public void A_non_object_root_is_KERAS004()
    {
        var d = Assert.Single(Run("[\"float32\"]"));
        Assert.Equal(("KERAS004", 1, 1, "[\"float32\"]"), (d.Id, d.Line, d.Column, d.Span));
        Assert.Contains("holds a list", d.Message);
    }

    [Fact]
    public void An_invalid_floatx_is_KERAS004_on_the_value_with_did_you_mean()
    {
        var d = Assert.Single(Run("{\n  \"floatx\": \"flaot32\"\n}"));
        Assert.Equal(("KERAS004", 2, 13, "\"flaot32\""), (d.Id, d.Line, d.Column, d.Span));
        Assert.Contains("Invalid `floatx` configuration. Expected one of {'float16', 'float32', 'float64'}. Received: floatx=flaot32.", d.Message);
        Assert.Contains("Did you mean \"float32\"?", d.Message);
    }

    [Fact]
    public void Bfloat16_floatx_is_KERAS004_as_kerass_import_check_rejects_it()
    {
        var d = Assert.Single(Run("{\"floatx\": \"bfloat16\"}"));
        Assert.Equal(("KERAS004", "\"bfloat16\""), (d.Id, d.Span));
        Assert.Contains("does not accept bfloat16", d.Message);
    }

    [Theory]
    [InlineData("1", "Expected a float. Received: epsilon=1.", "1.0")]
    [InlineData("\"1e-7\"", "Expected a float. Received: epsilon=1e-7.", null)]
    [InlineData("NaN", "positive, finite", null)]
    [InlineData("-1e-07", "positive, finite", null)]
    [InlineData("0.0", "positive, finite", null)]
    public void A_bad_epsilon_is_KERAS004_on_the_value(string value, string fragment, string? hint)
    {
        var d = Assert.Single(Run("{\"epsilon\": " + value + "}"));
        Assert.Equal(("KERAS004", 1, 13, value), (d.Id, d.Line, d.Column, d.Span));
        Assert.Contains(fragment, d.Message);
        if (hint != null) Assert.Contains(hint, d.Message);
    }

    [Theory]
    [InlineData("\"Channels_Last\"", "Did you mean \"channels_last\"?")]
    [InlineData("\"NHWC\"", "Received: image_data_format=NHWC")]
    [InlineData("3", "Received: image_data_format=3")]
    public void A_bad_image_data_format_is_KERAS004(string value, string fragment)
    {
        var d = Assert.Single(Run("{\"image_data_format\": " + value + "}"));
        Assert.Equal(("KERAS004", value), (d.Id, d.Span));
        Assert.Contains(fragment, d.Message);
    }

    [Theory]
    [InlineData("tensorflow")]
    [InlineData("jax")]
    [InlineData("numpy")]
    [InlineData("openvino")]
    public void A_keras_backend_this_runtime_cannot_run_is_KERAS004_saying_what_to_use(string backend)
    {
        var d = Assert.Single(Run("{\"backend\": \"" + backend + "\"}"));
        Assert.Equal("KERAS004", d.Id);
        Assert.Contains("KerasTooling cannot run", d.Message);
        Assert.Contains("Use \"backend\": \"torch\".", d.Message);
    }

    [Fact]
    public void An_unknown_backend_is_KERAS004_with_did_you_mean()
    {
        var d = Assert.Single(Run("{\"backend\": \"pytorch\"}"));
        Assert.Contains("Unable to import backend : pytorch", d.Message);
        Assert.Contains("Did you mean \"torch\"?", d.Message);
    }

    [Fact]
    public void An_unknown_key_is_KERAS005_on_the_key_with_did_you_mean()
    {
        var d = Assert.Single(Run("{\n  \"flaotx\": \"float32\"\n}"));
        Assert.Equal(("KERAS005", DiagnosticSeverity.Warning, 2, 3, "\"flaotx\""), (d.Id, d.Severity, d.Line, d.Column, d.Span));
        Assert.Contains("Unknown key \"flaotx\": Keras ignores it. Did you mean \"floatx\"?", d.Message);
    }

    [Fact]
    public void A_far_unknown_key_is_KERAS005_without_a_suggestion()
    {
        var d = Assert.Single(Run("{\"my_team_note\": \"hello\"}"));
        Assert.Equal("KERAS005", d.Id);
        Assert.DoesNotContain("Did you mean", d.Message);
    }

    [Fact]
    public void A_duplicate_key_is_KERAS005_on_the_repeated_key()
    {
        var d = Assert.Single(Run("{\"floatx\": \"float16\",\n \"floatx\": \"float32\"}"));
        Assert.Equal(("KERAS005", 2, 2), (d.Id, d.Line, d.Column));
        Assert.Contains("Duplicate key \"floatx\"", d.Message);
    }

    [Fact]
    public void Tens_of_thousands_of_unknown_and_duplicate_keys_give_twenty_warnings_and_one_summary()
    {
        var keys = string.Join(",\n", Enumerable.Range(0, 40_000).Select(i => $"\"k{i % 30_000}\": {i}"));
        var diagnostics = Run("{" + keys + "}");
        Assert.Equal(21, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal("KERAS005", d.Id));
        Assert.Contains("... and 49980 more unknown or duplicate keys", diagnostics[^1].Message);
    }

    [Fact]
    public void A_keras_json_larger_than_one_MiB_is_one_KERAS004_and_is_not_parsed()
    {
        var d = Assert.Single(Run("{\"floatx\": [" + string.Join(",", Enumerable.Repeat("1", 600_000)) + "]}"));
        Assert.Equal("KERAS004", d.Id);
        Assert.Contains("was not read", d.Message);
    }

    [Theory]
    [InlineData("th", "channels_first")]
    [InlineData("tf", "channels_last")]
    public void The_legacy_image_dim_ordering_key_is_KERAS005_naming_the_modern_equivalent(string ordering, string modern)
    {
        var d = Assert.Single(Run("{\"image_dim_ordering\": \"" + ordering + "\"}"));
        Assert.Equal(("KERAS005", "\"image_dim_ordering\""), (d.Id, d.Span));
        Assert.Contains("use \"image_data_format\"", d.Message);
        Assert.Contains($"Here: \"image_data_format\": \"{modern}\".", d.Message);
    }

    [Fact]
    public void Epsilon_that_underflows_in_float16_is_KERAS007()
    {
        var diagnostics = Run("{\"floatx\": \"float16\", \"epsilon\": 1e-08}", code: "class C { void M() => Keras.Config.SetDtypePolicy(\"mixed_float16\"); }");
        var d = Assert.Single(diagnostics);
        Assert.Equal(("KERAS007", DiagnosticSeverity.Warning, "1e-08"), (d.Id, d.Severity, d.Span));
        Assert.Contains("rounds to 0 in float16", d.Message);
        Assert.Empty(Run("{\"floatx\": \"float32\", \"epsilon\": 1e-08}"));
    }

    [Fact]
    public void Float16_floatx_without_a_mixed_policy_in_code_is_KERAS001_on_the_floatx_value()
    {
        var d = Assert.Single(Run("{\n  \"floatx\": \"float16\"\n}", code: "class C { void M() => Keras.Config.SetFloatx(\"float32\"); }"));
        Assert.Equal(("KERAS001", DiagnosticSeverity.Warning, 2, 13, "\"float16\""), (d.Id, d.Severity, d.Line, d.Column, d.Span));
        Assert.Contains("mixed_float16", d.Message);
    }

    [Theory]
    [InlineData("Keras.Config.SetDtypePolicy(\"mixed_float16\");")]
    [InlineData("Keras.Config.SetDtypePolicy(\"mixed_bfloat16\");")]
    [InlineData("Keras.Config.SetDtypePolicy(new Keras.DTypePolicy(\"mixed_float16\"));")]
    [InlineData("Keras.Config.SetDtypePolicy(System.Environment.GetEnvironmentVariable(\"POLICY\")!);")]
    public void Float16_floatx_with_a_mixed_policy_selected_in_code_is_fine(string statement)
    {
        Assert.Empty(Run("{\"floatx\": \"float16\"}", code: "class C { void M() { " + statement + " } }"));
    }

    [Fact]
    public void A_users_own_Config_type_is_not_mistaken_for_kerass()
    {
        const string code = """
            namespace MyApp { static class Config { public static void SetDtypePolicy(string p) { } } }
            class C { void M() => MyApp.Config.SetDtypePolicy("mixed_float16"); }
            """;
        Assert.Equal("KERAS001", Assert.Single(Run("{\"floatx\": \"float16\"}", code)).Id);
    }

    [Fact]
    public void Float16_policy_that_is_not_mixed_still_reports_KERAS001()
    {
        Assert.Equal("KERAS001", Assert.Single(Run("{\"floatx\": \"float16\"}", "class C { void M() => Keras.Config.SetDtypePolicy(\"float16\"); }")).Id);
    }

    [Fact]
    public void Positions_are_exact_with_a_BOM_and_CRLF_line_endings()
    {
        var d = Assert.Single(Run("{\r\n    \"epsilon\": 1e-07,\r\n    \"floatx\": \"float33\"\r\n}\r\n", withBom: true));
        Assert.Equal(("KERAS004", 3, 15, "\"float33\""), (d.Id, d.Line, d.Column, d.Span));
    }

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var all = Run("{\n  \"floatx\": \"float33\",\n  \"epsilon\": 1,\n  \"image_dim_ordering\": \"th\"\n}");
        Assert.Equal(new[] { ("KERAS004", 2), ("KERAS004", 3), ("KERAS005", 4) }, all.Select(d => (d.Id, d.Line)));
    }

    [Fact]
    public void Two_keras_json_files_are_KERAS006_on_each()
    {
        var files = new[] { KerasJson("{}"), KerasJson("{}", ProjectDir + "/config/keras.json") };
        var diagnostics = Analyze(files, Options());
        Assert.Equal(2, diagnostics.Count(d => d.Id == "KERAS006"));
        Assert.All(diagnostics, d => Assert.Contains("More than one keras.json would be baked (keras.json, config/keras.json)", d.GetMessage()));
    }

    [Fact]
    public void A_configured_path_that_does_not_exist_is_KERAS006()
    {
        var d = Assert.Single(Analyze(Array.Empty<AdditionalText>(), Options(configFile: ProjectDir + "/missing.json")));
        Assert.Equal(("KERAS006", DiagnosticSeverity.Error), (d.Id, d.Severity));
        Assert.Contains("'/src/App/missing.json', which does not exist", d.GetMessage());
    }

    [Fact]
    public void An_unreadable_keras_json_is_KERAS006()
    {
        var d = Assert.Single(Analyze(new[] { new InMemoryAdditionalText(ProjectDir + "/keras.json", null) }, Options()));
        Assert.Equal("KERAS006", d.Id);
        Assert.Contains("cannot be read", d.GetMessage());
    }

    [Fact]
    public void With_baking_off_the_missing_configured_file_is_not_reported()
    {
        Assert.Empty(Analyze(Array.Empty<AdditionalText>(), Options(bake: false, configFile: ProjectDir + "/missing.json")));
    }

    [Fact]
    public void Every_diagnostic_has_a_documentation_page_behind_its_help_link()
    {
        var analyzer = new Keras.Analyzers.KerasJsonAnalyzer();
        foreach (var descriptor in analyzer.SupportedDiagnostics)
        {
            Assert.EndsWith($"docs/rules/{descriptor.Id}.md", descriptor.HelpLinkUri);
            string page = Path.Combine(RepoRoot, "docs", "rules", descriptor.Id + ".md");
            Assert.True(File.Exists(page), $"{descriptor.Id} has no page at {page}");
            Assert.Contains($"# {descriptor.Id}", File.ReadAllText(page));
        }
    }

    [Fact]
    public void Thousands_of_mutated_files_produce_diagnostics_never_an_analyzer_exception()
    {
        var random = new Random(7);
        string seed = "{\n    \"floatx\": \"float16\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}";
        var compilation = Compilation("class C { void M() => Keras.Config.SetFloatx(\"float32\"); }");
        for (int i = 0; i < 1500; i++)
        {
            string text = Fuzz.Mutate(seed, random);
            var diagnostics = Analyze(new[] { KerasJson(text) }, Options(), compilation); // asserts no exception / AD0001
            foreach (var d in diagnostics)
            {
                Assert.StartsWith("KERAS00", d.Id);
                Assert.InRange(d.Location.SourceSpan.End, 0, text.Length + 1);
            }
        }
    }
}

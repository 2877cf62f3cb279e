using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;
using static Keras.SourceGen.Tests.Harness;

namespace Keras.SourceGen.Tests;

/// <summary>Keras.SourceGen: the checked-in keras.json becomes Keras.Generated.KerasJson (keras-reference.md §1.3).</summary>
public class GeneratorTests
{
    private static string Generated(string keras)
    {
        var (source, errors, _) = Generate(new[] { KerasJson(keras) }, Options());
        Assert.Empty(errors);
        Assert.NotNull(source);
        return source!;
    }

    [Fact]
    public void An_empty_object_bakes_kerass_defaults()
    {
        string source = Generated("{}");
        Assert.Contains("public const string Floatx = \"float32\";", source);
        Assert.Contains("public const double Epsilon = 1E-07d;", source);
        Assert.Contains("public const string ImageDataFormat = \"channels_last\";", source);
        Assert.Contains("public const string Backend = \"torch\";", source);
        Assert.Contains("public const string SourcePath = \"keras.json\";", source);
        Assert.Contains("public const bool IsValid = true;", source);
        Assert.Contains("[global::System.Runtime.CompilerServices.ModuleInitializer]", source);
        Assert.Contains("global::Keras.Hosting.KerasBakedConfig.Apply(Floatx, Epsilon, ImageDataFormat, Backend, SourcePath);", source);
    }

    [Theory]
    [InlineData("{\"floatx\": \"float64\"}", "public const string Floatx = \"float64\";")]
    [InlineData("{\"floatx\": \"float16\"}", "public const string Floatx = \"float16\";")]
    [InlineData("{\"epsilon\": 1e-05}", "public const double Epsilon = 1E-05d;")]
    [InlineData("{\"epsilon\": 0.001}", "public const double Epsilon = 0.001d;")]
    [InlineData("{\"epsilon\": 1.0}", "public const double Epsilon = 1.0d;")]
    [InlineData("{\"image_data_format\": \"channels_first\"}", "public const string ImageDataFormat = \"channels_first\";")]
    [InlineData("{\"backend\": \"torch\"}", "public const string Backend = \"torch\";")]
    public void Each_key_is_baked(string keras, string expected)
    {
        Assert.Contains(expected, Generated(keras));
    }

    [Fact]
    public void A_real_world_file_with_BOM_CRLF_any_key_order_and_extra_keys_is_baked()
    {
        string keras = "{\r\n    \"image_data_format\": \"channels_first\",  \r\n    \"my_extra\": 3,\r\n    \"epsilon\": 1e-7,\r\n    \"floatx\": \"float64\"\r\n}\r\n";
        var (source, errors, _) = Generate(new[] { KerasJson(keras, withBom: true) }, Options());
        Assert.Empty(errors);
        Assert.Contains("Floatx = \"float64\"", source);
        Assert.Contains("ImageDataFormat = \"channels_first\"", source);
        Assert.Contains("Epsilon = 1E-07d", source);
    }

    [Fact]
    public void Legacy_keys_are_not_baked_keras_3_ignores_them()
    {
        string source = Generated("{\"image_dim_ordering\": \"th\"}");
        Assert.Contains("ImageDataFormat = \"channels_last\"", source);
    }

    [Fact]
    public void An_invalid_file_bakes_defaults_marked_invalid_and_still_compiles()
    {
        foreach (var bad in new[] { "{\"floatx\": \"float33\"", "{\"floatx\": \"float33\"}", "[1]", "", "{\"epsilon\": 1}" })
        {
            string source = Generated(bad);
            Assert.Contains("public const bool IsValid = false;", source);
            Assert.Contains("Floatx = \"float32\"", source);
        }
    }

    [Fact]
    public void Without_keras_json_nothing_is_generated()
    {
        var (source, errors, _) = Generate(Array.Empty<AdditionalText>(), Options());
        Assert.Null(source);
        Assert.Empty(errors);
    }

    [Fact]
    public void A_missing_file_generates_nothing()
    {
        var (source, _, _) = Generate(new[] { new InMemoryAdditionalText(ProjectDir + "/keras.json", null) }, Options());
        Assert.Null(source);
    }

    [Fact]
    public void Two_keras_json_files_are_ambiguous_and_generate_nothing()
    {
        var files = new[] { KerasJson("{}"), KerasJson("{}", ProjectDir + "/config/keras.json") };
        var (source, _, _) = Generate(files, Options());
        Assert.Null(source);
    }

    [Fact]
    public void A_custom_path_marked_by_msbuild_is_baked_with_its_relative_path()
    {
        string path = ProjectDir + "/config/team-keras.json";
        var (source, errors, _) = Generate(new[] { KerasJson("{\"floatx\": \"float64\"}", path) }, Options(configFile: path, markedKerasConfig: path));
        Assert.Empty(errors);
        Assert.Contains("SourcePath = \"config/team-keras.json\"", source);
        Assert.Contains("Floatx = \"float64\"", source);
    }

    [Fact]
    public void Other_additional_files_are_ignored()
    {
        var (source, _, _) = Generate(new[] { KerasJson("{}", ProjectDir + "/appsettings.json") }, Options());
        Assert.Null(source);
    }

    [Fact]
    public void Baking_off_generates_nothing()
    {
        var (source, _, _) = Generate(new[] { KerasJson("{\"floatx\": \"float64\"}") }, Options(bake: false));
        Assert.Null(source);
    }

    [Fact]
    public void A_project_without_keras_runtime_gets_nothing()
    {
        var noRuntime = References.Where(r => !(r.Display ?? "").EndsWith("Keras.Runtime.dll", StringComparison.Ordinal));
        var (source, errors, _) = Generate(new[] { KerasJson("{}") }, Options(), Compilation(noRuntime, "class C { }"));
        Assert.Null(source);
        Assert.Empty(errors);
    }

    [Fact]
    public void The_generated_constants_are_usable_from_user_code()
    {
        var compilation = Compilation("""
            public static class UserCode
            {
                public const string F = Keras.Generated.KerasJson.Floatx;
                public static double E() => Keras.Generated.KerasJson.Epsilon;
            }
            """);
        var (_, errors, _) = Generate(new[] { KerasJson("{\"floatx\": \"float64\"}") }, Options(), compilation);
        Assert.Empty(errors);
    }

    [Fact]
    public void The_module_initializer_applies_the_baked_values_to_the_real_runtime_before_user_code()
    {
        var compilation = Compilation("public static class Probe { public static string Floatx() => Keras.Config.Floatx(); public static double Epsilon() => Keras.Config.Epsilon(); }");
        var driver = Driver(new[] { KerasJson("{\"floatx\": \"float64\", \"epsilon\": 0.5}") }, Options());
        driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        using var stream = new MemoryStream();
        var emit = output.Emit(stream);
        Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
        var assembly = Assembly.Load(stream.ToArray());
        var probe = assembly.GetType("Probe")!;
        Assert.Equal("float64", probe.GetMethod("Floatx")!.Invoke(null, null));
        Assert.Equal(0.5, probe.GetMethod("Epsilon")!.Invoke(null, null));
        Assert.Equal("keras.json", Keras.Hosting.KerasBakedConfig.SourcePath);
    }

    [Fact]
    public void Editing_a_cs_file_does_not_reread_or_reparse_keras_json()
    {
        var compilation = Compilation("class A { }", "class B { }");
        var driver = Driver(new[] { KerasJson("{\"floatx\": \"float64\"}") }, Options());
        driver = driver.RunGenerators(compilation);

        var edited = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees.First(),
            CSharpSyntaxTree.ParseText("class A { int x; }", Parse, path: ProjectDir + "/File0.cs"));
        driver = driver.RunGenerators(edited);
        var steps = driver.GetRunResult().Results.Single().TrackedSteps;

        foreach (var name in new[] { KerasJsonGenerator.Steps.Files, KerasJsonGenerator.Steps.Parse, KerasJsonGenerator.Steps.Options })
        {
            Assert.True(steps.ContainsKey(name), name);
            Assert.All(steps[name].SelectMany(s => s.Outputs),
                o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {o.Reason}"));
        }
        Assert.All(steps[KerasJsonGenerator.Steps.Runtime].SelectMany(s => s.Outputs), o => Assert.Equal(IncrementalStepRunReason.Unchanged, o.Reason));
    }

    [Fact]
    public void Editing_keras_json_reruns_the_parse_and_the_output()
    {
        var compilation = Compilation("class A { }");
        var original = KerasJson("{\"floatx\": \"float64\"}");
        var driver = Driver(new[] { original }, Options()).RunGenerators(compilation);
        driver = driver.ReplaceAdditionalText(original, KerasJson("{\"floatx\": \"float16\"}")).RunGenerators(compilation);
        var result = driver.GetRunResult().Results.Single();
        Assert.Contains(result.TrackedSteps[KerasJsonGenerator.Steps.Parse].SelectMany(s => s.Outputs),
            o => o.Reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New);
        Assert.Contains("Floatx = \"float16\"", result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void Thousands_of_mutated_files_produce_constants_or_nothing_never_an_exception()
    {
        var random = new Random(20261125);
        string seed = "{\n    \"floatx\": \"float32\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}";
        for (int i = 0; i < 2000; i++)
        {
            string text = Fuzz.Mutate(seed, random);
            var (source, errors, _) = Generate(new[] { KerasJson(text) }, Options());
            Assert.NotNull(source); // one readable keras.json: always constants (defaults when invalid)
            Assert.True(errors.IsEmpty, $"input #{i} {text}\n{string.Join("\n", errors)}");
        }
    }
}

public static class Fuzz
{
    private const string Alphabet = "{}[]\":,.-+eE0123456789 \n\r\tabcdefilnrstuxNI_\\\uFEFF\u00e9";

    private static readonly string[] Tokens =
    {
        "\"floatx\"", "\"epsilon\"", "\"backend\"", "\"image_data_format\"", "\"nnx_enabled\"", "\"image_dim_ordering\"",
        "\"float16\"", "\"bfloat16\"", "\"float64\"", "\"channels_first\"", "\"Channels_Last\"", "\"jax\"", "\"tensorflow\"",
        "NaN", "-Infinity", "1", "0.0", "-1e-7", "1e-300", "1e999", "null", "true", "[]", "{}", "\"\"", "\"\\u0000\"",
    };

    /// <summary>Deterministic mutations: character edits plus swaps of whole Keras tokens.</summary>
    public static string Mutate(string seed, Random random)
    {
        var chars = seed.ToList();
        int edits = random.Next(1, 5);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(chars.Count + 1);
            switch (random.Next(5))
            {
                case 0 when chars.Count > 0 && at < chars.Count: chars.RemoveAt(at); break;
                case 1: chars.Insert(at, Alphabet[random.Next(Alphabet.Length)]); break;
                case 2 when at < chars.Count: chars[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                default:
                    string text = new string(chars.ToArray());
                    string token = Tokens[random.Next(Tokens.Length)];
                    int quote = text.IndexOf('"', Math.Min(at, text.Length));
                    if (quote < 0) chars.InsertRange(Math.Min(at, chars.Count), token);
                    else
                    {
                        int end = text.IndexOf('"', quote + 1);
                        if (end < 0) end = quote;
                        chars = (text.Substring(0, quote) + token + text.Substring(end + 1)).ToList();
                    }
                    break;
            }
        }
        return new string(chars.ToArray());
    }
}

using Keras.Analyzers.CodeFixes;
using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.InvalidConfigArgumentAnalyzer, Keras.Analyzers.CodeFixes.InvalidConfigArgumentCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras003InvalidConfigArgumentTests
{
    [Theory]
    [InlineData("Keras.Config.SetFloatx({|KERAS003:\"flaot32\"|});", "Keras.Config.SetFloatx(\"float32\");")]
    [InlineData("Keras.Backend.SetFloatx({|KERAS003:\"float8\"|});", "Keras.Backend.SetFloatx(\"float16\");")]
    [InlineData("Keras.Config.SetFloatx({|KERAS003:\"int32\"|});", "Keras.Config.SetFloatx(\"float32\");")]
    [InlineData("Keras.Config.SetImageDataFormat({|KERAS003:\"channel_first\"|});", "Keras.Config.SetImageDataFormat(\"channels_first\");")]
    [InlineData("Keras.Config.SetImageDataFormat({|KERAS003:\"NHWC\"|});", "Keras.Config.SetImageDataFormat(\"channels_last\");")]
    [InlineData("Keras.Config.SetBackend({|KERAS003:\"jax\"|});", "Keras.Config.SetBackend(\"torch\");")]
    [InlineData("Keras.Config.SetBackend({|KERAS003:\"pytorch\"|});", "Keras.Config.SetBackend(\"torch\");")]
    [InlineData("Keras.Config.SetEpsilon({|KERAS003:0|});", "Keras.Config.SetEpsilon(1e-7);")]
    [InlineData("Keras.Config.SetEpsilon({|KERAS003:-1e-7|});", "Keras.Config.SetEpsilon(1e-7);")]
    [InlineData("Keras.Config.SetEpsilon({|KERAS003:double.NaN|});", "Keras.Config.SetEpsilon(1e-7);")]
    [InlineData("Keras.Backend.SetEpsilon({|KERAS003:double.PositiveInfinity|});", "Keras.Backend.SetEpsilon(1e-7);")]
    [InlineData("Keras.Config.SetDtypePolicy({|KERAS003:\"mixed_float61\"|});", "Keras.Config.SetDtypePolicy(\"mixed_float16\");")]
    [InlineData("Keras.Config.SetDtypePolicy({|KERAS003:\"mixed_bfloat15\"|});", "Keras.Config.SetDtypePolicy(\"mixed_bfloat16\");")]
    [InlineData("Keras.Config.SetDtypePolicy({|KERAS003:\"int8_from_mixed_bfloat16\"|});", "Keras.Config.SetDtypePolicy(\"mixed_bfloat16\");")]
    [InlineData("Keras.Config.SetMaxEpochs({|KERAS003:-1|});", "Keras.Config.SetMaxEpochs(null);")]
    [InlineData("Keras.Config.SetMaxStepsPerEpoch({|KERAS003:-10|});", "Keras.Config.SetMaxStepsPerEpoch(null);")]
    public async Task Invalid_constants_are_errors_fixed_with_the_nearest_valid_value(string bad, string good)
    {
        await Verify.FixAsync(Program(bad), Program(good));
    }

    [Theory]
    [InlineData("Keras.Config.SetFloatx(\"bfloat16\");")]
    [InlineData("Keras.Config.SetFloatx(\"float64\");")]
    [InlineData("Keras.Config.SetImageDataFormat(\"Channels_First\");")] // Keras lowercases it
    [InlineData("Keras.Config.SetBackend(\"torch\");")]
    [InlineData("Keras.Config.SetEpsilon(1e-3);")]
    [InlineData("Keras.Config.SetDtypePolicy(\"mixed_bfloat16\");")]
    [InlineData("Keras.Config.SetDtypePolicy(\"uint8\");")]
    [InlineData("Keras.Config.SetDtypePolicy(\"float\");")]
    [InlineData("Keras.Config.SetMaxEpochs(null);")]
    [InlineData("Keras.Config.SetMaxEpochs(0);")]
    [InlineData("Keras.Config.SetMaxStepsPerEpoch(3);")]
    [InlineData("Keras.Config.SetFloatx(System.Environment.GetEnvironmentVariable(\"FLOATX\")!);")] // not a constant
    public async Task Valid_or_non_constant_values_are_fine(string call)
    {
        await Verify.AnalyzeAsync(Program(call));
    }

    [Fact]
    public async Task Constants_are_followed_through_const_fields()
    {
        const string source = """
            class Settings { public const string Floatx = "float33"; }
            class Program { static void Main() => Keras.Config.SetFloatx({|KERAS003:Settings.Floatx|}); }
            """;
        const string fixedSource = """
            class Settings { public const string Floatx = "float33"; }
            class Program { static void Main() => Keras.Config.SetFloatx("float32"); }
            """;
        await Verify.FixAsync(source, fixedSource);
    }

    [Fact]
    public async Task A_users_own_Config_type_is_never_flagged()
    {
        const string source = """
            namespace MyApp
            {
                static class Config { public static void SetFloatx(string value) { } }
                class Program { static void Main() => Config.SetFloatx("float8"); }
            }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Fix_all_replaces_every_invalid_argument_in_the_document()
    {
        string source = Program("""
            Keras.Config.SetFloatx({|KERAS003:"flaot64"|});
                    Keras.Config.SetEpsilon({|KERAS003:-1.0|});
                    Keras.Config.SetBackend({|KERAS003:"tensorflow"|});
            """);
        string fixedSource = Program("""
            Keras.Config.SetFloatx("float64");
                    Keras.Config.SetEpsilon(1e-7);
                    Keras.Config.SetBackend("torch");
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    internal static string Program(string statements) => $$"""
        class Program
        {
            static void Main()
            {
                {{statements}}
            }
        }
        """;
}

using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.Float16WithoutMixedPrecisionAnalyzer, Keras.Analyzers.CodeFixes.Float16CodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras001Float16Tests
{
    [Fact]
    public async Task Float16_floatx_without_a_mixed_policy_is_replaced_by_the_mixed_float16_policy()
    {
        await Verify.FixAsync(
            Keras003InvalidConfigArgumentTests.Program("{|KERAS001:Keras.Config.SetFloatx(\"float16\")|};"),
            Keras003InvalidConfigArgumentTests.Program("Keras.Config.SetDtypePolicy(\"mixed_float16\");"),
            "KERAS001.ReplaceWithMixedPolicy");
    }

    [Fact]
    public async Task Or_floatx_is_kept_and_the_policy_added()
    {
        await Verify.FixAsync(
            Keras003InvalidConfigArgumentTests.Program("{|KERAS001:Keras.Backend.SetFloatx(\"float16\")|};"),
            Keras003InvalidConfigArgumentTests.Program("Keras.Backend.SetFloatx(\"float16\");\n        Keras.Config.SetDtypePolicy(\"mixed_float16\");"),
            "KERAS001.AddMixedPolicy");
    }

    [Theory]
    [InlineData("Keras.Config.SetDtypePolicy(\"mixed_float16\");")]
    [InlineData("Keras.Config.SetDtypePolicy(\"mixed_bfloat16\");")]
    [InlineData("Keras.Config.SetDtypePolicy(new Keras.DTypePolicy(\"mixed_float16\"));")]
    [InlineData("Keras.Config.SetDtypePolicy(System.Environment.GetEnvironmentVariable(\"P\")!);")]
    public async Task A_mixed_policy_selected_anywhere_in_the_project_is_enough(string policy)
    {
        string source = $$"""
            class Startup { public static void Configure() { {{policy}} } }
            class Program { static void Main() { Keras.Config.SetFloatx("float16"); Startup.Configure(); } }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Theory]
    [InlineData("Keras.Config.SetFloatx(\"float32\");")]
    [InlineData("Keras.Config.SetFloatx(\"bfloat16\");")]
    public async Task Other_float_types_are_fine(string call)
    {
        await Verify.AnalyzeAsync(Keras003InvalidConfigArgumentTests.Program(call));
    }

    [Fact]
    public async Task A_non_mixed_policy_does_not_count()
    {
        await Verify.AnalyzeAsync(Keras003InvalidConfigArgumentTests.Program(
            "{|KERAS001:Keras.Config.SetFloatx(\"float16\")|};\n        Keras.Config.SetDtypePolicy(\"float16\");"));
    }

    [Fact]
    public async Task A_users_own_SetFloatx_is_not_flagged()
    {
        await Verify.AnalyzeAsync("""
            static class Config { public static void SetFloatx(string v) { } }
            class Program { static void Main() => Config.SetFloatx("float16"); }
            """);
    }

    [Fact]
    public async Task Fixing_one_call_selects_the_policy_for_the_project_and_fix_all_replaces_every_call()
    {
        const string source = """
            class A { public static void M() { {|KERAS001:Keras.Config.SetFloatx("float16")|}; } }
            class Program { static void Main() { {|KERAS001:Keras.Config.SetFloatx("float16")|}; A.M(); } }
            """;
        // One fix selects mixed_float16 for the whole project, so the other call is then fine.
        const string oneFix = """
            class A { public static void M() { Keras.Config.SetDtypePolicy("mixed_float16"); } }
            class Program { static void Main() { Keras.Config.SetFloatx("float16"); A.M(); } }
            """;
        const string fixAll = """
            class A { public static void M() { Keras.Config.SetDtypePolicy("mixed_float16"); } }
            class Program { static void Main() { Keras.Config.SetDtypePolicy("mixed_float16"); A.M(); } }
            """;
        await Verify.FixAsync(source, oneFix, "KERAS001.ReplaceWithMixedPolicy", batchFixedSource: fixAll);
    }
}

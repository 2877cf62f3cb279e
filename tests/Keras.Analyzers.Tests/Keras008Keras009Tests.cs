using Keras.Analyzers.CodeFixes;
using Xunit;
using Verify008 = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.DebugCapOutsideTestsAnalyzer, Keras.Analyzers.CodeFixes.RemoveDebugCapCodeFix>;
using Verify009 = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.UnsafeDeserializationAnalyzer, Keras.Analyzers.CodeFixes.RemoveDebugCapCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras008DebugCapTests
{
    [Theory]
    [InlineData("SetMaxEpochs(2)")]
    [InlineData("SetMaxStepsPerEpoch(10)")]
    [InlineData("SetMaxEpochs(0)")]
    public async Task Caps_in_app_code_are_removed(string call)
    {
        await Verify008.FixAsync(
            Keras003InvalidConfigArgumentTests.Program($"{{|KERAS008:Keras.Config.{call}|}};\n        System.Console.WriteLine();"),
            Keras003InvalidConfigArgumentTests.Program("System.Console.WriteLine();"));
    }

    [Fact]
    public async Task Removing_a_cap_with_null_is_fine_anywhere()
    {
        await Verify008.AnalyzeAsync(Keras003InvalidConfigArgumentTests.Program("Keras.Config.SetMaxEpochs(null);"));
    }

    [Fact]
    public async Task Test_projects_may_cap_epochs()
    {
        await Verify008.AnalyzeAsync(Keras003InvalidConfigArgumentTests.Program("Keras.Config.SetMaxEpochs(2);"), testProject: true);
    }

    [Fact]
    public async Task A_cap_in_an_expression_body_is_reported_without_a_fix()
    {
        const string source = "class Program { static void Main() => {|KERAS008:Keras.Config.SetMaxEpochs(1)|}; }";
        await Verify008.FixAsync(source, source);
    }

    [Fact]
    public async Task Fix_all_removes_every_cap()
    {
        await Verify008.FixAsync(
            Keras003InvalidConfigArgumentTests.Program("{|KERAS008:Keras.Config.SetMaxEpochs(2)|};\n        {|KERAS008:Keras.Config.SetMaxStepsPerEpoch(5)|};\n        System.Console.WriteLine();"),
            Keras003InvalidConfigArgumentTests.Program("System.Console.WriteLine();"));
    }
}

public class Keras009UnsafeDeserializationTests
{
    [Fact]
    public async Task Enabling_unsafe_deserialization_is_reported_without_a_fix()
    {
        string source = Keras003InvalidConfigArgumentTests.Program("{|KERAS009:Keras.Config.EnableUnsafeDeserialization()|};");
        await Verify009.FixAsync(source, source);
    }

    [Fact]
    public async Task A_users_own_method_of_that_name_is_not_reported()
    {
        await Verify009.AnalyzeAsync("""
            static class Config { public static void EnableUnsafeDeserialization() { } }
            class Program { static void Main() => Config.EnableUnsafeDeserialization(); }
            """);
    }

    [Fact]
    public async Task SafeMode_false_on_LoadModel_is_reported_without_a_fix()
    {
        string source = Keras003InvalidConfigArgumentTests.Program("Keras.Saving.LoadModel(\"m.keras\", {|KERAS009:safeMode: false|});");
        await Verify009.FixAsync(source, source);
    }

    [Theory]
    [InlineData("Keras.Saving.LoadModel(\"m.keras\", safeMode: true);")]
    [InlineData("Keras.Saving.LoadModel(\"m.keras\");")]
    [InlineData("Keras.Saving.LoadModel(\"m.keras\", safeMode: System.Environment.UserName == \"x\");")]
    public async Task Safe_mode_on_or_decided_at_run_time_is_not_reported(string call)
    {
        await Verify009.AnalyzeAsync(Keras003InvalidConfigArgumentTests.Program(call));
    }

    [Fact]
    public async Task A_users_own_safeMode_parameter_is_not_reported()
    {
        await Verify009.AnalyzeAsync("""
            static class Loader { public static void Load(string path, bool safeMode = true) { } }
            class Program { static void Main() => Loader.Load("x", safeMode: false); }
            """);
    }
}

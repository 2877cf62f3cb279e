using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.UnknownIdentifierAnalyzer, Keras.Analyzers.CodeFixes.UnknownIdentifierCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras301UnknownIdentifierTests
{
    [Theory]
    [InlineData("new Dense(4, activation: {|KERAS301:\"rleu\"|});", "new Dense(4, activation: \"relu\");")]
    [InlineData("new Dense(4, activation: {|KERAS301:\"softamx\"|});", "new Dense(4, activation: \"softmax\");")]
    [InlineData("new LSTM(4, recurrentActivation: {|KERAS301:\"sigmod\"|});", "new LSTM(4, recurrentActivation: \"sigmoid\");")]
    [InlineData("new Sequential().Compile({|KERAS301:\"adma\"|}, \"mse\");", "new Sequential().Compile(\"adam\", \"mse\");")]
    [InlineData("new Sequential().Compile(\"adam\", {|KERAS301:\"mean_sqared_error\"|});", "new Sequential().Compile(\"adam\", \"mean_squared_error\");")]
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", new[] { \"accuracy\", {|KERAS301:\"acuracy\"|} });", "new Sequential().Compile(\"adam\", \"mse\", new[] { \"accuracy\", \"accuracy\" });")]
    [InlineData("Keras.Initializers.Initializer.Get({|KERAS301:\"glorot_unifrom\"|});", "Keras.Initializers.Initializer.Get(\"glorot_uniform\");")]
    [InlineData("Keras.Regularizers.Regularizer.Get({|KERAS301:\"l3\"|});", "Keras.Regularizers.Regularizer.Get(\"l1\");")] // the same case as typed
    [InlineData("Keras.Constraints.Constraint.Get({|KERAS301:\"max_nrom\"|});", "Keras.Constraints.Constraint.Get(\"max_norm\");")]
    [InlineData("new Conv2D(4, 3, padding: {|KERAS301:\"smae\"|});", "new Conv2D(4, 3, padding: \"same\");")]
    [InlineData("new MaxPooling2D(padding: {|KERAS301:\"vaild\"|});", "new MaxPooling2D(padding: \"valid\");")]
    [InlineData("new Flatten(dataFormat: {|KERAS301:\"channel_first\"|});", "new Flatten(dataFormat: \"channels_first\");")]
    [InlineData("new UpSampling2D(interpolation: {|KERAS301:\"bilinar\"|});", "new UpSampling2D(interpolation: \"bilinear\");")]
    [InlineData("new Bidirectional(new LSTM(2), mergeMode: {|KERAS301:\"contact\"|});", "new Bidirectional(new LSTM(2), mergeMode: \"concat\");")]
    [InlineData("new Keras.Callbacks.EarlyStopping(mode: {|KERAS301:\"mni\"|});", "new Keras.Callbacks.EarlyStopping(mode: \"min\");")]
    public async Task Unknown_names_are_errors_fixed_with_the_nearest_known_name(string bad, string good)
    {
        await Verify.FixAsync(Program(bad), Program(good));
    }

    [Theory]
    [InlineData("new Dense(4, activation: \"relu\");")]
    [InlineData("new Dense(4, activation: \"swish\");")] // Keras' alias
    [InlineData("new Dense(4, activation: null);")] // linear
    [InlineData("new Sequential().Compile(\"Adam\", \"bce\", new[] { \"acc\", \"mae\" });")] // optimizers are case-insensitive; aliases
    [InlineData("new Conv1D(4, 3, padding: \"causal\");")]
    [InlineData("new Conv2D(4, 3, padding: \"SAME\");")] // Keras lowercases
    [InlineData("new Flatten(dataFormat: \"Channels_Last\");")]
    [InlineData("new Keras.Callbacks.ModelCheckpoint(\"m.keras\", mode: \"max\");")]
    [InlineData("new Dense(4, activation: System.Environment.GetEnvironmentVariable(\"ACT\"));")] // not a constant
    [InlineData("new Dense(4, name: \"rleu\");")] // not a resolved parameter
    public async Task Known_names_non_constants_and_other_parameters_are_fine(string statement)
    {
        await Verify.AnalyzeAsync(Program(statement));
    }

    [Fact]
    public async Task The_activation_keras_cannot_use_by_name_is_reported_without_a_fix()
    {
        await Verify.FixAsync(Program("new Dense(4, activation: {|KERAS301:\"threshold\"|});"), Program("new Dense(4, activation: {|KERAS301:\"threshold\"|});"));
    }

    [Fact]
    public async Task Causal_padding_is_reported_outside_Conv1D()
    {
        string source = Program("new Conv2D(4, 3, padding: {|KERAS301:\"causal\"|});");
        await Verify.FixAsync(source, source);
    }

    [Fact]
    public async Task A_name_with_no_near_candidate_is_reported_without_a_fix()
    {
        string source = Program("new Dense(4, activation: {|KERAS301:\"my_custom_activation_function\"|});");
        await Verify.FixAsync(source, source);
    }

    [Fact]
    public async Task A_users_own_method_with_the_same_parameter_names_is_never_flagged()
    {
        const string source = """
            class MyLayer { public MyLayer(int units, string activation) { } }
            class Program { static void Main() { _ = new MyLayer(4, "rleu"); Configure(optimizer: "adma"); } static void Configure(string optimizer) { } }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Constants_are_followed_through_const_fields()
    {
        const string source = """
            using Keras.Layers;
            class Names { public const string Act = "rleu"; }
            class Program { static void Main() => _ = new Dense(4, activation: {|KERAS301:Names.Act|}); }
            """;
        const string fixedSource = """
            using Keras.Layers;
            class Names { public const string Act = "rleu"; }
            class Program { static void Main() => _ = new Dense(4, activation: "relu"); }
            """;
        await Verify.FixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Fix_all_replaces_every_unknown_name_in_the_document()
    {
        string source = Program("""
            new Dense(4, activation: {|KERAS301:"rleu"|});
                    new Dense(4, activation: {|KERAS301:"tahn"|});
                    new Sequential().Compile({|KERAS301:"sdg"|}, {|KERAS301:"msee"|});
            """);
        string fixedSource = Program("""
            new Dense(4, activation: "relu");
                    new Dense(4, activation: "tanh");
                    new Sequential().Compile("sgd", "mse");
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    internal static string Program(string statements) => $$"""
        using Keras.Layers;
        using Keras.Models;

        class Program
        {
            static void Main()
            {
                {{statements}}
            }
        }
        """;
}

using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.OutputLossMismatchAnalyzer, Keras.Analyzers.CodeFixes.OutputLossMismatchCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras103OutputLossMismatchTests
{
    [Fact]
    public async Task A_softmax_over_one_unit_becomes_sigmoid()
    {
        await Verify.FixAsync(Program("new Dense(1, activation: {|KERAS103:\"softmax\"|})", "\"adam\", \"binary_crossentropy\""),
            Program("new Dense(1, activation: \"sigmoid\")", "\"adam\", \"binary_crossentropy\""));
    }

    [Fact]
    public async Task A_softmax_output_with_fromLogits_true_gets_fromLogits_false()
    {
        await Verify.FixAsync(
            Program("new Dense(10, activation: \"softmax\")", "new Adam(), new CategoricalCrossentropy(fromLogits: {|KERAS103:true|})"),
            Program("new Dense(10, activation: \"softmax\")", "new Adam(), new CategoricalCrossentropy(fromLogits: false)"),
            equivalenceKey: "KERAS103.FromLogitsFalse");
    }

    [Fact]
    public async Task Or_loses_its_activation()
    {
        await Verify.FixAsync(
            Program("new Dense(1, activation: \"sigmoid\")", "new Adam(), new BinaryCrossentropy(fromLogits: {|KERAS103:true|})"),
            Program("new Dense(1)", "new Adam(), new BinaryCrossentropy(fromLogits: true)"),
            equivalenceKey: "KERAS103.RemoveActivation");
    }

    [Fact]
    public async Task A_sigmoid_over_several_classes_with_categorical_crossentropy_becomes_softmax()
    {
        await Verify.FixAsync(Program("new Dense(10, activation: \"sigmoid\")", "\"adam\", {|KERAS103:\"categorical_crossentropy\"|}"),
            Program("new Dense(10, activation: \"softmax\")", "\"adam\", \"categorical_crossentropy\""));
    }

    [Fact]
    public async Task The_last_Add_is_the_output_layer()
    {
        const string source = """
            using Keras.Layers; using Keras.Losses; using Keras.Models; using Keras.Optimizers;
            class P
            {
                static void Main()
                {
                    var model = new Sequential();
                    model.Add(new Dense(16, activation: "relu"));
                    model.Add(new Dense(3, activation: "softmax"));
                    model.Compile(new SGD(), new SparseCategoricalCrossentropy(fromLogits: {|KERAS103:true|}));
                }
            }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Theory]
    [InlineData("new Dense(10)", "new Adam(), new CategoricalCrossentropy(fromLogits: true)")] // logits out, logits in
    [InlineData("new Dense(10, activation: \"softmax\")", "\"adam\", \"categorical_crossentropy\"")]
    [InlineData("new Dense(1, activation: \"sigmoid\")", "\"adam\", \"binary_crossentropy\"")]
    [InlineData("new Dense(10, activation: \"sigmoid\")", "\"adam\", \"binary_crossentropy\"")] // multi-label
    [InlineData("new Dense(10, activation: \"softmax\")", "new Adam(), new CategoricalCrossentropy(fromLogits: fromLogits)")] // not a constant
    [InlineData("new Dense(10, activation: activation)", "new Adam(), new CategoricalCrossentropy(fromLogits: true)")] // not a constant
    [InlineData("output", "new Adam(), new CategoricalCrossentropy(fromLogits: true)")] // a layer made elsewhere
    public async Task Consistent_or_unknown_outputs_and_losses_are_fine(string lastLayer, string compileArguments)
    {
        await Verify.AnalyzeAsync(Program(lastLayer, compileArguments));
    }

    [Fact]
    public async Task A_model_passed_in_is_never_judged()
    {
        const string source = """
            using Keras.Losses; using Keras.Models; using Keras.Optimizers;
            class P { static void Main() { } static void Run(Sequential model) => model.Compile(new Adam(), new CategoricalCrossentropy(fromLogits: true)); }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Fix_all_replaces_every_one_unit_softmax()
    {
        const string source = """
            using Keras.Layers;
            class P { static void Main() { _ = new Dense(1, activation: {|KERAS103:"softmax"|}); _ = new Dense(1, activation: {|KERAS103:"softmax"|}); } }
            """;
        const string fixedSource = """
            using Keras.Layers;
            class P { static void Main() { _ = new Dense(1, activation: "sigmoid"); _ = new Dense(1, activation: "sigmoid"); } }
            """;
        await Verify.FixAsync(source, fixedSource);
    }

    internal static string Program(string lastLayer, string compileArguments) => $$"""
        using Keras.Layers;
        using Keras.Losses;
        using Keras.Models;
        using Keras.Optimizers;

        class Program
        {
            static void Main(string[] args)
            {
                bool fromLogits = args.Length > 0;
                string activation = args[0];
                var output = new Dense(10, activation: "softmax");
                var model = new Sequential(new Layer[] { new Dense(32, activation: "relu"), {{lastLayer}} });
                model.Compile({{compileArguments}});
            }
        }
        """;
}

using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.InvalidArgumentAnalyzer, Keras.Analyzers.CodeFixes.InvalidArgumentCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras302InvalidArgumentTests
{
    [Theory]
    [InlineData("new Dropout({|KERAS302:20|});", "new Dropout(0.2);")] // a percentage written for a fraction
    [InlineData("new Dropout(rate: {|KERAS302:50.0|});", "new Dropout(rate: 0.5);")]
    [InlineData("new Keras.Optimizers.SGD(momentum: {|KERAS302:90|});", "new Keras.Optimizers.SGD(momentum: 0.9);")]
    [InlineData("model.Fit(x, y, validationSplit: {|KERAS302:20|});", "model.Fit(x, y, validationSplit: 0.2);")]
    public async Task Rejected_constants_are_errors_fixed_where_one_value_is_clearly_meant(string bad, string good)
    {
        await Verify.FixAsync(Program(bad), Program(good));
    }

    [Theory]
    [InlineData("new Dropout({|KERAS302:1.5|});")]
    [InlineData("new Dropout({|KERAS302:-0.1|});")]
    [InlineData("new Dropout({|KERAS302:double.NaN|});")]
    [InlineData("new Dense({|KERAS302:0|});")]
    [InlineData("new Dense(units: {|KERAS302:-64|});")]
    [InlineData("new LSTM({|KERAS302:0|});")]
    [InlineData("new Embedding({|KERAS302:0|}, 8);")]
    [InlineData("new Conv2D({|KERAS302:0|}, 3);")]
    [InlineData("new Conv2D(8, {|KERAS302:0|});")]
    [InlineData("new Conv2D(8, (3, {|KERAS302:0|}));")]
    [InlineData("new Conv1D(8, 3, strides: {|KERAS302:-1|});")]
    [InlineData("new MaxPooling2D({|KERAS302:0|});")]
    [InlineData("new RepeatVector({|KERAS302:0|});")]
    [InlineData("new LeakyReLU({|KERAS302:-0.2|});")]
    [InlineData("new ReLU(maxValue: {|KERAS302:-1|});")]
    [InlineData("new Keras.Callbacks.ReduceLROnPlateau(factor: {|KERAS302:1.5|});")]
    [InlineData("model.Fit(x, y, batchSize: {|KERAS302:0|});")]
    [InlineData("model.Fit(x, y, epochs: {|KERAS302:-1|});")]
    [InlineData("model.Fit(x, y, validationSplit: {|KERAS302:1.0|});")]
    [InlineData("model.Fit(x, y, stepsPerEpoch: {|KERAS302:0|});")]
    [InlineData("model.Predict(x, batchSize: {|KERAS302:-32|});")]
    [InlineData("model.Evaluate(x, y, batchSize: {|KERAS302:0|});")]
    public async Task Rejected_constants_without_a_clear_intent_are_reported_without_a_fix(string statement)
    {
        string source = Program(statement);
        await Verify.FixAsync(source, source);
    }

    [Theory]
    [InlineData("new Dropout(0);")]
    [InlineData("new Dropout(1);")] // Keras' Dropout accepts 1
    [InlineData("new Dropout(0.5);")]
    [InlineData("new Dense(1);")]
    [InlineData("new Conv2D(8, (3, 3), strides: (2, 2));")]
    [InlineData("new MaxPooling2D(2, strides: null);")]
    [InlineData("new ReLU(maxValue: null);")]
    [InlineData("new Keras.Optimizers.SGD(momentum: 1.0);")]
    [InlineData("model.Fit(x, y, epochs: 0, batchSize: null, validationSplit: 0.0);")]
    [InlineData("model.Fit(x, y, validationSplit: System.Math.Min(0.2, 2));")] // not a constant
    [InlineData("new Dense(int.Parse(\"0\"));")] // not a constant
    public async Task Accepted_and_non_constant_values_are_fine(string statement)
    {
        await Verify.AnalyzeAsync(Program(statement));
    }

    [Fact]
    public async Task A_users_own_layer_with_the_same_parameter_names_is_never_flagged()
    {
        const string source = """
            class MyDense : Keras.Layers.Dense { public MyDense(int units) : base(System.Math.Max(units, 1)) { } }
            class Program { static void Main() { _ = new MyDense(-1); } }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Fix_all_rewrites_every_percentage()
    {
        string source = Program("""
            new Dropout({|KERAS302:20|});
                    new Dropout({|KERAS302:30|});
                    model.Fit(x, y, validationSplit: {|KERAS302:10|});
            """);
        string fixedSource = Program("""
            new Dropout(0.2);
                    new Dropout(0.3);
                    model.Fit(x, y, validationSplit: 0.1);
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    internal static string Program(string statements) => $$"""
        using Keras.Layers;
        using Keras.Models;
        using TorchSharp;

        class Program
        {
            static void Main()
            {
                var model = new Sequential();
                var x = torch.ones(4, 2);
                var y = torch.ones(4, 1);
                {{statements}}
            }
        }
        """;
}

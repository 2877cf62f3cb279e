using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.FrozenModelCallAnalyzer, Keras.Analyzers.CodeFixes.AddTrainingFalseCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras106FrozenModelCallTests
{
    [Fact]
    public async Task A_frozen_base_model_called_without_training_gets_training_false()
    {
        await Verify.FixAsync(Program("baseModel.Trainable = false;", "var x = {|KERAS106:baseModel.Call(inputs)|};"),
            Program("baseModel.Trainable = false;", "var x = baseModel.Call(inputs, training: false);"));
    }

    [Theory]
    [InlineData("baseModel.Trainable = false;", "var x = baseModel.Call(inputs, training: false);")]
    [InlineData("baseModel.Trainable = false;", "var x = baseModel.Call(inputs, training: true);")] // said explicitly
    [InlineData("", "var x = baseModel.Call(inputs);")] // never frozen
    [InlineData("baseModel.Trainable = false; baseModel.Trainable = true;", "var x = baseModel.Call(inputs);")]
    [InlineData("baseModel.Trainable = frozen;", "var x = baseModel.Call(inputs);")] // not a constant
    [InlineData("other.Trainable = false;", "var x = baseModel.Call(inputs);")] // another model
    [InlineData("var x = baseModel.Call(inputs);", "baseModel.Trainable = false;")] // frozen after the call (the graph is built)
    [InlineData("baseModel.Trainable = false;", "var x = new Dense(2).Call(inputs);")] // not the frozen model
    public async Task Calls_that_say_training_or_models_not_frozen_before_are_fine(string before, string after)
    {
        await Verify.AnalyzeAsync(Program(before, after));
    }

    [Fact]
    public async Task Fix_all_adds_training_false_to_every_call()
    {
        await Verify.FixAsync(
            Program("baseModel.Trainable = false;", "var x = {|KERAS106:baseModel.Call(inputs)|}; var z = {|KERAS106:baseModel.Call(inputs)|};"),
            Program("baseModel.Trainable = false;", "var x = baseModel.Call(inputs, training: false); var z = baseModel.Call(inputs, training: false);"));
    }

    internal static string Program(string before, string after) => $$"""
        using Keras;
        using Keras.Layers;
        using Keras.Models;

        class Program
        {
            static void Main(string[] args)
            {
                bool frozen = args.Length > 0;
                var baseModel = new Sequential(new Layer[] { new Dense(4), new BatchNormalization() });
                var other = new Sequential(new Layer[] { new Dense(4) });
                var inputs = new Input(new long[] { 3 });
                {{before}}
                {{after}}
            }
        }
        """;
}

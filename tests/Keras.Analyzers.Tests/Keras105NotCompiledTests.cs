using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.NotCompiledAnalyzer, Microsoft.CodeAnalysis.Testing.EmptyCodeFixProvider>;

namespace Keras.Analyzers.Tests;

public class Keras105NotCompiledTests
{
    [Theory]
    [InlineData("var model = new Sequential(new Layer[] { new Dense(1) }); {|KERAS105:model.Fit(x, y)|};")]
    [InlineData("var model = new Sequential(); model.Add(new Dense(1)); model.Summary(); {|KERAS105:model.Evaluate(x, y)|};")]
    [InlineData("var model = new Sequential(); model.Trainable = false; {|KERAS105:model.TrainOnBatch(x, y)|};")]
    [InlineData("var model = new Sequential(); for (int i = 0; i < 2; i++) {|KERAS105:model.Fit(x, y, epochs: 1)|};")]
    public async Task Training_a_model_no_path_compiles_is_an_error(string statements)
    {
        await Verify.AnalyzeAsync(Program(statements));
    }

    [Theory]
    [InlineData("var model = new Sequential(); model.Compile(\"adam\", \"mse\"); model.Fit(x, y);")]
    [InlineData("var model = new Sequential(); if (x.numel() > 0) model.Compile(\"adam\", \"mse\"); model.Fit(x, y);")] // some path compiles
    [InlineData("var model = new Sequential(); Prepare(model); model.Fit(x, y);")] // handed to other code
    [InlineData("var model = new Sequential(); var alias = model; alias.Compile(\"adam\", \"mse\"); model.Fit(x, y);")]
    [InlineData("var model = Keras.Saving.LoadModel(\"m.keras\"); model.Fit(x, y);")] // loaded models come compiled
    [InlineData("var model = Make(); model.Fit(x, y);")] // from elsewhere
    [InlineData("var model = new Sequential(); System.Action a = () => model.Compile(\"adam\", \"mse\"); a(); model.Fit(x, y);")]
    [InlineData("var model = new Sequential(); model.Predict(x);")] // Predict needs no Compile
    public async Task Models_compiled_somewhere_or_from_elsewhere_are_fine(string statements)
    {
        await Verify.AnalyzeAsync(Program(statements));
    }

    [Fact]
    public async Task A_parameter_or_field_is_never_judged()
    {
        const string source = """
            using Keras.Models;
            class Trainer
            {
                static void Main() { }
                private readonly Sequential _model = new Sequential();
                void Run(Sequential model, TorchSharp.torch.Tensor x) { model.Fit(x, x); _model.Fit(x, x); }
            }
            """;
        await Verify.AnalyzeAsync(source);
    }

    internal static string Program(string statements) => $$"""
        using Keras.Layers;
        using Keras.Models;
        using TorchSharp;

        class Program
        {
            static void Prepare(Model m) => m.Compile("adam", "mse");
            static Sequential Make() => new Sequential();

            static void Main()
            {
                var x = torch.ones(4, 2);
                var y = torch.ones(4, 1);
                {{statements}}
            }
        }
        """;
}

using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.TrainableAfterCompileAnalyzer, Keras.Analyzers.CodeFixes.RepeatCompileCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras102TrainableAfterCompileTests
{
    private static string Method(string body) => $$"""
        using Keras.Layers;
        using Keras.Models;
        using TorchSharp;

        class Program
        {
            static void Main() { }

            static void Train(torch.Tensor x, torch.Tensor y, Sequential generator)
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public async Task Freezing_after_compile_then_fitting_gets_a_second_compile()
    {
        string source = Method("""
                    var model = new Sequential(new Layer[] { new Dense(8), new Dense(1) });
                    model.Compile("adam", "mse");
                    model.Fit(x, y, epochs: 2, verbose: 0);
                    {|KERAS102:model.Layers[0].Trainable = false|};
                    model.Fit(x, y, epochs: 2, verbose: 0);
            """);
        string fixedSource = Method("""
                    var model = new Sequential(new Layer[] { new Dense(8), new Dense(1) });
                    model.Compile("adam", "mse");
                    model.Fit(x, y, epochs: 2, verbose: 0);
                    model.Layers[0].Trainable = false;
                    model.Compile("adam", "mse");
                    model.Fit(x, y, epochs: 2, verbose: 0);
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Unfreezing_the_whole_model_then_train_on_batch_is_reported()
    {
        string source = Method("""
                    var model = new Sequential(new Layer[] { new Dense(1) });
                    model.Trainable = false;
                    model.Compile("sgd", "mse");
                    {|KERAS102:model.Trainable = true|};
                    model.TrainOnBatch(x, y);
            """);
        await Verify.AnalyzeAsync(source);
    }

    [Theory]
    [InlineData("""
                var model = new Sequential(new Layer[] { new Dense(1) });
                model.Layers[0].Trainable = false;
                model.Compile("adam", "mse");
                model.Fit(x, y, verbose: 0);
        """)]
    [InlineData("""
                var model = new Sequential(new Layer[] { new Dense(1) });
                model.Compile("adam", "mse");
                model.Trainable = false;
                model.Compile("adam", "mse");
                model.Fit(x, y, verbose: 0);
        """)]
    [InlineData("""
                var model = new Sequential(new Layer[] { new Dense(1) });
                model.Compile("adam", "mse");
                model.Trainable = false;
                var features = model.Predict(x);
        """)]
    public async Task Changes_before_compile_recompiling_or_not_training_are_fine(string body)
    {
        await Verify.AnalyzeAsync(Method(body));
    }

    [Fact]
    public async Task The_GAN_idiom_freezing_the_discriminator_for_a_combined_model_is_not_reported()
    {
        string source = Method("""
                    var discriminator = new Sequential(new Layer[] { new Dense(1, activation: "sigmoid") });
                    discriminator.Compile("adam", "binary_crossentropy");
                    discriminator.Trainable = false;
                    var gan = new Sequential(new Layer[] { generator, discriminator });
                    gan.Compile("adam", "binary_crossentropy");
                    for (int step = 0; step < 10; step++)
                    {
                        discriminator.TrainOnBatch(x, y);
                        gan.TrainOnBatch(x, y);
                    }
            """);
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Order_follows_control_flow()
    {
        string source = Method("""
                    var model = new Sequential(new Layer[] { new Dense(1) });
                    model.Compile("adam", "mse");
                    if (x.shape[0] > 10)
                    {
                        model.Trainable = false;
                        model.Compile("adam", "mse");
                    }
                    model.Fit(x, y, verbose: 0);
            """);
        await Verify.AnalyzeAsync(source);
    }
}

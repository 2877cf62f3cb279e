using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.ConfigAfterObjectsAnalyzer, Keras.Analyzers.CodeFixes.MoveBeforeFirstKerasObjectCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras010ConfigAfterObjectsTests
{
    private static string Method(string body) => $$"""
        using Keras.Layers;
        using Keras.Models;

        class Program
        {
            static void Main()
            {
        {{body}}
            }
        }
        """;

    [Theory]
    [InlineData("Keras.Config.SetFloatx(\"float64\")")]
    [InlineData("Keras.Backend.SetFloatx(\"float64\")")]
    [InlineData("Keras.Config.SetDtypePolicy(\"mixed_bfloat16\")")]
    [InlineData("Keras.Config.SetImageDataFormat(\"channels_first\")")]
    public async Task Config_changed_between_creating_a_layer_and_using_it_is_moved_before_the_first_keras_object(string call)
    {
        string source = Method($$"""
                    var dense = new Dense(4);
                    {|KERAS010:{{call}}|};
                    dense.Build(new long[] { -1, 3 });
            """);
        string fixedSource = Method($$"""
                    {{call}};
                    var dense = new Dense(4);
                    dense.Build(new long[] { -1, 3 });
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("""
                Keras.Config.SetFloatx("float64");
                var dense = new Dense(4);
                dense.Build(new long[] { -1, 3 });
        """)]
    [InlineData("""
                var dense = new Dense(4);
                Keras.Config.SetEpsilon(1e-5);
                dense.Build(new long[] { -1, 3 });
        """)]
    [InlineData("""
                var dense = new Dense(4);
                dense.Build(new long[] { -1, 3 });
                Keras.Config.SetFloatx("float64");
                var next = new Dense(2);
                next.Build(new long[] { -1, 4 });
        """)]
    public async Task Config_set_before_the_objects_it_should_affect_or_epsilon_changes_are_fine(string body)
    {
        await Verify.AnalyzeAsync(Method(body));
    }

    [Fact]
    public async Task A_model_created_before_and_used_after_is_named()
    {
        string source = Method("""
                    var model = new Sequential();
                    model.Add(new Dense(2));
                    {|KERAS010:Keras.Config.SetFloatx("float64")|};
                    model.Summary();
            """);
        await Verify.AnalyzeAsync(source);
    }
}

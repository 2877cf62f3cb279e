using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.SetBackendWithLiveObjectsAnalyzer, Keras.Analyzers.CodeFixes.MoveBeforeFirstKerasObjectCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras002SetBackendTests
{
    private static string Method(string body, string parameters = "") => $$"""
        using Keras.Layers;
        using Keras.Models;

        class Program
        {
            static void Main() { }

            static void Run({{parameters}})
            {
        {{body}}
            }
        }
        """;

    [Fact]
    public async Task SetBackend_between_creating_a_model_and_using_it_is_moved_before_the_first_keras_object()
    {
        string source = Method("""
                    var model = new Sequential(new Layer[] { new Dense(2) });
                    {|KERAS002:Keras.Config.SetBackend("torch")|};
                    model.Summary();
            """);
        string fixedSource = Method("""
                    Keras.Config.SetBackend("torch");
                    var model = new Sequential(new Layer[] { new Dense(2) });
                    model.Summary();
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Every_object_is_named_once_per_call()
    {
        string source = Method("""
                    var a = new Dense(2);
                    var b = new Dense(3);
                    {|KERAS002:Keras.Config.SetBackend("torch")|};
                    a.Build(new long[] { -1, 4 });
                    b.Build(new long[] { -1, 4 });
            """);
        await Verify.AnalyzeAsync(source);
    }

    [Theory]
    [InlineData("""
                Keras.Config.SetBackend("torch");
                var model = new Sequential();
                model.Summary();
        """)]
    [InlineData("""
                var model = new Sequential();
                model.Summary();
                Keras.Config.SetBackend("torch");
        """)]
    [InlineData("""
                var model = new Sequential();
                Keras.Config.SetBackend("torch");
                model = new Sequential();
                model.Summary();
        """)]
    public async Task No_diagnostic_when_no_object_created_before_is_used_after(string body)
    {
        await Verify.AnalyzeAsync(Method(body));
    }

    [Fact]
    public async Task Order_follows_control_flow_not_text_a_branch_that_returns_never_reaches_the_use()
    {
        string source = Method("""
                    var model = new Sequential();
                    if (reset)
                    {
                        Keras.Config.SetBackend("torch");
                        return;
                    }
                    model.Summary();
            """, "bool reset");
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Order_follows_control_flow_a_loop_reaches_the_use_in_the_next_iteration()
    {
        string source = Method("""
                    var model = new Sequential();
                    for (int i = 0; i < 3; i++)
                    {
                        model.Summary();
                        {|KERAS002:Keras.Config.SetBackend("torch")|};
                    }
            """);
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Top_level_statements_are_analyzed_and_fixed()
    {
        const string source = """
            using Keras.Models;
            var model = new Sequential();
            {|KERAS002:Keras.Config.SetBackend("torch")|};
            model.Summary();
            """;
        const string fixedSource = """
            using Keras.Models;
            Keras.Config.SetBackend("torch");
            var model = new Sequential();
            model.Summary();
            """;
        await Verify.FixAsync(source, fixedSource);
    }

    [Fact]
    public async Task No_fix_when_the_argument_is_not_a_constant()
    {
        string source = Method("""
                    var model = new Sequential();
                    {|KERAS002:Keras.Config.SetBackend(name)|};
                    model.Summary();
            """, "string name");
        await Verify.FixAsync(source, source);
    }

    [Fact]
    public async Task Fix_all_moves_the_call_in_every_method()
    {
        const string source = """
            using Keras.Models;
            class Program
            {
                static void Main() { }
                static void A() { var m = new Sequential(); {|KERAS002:Keras.Config.SetBackend("torch")|}; m.Summary(); }
                static void B() { var m = new Sequential(); {|KERAS002:Keras.Config.SetBackend("torch")|}; m.Summary(); }
            }
            """;
        const string fixedSource = """
            using Keras.Models;
            class Program
            {
                static void Main() { }
                static void A() { Keras.Config.SetBackend("torch"); var m = new Sequential(); m.Summary(); }
                static void B() { Keras.Config.SetBackend("torch"); var m = new Sequential(); m.Summary(); }
            }
            """;
        await Verify.FixAsync(source, fixedSource);
    }
}

using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.ModelInLoopAnalyzer, Keras.Analyzers.CodeFixes.InsertClearSessionCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras101ModelInLoopTests
{
    private static string Method(string body) => $$"""
        using System.Collections.Generic;
        using System.Linq;
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

    [Fact]
    public async Task Seed_example_1_gets_ClearSession_at_the_top_of_the_loop()
    {
        string source = Method("""
                    for (int i = 0; i < 100; i++)
                    {
                        var model = {|KERAS101:new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(10)))|};
                        model.Summary();
                    }
            """);
        string fixedSource = Method("""
                    for (int i = 0; i < 100; i++)
                    {
                        Keras.Utils.ClearSession();
                        var model = new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(10)));
                        model.Summary();
                    }
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    [Fact]
    public async Task Foreach_while_and_do_loops_are_covered_and_a_bare_body_becomes_a_block()
    {
        string source = Method("""
                    foreach (var units in new[] { 8, 16 })
                        {|KERAS101:new Sequential()|}.Summary();
                    int n = 0;
                    while (n++ < 3)
                    {
                        var m = {|KERAS101:new Sequential()|};
                    }
                    do
                    {
                        var m = {|KERAS101:new Sequential()|};
                        m.Add(new Dense(1));
                    } while (n-- > 0);
            """);
        string fixedSource = Method("""
                    foreach (var units in new[] { 8, 16 })
                    {
                        Keras.Utils.ClearSession();
                        new Sequential().Summary();
                    }
                    int n = 0;
                    while (n++ < 3)
                    {
                        Keras.Utils.ClearSession();
                        var m = new Sequential();
                    }
                    do
                    {
                        Keras.Utils.ClearSession();
                        var m = new Sequential();
                        m.Add(new Dense(1));
                    } while (n-- > 0);
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("""
                for (int i = 0; i < 100; i++)
                {
                    Keras.Backend.ClearSession();
                    var model = new Sequential();
                    model.Summary();
                }
        """)]
    [InlineData("""
                var model = new Sequential();
                for (int i = 0; i < 10; i++) model.Add(new Dense(10));
        """)]
    [InlineData("""
                var models = new List<Sequential>();
                for (int i = 0; i < 5; i++)
                {
                    var model = new Sequential();
                    models.Add(model);
                }
        """)]
    [InlineData("""
                var ensemble = new List<Sequential>();
                for (int i = 0; i < 5; i++) ensemble.Add(new Sequential());
        """)]
    [InlineData("""
                Sequential? last = null;
                for (int i = 0; i < 5; i++) last = new Sequential();
                last?.Summary();
        """)]
    [InlineData("""
                for (int i = 0; i < 5; i++)
                {
                    var model = new Sequential();
                    Train(model);
                }
        """)]
    [InlineData("""
                var makers = new List<System.Func<Sequential>>();
                for (int i = 0; i < 5; i++) makers.Add(() => new Sequential());
        """)]
    [InlineData("""
                var layers = Enumerable.Range(0, 10).Select(_ => new Dense(10)).ToList();
        """)]
    public async Task Loops_where_ClearSession_would_be_wrong_or_is_there_are_not_reported(string body)
    {
        string source = Method(body).Replace("    static void Main()", "    static void Train(Sequential m) { }\n    static void Main()");
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Only_the_innermost_loop_is_reported_and_fix_all_fixes_every_loop()
    {
        string source = Method("""
                    for (int a = 0; a < 2; a++)
                    {
                        var outer = {|KERAS101:new Sequential()|};
                        for (int b = 0; b < 2; b++)
                        {
                            var inner = {|KERAS101:new Sequential()|};
                        }
                    }
            """);
        string fixedSource = Method("""
                    for (int a = 0; a < 2; a++)
                    {
                        Keras.Utils.ClearSession();
                        var outer = new Sequential();
                        for (int b = 0; b < 2; b++)
                        {
                            Keras.Utils.ClearSession();
                            var inner = new Sequential();
                        }
                    }
            """);
        await Verify.FixAsync(source, fixedSource);
    }
}

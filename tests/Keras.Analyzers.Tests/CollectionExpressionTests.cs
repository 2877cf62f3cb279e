using Xunit;
using Verify301 = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.UnknownIdentifierAnalyzer, Keras.Analyzers.CodeFixes.UnknownIdentifierCodeFix>;
using Verify104 = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.UnproducibleMonitorAnalyzer, Keras.Analyzers.CodeFixes.UnproducibleMonitorCodeFix>;

namespace Keras.Analyzers.Tests;

/// <summary>
/// KERAS301 and KERAS104 read metric (and callback) lists written as C# 12 collection expressions as they read arrays.
/// These tests run on Roslyn 4.8, whose operation tree has no collection-expression operation (an OperationKind.None
/// with the elements as children); the SampleTests build the RuleTour sample with the SDK's compiler, which has one.
/// </summary>
public class CollectionExpressionTests
{
    [Theory]
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [\"accuracy\", {|KERAS301:\"acuracy\"|}]);",
                "new Sequential().Compile(\"adam\", \"mse\", [\"accuracy\", \"accuracy\"]);")]
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", metrics: [{|KERAS301:\"maee\"|}]);",
                "new Sequential().Compile(\"adam\", \"mse\", metrics: [\"mae\"]);")]
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [Names.Acc, {|KERAS301:Names.Typo|}]);",
                "new Sequential().Compile(\"adam\", \"mse\", [Names.Acc, \"accuracy\"]);")] // constants through const fields
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [{|KERAS301:\"acuracy\"|}, ..names]);",
                "new Sequential().Compile(\"adam\", \"mse\", [\"accuracy\", ..names]);")] // the constant element beside a spread
    public async Task KERAS301_unknown_metric_names_in_a_collection_expression_get_the_did_you_mean_fix(string bad, string good)
    {
        await Verify301.FixAsync(Program301(bad), Program301(good));
    }

    [Theory]
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [\"accuracy\", \"mae\", \"acc\"]);")]
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", []);")] // empty
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [..names]);")] // a spread is not looked into
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [.. new[] { \"acuracy\" }]);")] // not even of an array written in place
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [args[0], typed]);")] // not constants
    [InlineData("new Sequential().Compile(\"adam\", \"mse\", [null]);")] // Keras' error, not an unknown name
    [InlineData("new Sequential().Compile(new Keras.Optimizers.Adam(), new Keras.Losses.MeanSquaredError(), [new Keras.Metrics.MeanAbsoluteError()]);")] // objects
    public async Task KERAS301_known_names_spreads_non_constants_and_empty_collections_are_silent(string statement)
    {
        await Verify301.AnalyzeAsync(Program301(statement));
    }

    [Fact]
    public async Task KERAS301_fix_all_replaces_every_unknown_name_in_collection_expressions()
    {
        string source = Program301("""
            new Sequential().Compile("adam", "mse", [{|KERAS301:"acuracy"|}, "mae", {|KERAS301:"maee"|}]);
                    new Sequential().Compile("adam", "mse", metrics: [{|KERAS301:"acuracy"|}]);
            """);
        string fixedSource = Program301("""
            new Sequential().Compile("adam", "mse", ["accuracy", "mae", "mae"]);
                    new Sequential().Compile("adam", "mse", metrics: ["accuracy"]);
            """);
        await Verify301.FixAsync(source, fixedSource);
    }

    [Theory]
    [InlineData("[\"accuracy\"]", "model.Fit(x, y, validationSplit: 0.2, callbacks: new Callback[] { new EarlyStopping(monitor: {|KERAS104:\"val_acc\"|}) });",
                "model.Fit(x, y, validationSplit: 0.2, callbacks: new Callback[] { new EarlyStopping(monitor: \"val_accuracy\") });")]
    [InlineData("[\"mae\", \"accuracy\"]", "model.Fit(x, y, validationSplit: 0.2, callbacks: [new EarlyStopping(monitor: {|KERAS104:\"val_acc\"|})]);",
                "model.Fit(x, y, validationSplit: 0.2, callbacks: [new EarlyStopping(monitor: \"val_accuracy\")]);")] // callbacks in a collection expression too
    [InlineData("[\"acc\"]", "model.Fit(x, y, callbacks: [new ReduceLROnPlateau(monitor: {|KERAS104:\"accuracy\"|})]);",
                "model.Fit(x, y, callbacks: [new ReduceLROnPlateau(monitor: \"acc\")]);")] // logged under the name compiled
    [InlineData("[\"accuracy\"]", "model.Fit(x, y, callbacks: [{|KERAS104:new EarlyStopping(patience: 3)|}]);",
                "model.Fit(x, y, callbacks: [new EarlyStopping(patience: 3, monitor: \"loss\")]);")] // default val_loss, no validation
    public async Task KERAS104_monitors_are_judged_against_metrics_compiled_in_a_collection_expression(string metrics, string bad, string good)
    {
        await Verify104.FixAsync(Program104(metrics, bad), Program104(metrics, good));
    }

    [Fact]
    public async Task KERAS104_a_local_callback_beside_a_spread_is_judged_and_the_spread_is_not()
    {
        // Reported on the local's creation, outside the Fit call: the testing library applies no fix to such a diagnostic.
        await Verify104.AnalyzeAsync(Program104("[\"accuracy\"]", "model.Fit(x, y, validationSplit: 0.2, callbacks: [early, ..more]);",
            "var early = new EarlyStopping(monitor: {|KERAS104:\"val_acc\"|});"));
    }

    [Fact]
    public async Task KERAS104_an_empty_collection_compiles_no_metric()
    {
        string source = Program104("[]", "model.Fit(x, y, callbacks: [new EarlyStopping(monitor: {|KERAS104:\"accuracy\"|})]);");
        await Verify104.FixAsync(source, source); // only 'loss' is logged: nothing to rename to
    }

    [Theory]
    [InlineData("[\"accuracy\", ..extra]")] // a spread: the compiled list is unknown
    [InlineData("[\"accuracy\", args[0]]")] // not a constant
    [InlineData("[typed]")]
    [InlineData("[..extra]")]
    public async Task KERAS104_metric_lists_it_cannot_read_in_full_are_not_judged(string metrics)
    {
        await Verify104.AnalyzeAsync(Program104(metrics, "model.Fit(x, y, validationSplit: 0.2, callbacks: [new EarlyStopping(monitor: \"val_acc\"), new EarlyStopping(monitor: \"val_mae\")]);"));
    }

    [Theory]
    [InlineData("[\"accuracy\"]", "model.Fit(x, y, validationSplit: 0.2, callbacks: [new EarlyStopping(monitor: \"val_accuracy\")]);")]
    [InlineData("[]", "model.Fit(x, y, validationSplit: 0.2, callbacks: [new EarlyStopping()]);")] // val_loss with validation
    [InlineData("[\"acc\"]", "model.Fit(x, y, callbacks: [new EarlyStopping(monitor: \"acc\"), new ModelCheckpoint(\"last.keras\")]);")]
    [InlineData("[\"accuracy\"]", "model.Fit(x, y, callbacks: [..more]);")] // callbacks only in a spread
    [InlineData("[\"accuracy\"]", "model.Fit(x, y, callbacks: []);")]
    public async Task KERAS104_monitors_the_fit_logs_are_fine_with_collection_expressions(string metrics, string statement)
    {
        await Verify104.AnalyzeAsync(Program104(metrics, statement));
    }

    [Fact]
    public async Task KERAS104_fix_all_renames_every_monitor_in_collection_expressions()
    {
        string source = Program104("[\"accuracy\"]",
            "model.Fit(x, y, validationSplit: 0.1, callbacks: [new EarlyStopping(monitor: {|KERAS104:\"val_acc\"|}), new ReduceLROnPlateau(monitor: {|KERAS104:\"val_acc\"|})]);");
        string fixedSource = Program104("[\"accuracy\"]",
            "model.Fit(x, y, validationSplit: 0.1, callbacks: [new EarlyStopping(monitor: \"val_accuracy\"), new ReduceLROnPlateau(monitor: \"val_accuracy\")]);");
        await Verify104.FixAsync(source, fixedSource);
    }

    private static string Program301(string statements) => $$"""
        using Keras.Layers;
        using Keras.Models;

        class Names { public const string Acc = "accuracy"; public const string Typo = "acuracy"; }

        class Program
        {
            static void Main(string[] args)
            {
                string[] names = { "acuracy" };
                string typed = args[0];
                {{statements}}
            }
        }
        """;

    /// <summary>A local model compiled once with <paramref name="metrics"/>, then <paramref name="statement"/>.</summary>
    private static string Program104(string metrics, string statement, string locals = "") => $$"""
        using Keras.Callbacks;
        using Keras.Layers;
        using Keras.Models;
        using TorchSharp;

        class Program
        {
            static void Main(string[] args)
            {
                var x = torch.ones(4, 2);
                var y = torch.ones(4, 1);
                string typed = args[0];
                string[] extra = { "mae" };
                Callback[] more = { new EarlyStopping(monitor: "val_acc") };
                {{locals}}
                var model = new Sequential([new Dense(1, activation: "sigmoid")]);
                model.Compile("adam", "binary_crossentropy", {{metrics}});
                {{statement}}
            }
        }
        """;
}

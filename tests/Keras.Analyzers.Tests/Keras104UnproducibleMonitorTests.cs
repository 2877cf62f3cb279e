using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.UnproducibleMonitorAnalyzer, Keras.Analyzers.CodeFixes.UnproducibleMonitorCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras104UnproducibleMonitorTests
{
    [Theory]
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: {|KERAS104:\"val_loss\"|}) });",
                "model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: \"loss\") });")]
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { {|KERAS104:new EarlyStopping(patience: 3)|} });",
                "model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(patience: 3, monitor: \"loss\") });")] // the default monitor is val_loss
    [InlineData("model.Fit(x, y, validationSplit: 0.2, callbacks: new Callback[] { new EarlyStopping(monitor: {|KERAS104:\"val_acc\"|}) });",
                "model.Fit(x, y, validationSplit: 0.2, callbacks: new Callback[] { new EarlyStopping(monitor: \"val_accuracy\") });")]
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new ReduceLROnPlateau(monitor: {|KERAS104:\"val_accuracy\"|}) });",
                "model.Fit(x, y, callbacks: new Callback[] { new ReduceLROnPlateau(monitor: \"accuracy\") });")]
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new ModelCheckpoint(\"best.keras\", monitor: {|KERAS104:\"val_loss\"|}, saveBestOnly: true) });",
                "model.Fit(x, y, callbacks: new Callback[] { new ModelCheckpoint(\"best.keras\", monitor: \"loss\", saveBestOnly: true) });")]
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: {|KERAS104:\"acc\"|}) });",
                "model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: \"accuracy\") });")]
    public async Task Monitors_the_fit_cannot_log_are_warnings_fixed_with_the_logged_name(string bad, string good)
    {
        await Verify.FixAsync(Program(bad), Program(good));
    }

    [Fact]
    public async Task A_validation_entry_of_a_metric_never_compiled_has_no_fix()
    {
        string source = Program("model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: {|KERAS104:\"val_mae\"|}) });");
        await Verify.FixAsync(source, source);
    }

    [Theory]
    [InlineData("model.Fit(x, y, validationSplit: 0.2, callbacks: new Callback[] { new EarlyStopping() });")]
    [InlineData("model.Fit(x, y, validationData: (x, y), callbacks: new Callback[] { new EarlyStopping(monitor: \"val_accuracy\") });")]
    [InlineData("model.Fit(x, y, validationSplit: split, callbacks: new Callback[] { new EarlyStopping() });")] // not a constant
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: \"loss\"), new EarlyStopping(monitor: \"accuracy\") });")]
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new ModelCheckpoint(\"last.keras\") });")] // not saveBestOnly: the monitor is unused
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: name) });")] // not a constant
    [InlineData("model.Fit(x, y, callbacks: callbacks);")] // built elsewhere
    [InlineData("model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: \"my_custom_entry\") });")] // a name we cannot judge
    public async Task Monitors_the_fit_logs_or_that_cannot_be_judged_are_fine(string statement)
    {
        await Verify.AnalyzeAsync(Program(statement));
    }

    [Fact]
    public async Task Metric_names_are_not_judged_when_the_compile_is_not_in_view()
    {
        const string source = """
            using Keras.Callbacks;
            using Keras.Models;
            class T
            {
                static void Main() { }
                void Run(Sequential model, TorchSharp.torch.Tensor x)
                {
                    model.Fit(x, x, validationSplit: 0.1, callbacks: new Callback[] { new EarlyStopping(monitor: "val_acc") });
                }
            }
            """;
        await Verify.AnalyzeAsync(source);
    }

    [Fact]
    public async Task Fix_all_renames_every_monitor()
    {
        string source = Program("""
            model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: {|KERAS104:"val_loss"|}), new ReduceLROnPlateau(monitor: {|KERAS104:"val_loss"|}) });
            """);
        string fixedSource = Program("""
            model.Fit(x, y, callbacks: new Callback[] { new EarlyStopping(monitor: "loss"), new ReduceLROnPlateau(monitor: "loss") });
            """);
        await Verify.FixAsync(source, fixedSource);
    }

    internal static string Program(string statement) => $$"""
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
                double split = args.Length;
                string name = args[0];
                Callback[] callbacks = new Callback[0];
                var model = new Sequential(new Layer[] { new Dense(1, activation: "sigmoid") });
                model.Compile("adam", "binary_crossentropy", new[] { "accuracy" });
                {{statement}}
            }
        }
        """;
}

using System.Runtime.CompilerServices;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Microsoft.Extensions.Logging;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Traceback filtering and interactive logging (keras-reference.md §1.6) in .NET terms.</summary>
public class TracebackAndLoggingTests : KerasTestBase
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UserCodeSettingABadFloatx() => Config.SetFloatx("float8");

    [Fact]
    public void With_filtering_on_a_keras_error_shows_the_users_frames_not_kerass()
    {
        var e = Assert.Throws<KerasArgumentException>(UserCodeSettingABadFloatx);
        Assert.Contains(nameof(UserCodeSettingABadFloatx), e.StackTrace);
        Assert.DoesNotContain("Keras.Config.SetFloatx", e.StackTrace);
        Assert.DoesNotContain("Keras.Config.SetFloatx", e.ToString());
    }

    [Fact]
    public void With_filtering_off_a_keras_error_keeps_every_frame()
    {
        Config.DisableTracebackFiltering();
        var e = Assert.Throws<KerasArgumentException>(UserCodeSettingABadFloatx);
        Assert.Contains("Keras.Config.SetFloatx", e.StackTrace);
        Assert.Contains(nameof(UserCodeSettingABadFloatx), e.StackTrace);
    }

    /// <summary>A layer whose computation fails inside TorchSharp (a reshape that cannot work).</summary>
    private sealed class FailLayer : Layer
    {
        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training) => inputs.view(-1, 7);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UserCodeCallingAModelThatFails(Sequential model)
    {
        using var bad = torch.ones(2, 5);
        model.Call(bad).Dispose();
    }

    [Fact]
    public void With_filtering_on_a_torch_failure_inside_a_layer_names_the_layer_and_its_arguments()
    {
        var model = new Sequential(new Layer[] { new FailLayer() });
        var e = Assert.Throws<KerasRuntimeException>(() => UserCodeCallingAModelThatFails(model));
        Assert.Contains("Exception encountered when calling FailLayer.Call().", e.Message);
        Assert.Contains("inputs=torch.Tensor(shape=[2, 5], dtype=float32)", e.Message);
        Assert.Contains("training=None", e.Message);
        Assert.IsType<System.Runtime.InteropServices.ExternalException>(e.InnerException);
        Assert.Contains(nameof(UserCodeCallingAModelThatFails), e.StackTrace);
        Assert.DoesNotContain("Keras.Layers", e.StackTrace);
        Assert.DoesNotContain("Keras.Models", e.StackTrace);
    }

    [Fact]
    public void With_filtering_off_a_torch_failure_propagates_unchanged_with_all_frames()
    {
        Config.DisableTracebackFiltering();
        var model = new Sequential(new Layer[] { new FailLayer() });
        var e = Assert.ThrowsAny<Exception>(() => UserCodeCallingAModelThatFails(model));
        Assert.IsType<System.Runtime.InteropServices.ExternalException>(e);
        Assert.Contains("Keras.Layers.Layer.Call", e.StackTrace);
        Assert.Contains(nameof(FailLayer), e.StackTrace);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UserCodeCallingDenseWithTheWrongWidth(Dense dense)
    {
        using var bad = torch.ones(2, 5);
        dense.Call(bad).Dispose();
    }

    [Fact]
    public void A_keras_input_check_error_keeps_its_type_and_shows_only_user_frames()
    {
        var dense = new Dense(2);
        dense.Build(new long[] { -1, 3 });
        var e = Assert.Throws<KerasArgumentException>(() => UserCodeCallingDenseWithTheWrongWidth(dense));
        Assert.Contains(nameof(UserCodeCallingDenseWithTheWrongWidth), e.StackTrace);
        Assert.DoesNotContain("Keras.Layers", e.StackTrace);
    }

    [Fact]
    public void When_every_frame_is_internal_the_innermost_frame_is_kept()
    {
        Exception? caught = null;
        try
        {
            throw new KerasArgumentException("boom");
        }
        catch (KerasArgumentException e)
        {
            caught = e;
        }
        Assert.NotNull(caught!.StackTrace); // thrown from the test assembly: its frame is kept
        Assert.Contains(nameof(When_every_frame_is_internal_the_innermost_frame_is_kept), caught.StackTrace);
    }

    [Fact]
    public void Interactive_logging_prints_messages_to_stdout()
    {
        var stdout = new StringWriter();
        Utilities.IoUtils.StdoutOverride = stdout;
        Utils.PrintMsg("Hello");
        Utils.PrintMsg("Hello", lineBreak: false);
        Assert.Equal("Hello\nHello", stdout.ToString());
    }

    [Fact]
    public void Without_interactive_logging_messages_go_to_microsoft_extensions_logging_not_stdout()
    {
        var stdout = new StringWriter();
        Utilities.IoUtils.StdoutOverride = stdout;
        var provider = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(LogLevel.Trace));
        Utils.SetLoggerFactory(factory);
        Config.DisableInteractiveLogging();

        var model = new Sequential(new Layer[] { new Dense(2) });
        model.Build(new long[] { -1, 3 });
        model.Summary();
        Utils.PrintMsg("Hello");

        Assert.Equal("", stdout.ToString());
        Assert.Contains(provider.Entries, e => e.Level == LogLevel.Information && e.Category == "Keras" && e.Message.Contains("Model: \"sequential\""));
        Assert.Contains(provider.Entries, e => e.Message == "Hello");
    }

    [Fact]
    public void Summary_prints_the_layer_table_with_parameter_counts()
    {
        var stdout = new StringWriter();
        Utilities.IoUtils.StdoutOverride = stdout;
        var model = new Sequential(new Layer[] { new Dense(64), new Dense(10) });
        model.Build(new long[] { -1, 784 });
        model.Summary();
        string text = stdout.ToString();
        Assert.Contains("Model: \"sequential\"", text);
        Assert.Contains("dense (Dense)", text);
        Assert.Contains("(None, 64)", text);
        Assert.Contains("50,240", text);
        Assert.Contains("Total params: 50,890", text);
    }

    [Fact]
    public void Warnings_go_to_the_logger_when_one_is_set()
    {
        var provider = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(provider));
        Utils.SetLoggerFactory(factory);
        Config.SetBackend("torch");
        Assert.Contains(provider.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("dangerous"));
    }

    internal sealed record LogEntry(string Category, LogLevel Level, string Message);

    internal sealed class ListLoggerProvider : ILoggerProvider
    {
        public List<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new ListLogger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class ListLogger(ListLoggerProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries) owner.Entries.Add(new LogEntry(category, logLevel, formatter(state, exception)));
            }
        }
    }
}

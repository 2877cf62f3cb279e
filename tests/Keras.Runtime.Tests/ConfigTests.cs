using Keras.Errors;
using Keras.Layers;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>keras.config, pinned to keras-reference.md §1 and the doctests of seeds 000 and 001.</summary>
public class ConfigTests : KerasTestBase
{
    [Fact]
    public void Floatx_defaults_to_float32_and_round_trips_like_the_doctest()
    {
        Assert.Equal("float32", Config.Floatx());
        Config.SetFloatx("float64");
        Assert.Equal("float64", Config.Floatx());
        Config.SetFloatx("float32");
        Assert.Equal("float32", Config.Floatx());
    }

    [Theory]
    [InlineData("bfloat16")]
    [InlineData("float16")]
    [InlineData("float32")]
    [InlineData("float64")]
    public void SetFloatx_accepts_the_four_keras_float_types(string value)
    {
        Config.SetFloatx(value);
        Assert.Equal(value, Config.Floatx());
    }

    [Theory]
    [InlineData("float8")]
    [InlineData("Float32")]
    [InlineData("int32")]
    [InlineData("")]
    public void SetFloatx_rejects_other_values_with_keras_message(string value)
    {
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetFloatx(value));
        Assert.StartsWith($"Unknown `floatx` value: {value}. Expected one of {{'bfloat16', 'float16', 'float32', 'float64'}}", e.Message);
        Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.Equal("float32", Config.Floatx());
    }

    [Fact]
    public void SetFloatx_suggests_the_nearest_value()
    {
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetFloatx("flaot32"));
        Assert.Contains("Did you mean 'float32'?", e.Message);
    }

    [Fact]
    public void Epsilon_defaults_to_1e_7_and_round_trips_like_the_doctest()
    {
        Assert.Equal(1e-7, Config.Epsilon());
        Config.SetEpsilon(1e-5);
        Assert.Equal(1e-5, Config.Epsilon());
        Config.SetEpsilon(1e-7);
        Assert.Equal(1e-7, Config.Epsilon());
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1e-7)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void SetEpsilon_rejects_values_that_are_not_positive_and_finite(double value)
    {
        var e = Assert.Throws<KerasArgumentOutOfRangeException>(() => Config.SetEpsilon(value));
        Assert.Contains("`epsilon` must be a positive, finite number", e.Message);
        Assert.Equal(1e-7, Config.Epsilon());
    }

    [Fact]
    public void ImageDataFormat_defaults_to_channels_last_and_round_trips()
    {
        Assert.Equal("channels_last", Config.ImageDataFormat());
        Config.SetImageDataFormat("channels_first");
        Assert.Equal("channels_first", Config.ImageDataFormat());
        Config.SetImageDataFormat("channels_last");
        Assert.Equal("channels_last", Config.ImageDataFormat());
    }

    [Fact]
    public void SetImageDataFormat_lowercases_its_argument_as_keras()
    {
        Config.SetImageDataFormat("Channels_First");
        Assert.Equal("channels_first", Config.ImageDataFormat());
    }

    [Fact]
    public void SetImageDataFormat_rejects_other_values_showing_the_lowercased_value()
    {
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetImageDataFormat("NHWC"));
        Assert.StartsWith("The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=nhwc", e.Message);
    }

    [Fact]
    public void Backend_is_torch()
    {
        Assert.Equal("torch", Config.Backend());
    }

    [Fact]
    public void SetBackend_rejects_unknown_names_listing_available_backends()
    {
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetBackend("abc"));
        Assert.StartsWith("Available backends are ('tensorflow', 'jax', 'torch', 'numpy' and 'openvino'). Received: backend=abc", e.Message);
    }

    [Theory]
    [InlineData("tensorflow")]
    [InlineData("jax")]
    [InlineData("numpy")]
    [InlineData("openvino")]
    public void SetBackend_recognises_keras_backends_this_runtime_cannot_run_and_says_what_it_supports(string name)
    {
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetBackend(name));
        Assert.Contains($"The '{name}' backend is not available in KerasTooling", e.Message);
        Assert.Contains("only backend is 'torch'", e.Message);
        Assert.Equal("torch", Config.Backend());
    }

    [Fact]
    public void SetBackend_makes_objects_created_before_it_a_clear_error_when_used()
    {
        var layer = new Dense(2);
        using var x = TorchSharp.torch.ones(1, 3);
        layer.Call(x).Dispose();

        Config.SetBackend("torch");

        var e = Assert.Throws<KerasObjectReleasedException>(() => layer.Call(x));
        Assert.Contains("created before Keras.Config.SetBackend", e.Message);
        Assert.True(layer.IsReleased);
        Assert.Equal("dense", new Dense(2).Name); // the reloaded Keras starts a fresh global state
        Assert.Contains("dangerous", ((StringWriter)Keras.Utilities.IoUtils.StderrOverride!).ToString());
    }

    [Fact]
    public void SetBackend_reloads_configuration_as_a_reimport_does()
    {
        Config.SetFloatx("float64");
        Config.SetBackend("torch");
        Assert.Equal("float32", Config.Floatx());
        Assert.Equal("torch", Environment.GetEnvironmentVariable("KERAS_BACKEND"));
    }

    [Fact]
    public void Traceback_filtering_is_on_by_default_toggles_and_clear_session_restores_it()
    {
        Assert.True(Config.IsTracebackFilteringEnabled());
        Config.DisableTracebackFiltering();
        Assert.False(Config.IsTracebackFilteringEnabled());
        Config.EnableTracebackFiltering();
        Assert.True(Config.IsTracebackFilteringEnabled());
        Config.DisableTracebackFiltering();
        Utils.ClearSession();
        Assert.True(Config.IsTracebackFilteringEnabled());
    }

    [Fact]
    public void Interactive_logging_is_on_by_default_toggles_and_clear_session_restores_it()
    {
        Assert.True(Config.IsInteractiveLoggingEnabled());
        Config.DisableInteractiveLogging();
        Assert.False(Config.IsInteractiveLoggingEnabled());
        Config.EnableInteractiveLogging();
        Assert.True(Config.IsInteractiveLoggingEnabled());
        Config.DisableInteractiveLogging();
        Utils.ClearSession();
        Assert.True(Config.IsInteractiveLoggingEnabled());
    }

    [Fact]
    public void Flash_attention_is_auto_by_default_enable_stores_auto_disable_stores_false_never_true()
    {
        Assert.Null(Config.IsFlashAttentionEnabled());
        Config.DisableFlashAttention();
        Assert.False(Config.IsFlashAttentionEnabled());
        Config.EnableFlashAttention();
        Assert.Null(Config.IsFlashAttentionEnabled());
        Config.DisableFlashAttention();
        Utils.ClearSession();
        Assert.Null(Config.IsFlashAttentionEnabled());
    }

    [Fact]
    public void Unsafe_deserialization_is_undone_by_clear_session()
    {
        Assert.Null(State.GlobalState.SafeModeSaving);
#pragma warning disable KERAS009 // the point of this test
        Config.EnableUnsafeDeserialization();
#pragma warning restore KERAS009
        Assert.False(State.GlobalState.SafeModeSaving);
        Utils.ClearSession();
        Assert.Null(State.GlobalState.SafeModeSaving);
    }

    [Fact]
    public void Nnx_is_disabled_by_default()
    {
        Assert.False(Config.IsNnxEnabled());
    }

    [Fact]
    public void Max_epochs_and_steps_default_to_no_cap_and_survive_clear_session()
    {
        Assert.Null(Config.MaxEpochs());
        Assert.Null(Config.MaxStepsPerEpoch());
        Config.SetMaxEpochs(2);
        Config.SetMaxStepsPerEpoch(3);
        Utils.ClearSession();
        Assert.Equal(2, Config.MaxEpochs());
        Assert.Equal(3, Config.MaxStepsPerEpoch());
        Config.SetMaxEpochs(null);
        Config.SetMaxStepsPerEpoch(0); // falsy: no cap in Keras, accepted
        Assert.Null(Config.MaxEpochs());
        Assert.Equal(0, Config.MaxStepsPerEpoch());
    }

    [Fact]
    public void Negative_caps_are_rejected()
    {
        Assert.Throws<KerasArgumentOutOfRangeException>(() => Config.SetMaxEpochs(-1));
        Assert.Throws<KerasArgumentOutOfRangeException>(() => Config.SetMaxStepsPerEpoch(-5));
    }

    [Fact]
    public void Module_level_settings_survive_clear_session()
    {
        Config.SetFloatx("float64");
        Config.SetEpsilon(1e-3);
        Config.SetImageDataFormat("channels_first");
        Utils.ClearSession();
        Assert.Equal("float64", Config.Floatx());
        Assert.Equal(1e-3, Config.Epsilon());
        Assert.Equal("channels_first", Config.ImageDataFormat());
    }

    [Fact]
    public void Version_is_a_semantic_version()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", Config.Version());
        Assert.Equal("3.15.1", Config.KerasApiVersion);
    }

    [Fact]
    public void Backend_helpers_mirror_config_like_tf_keras_backend_config_test()
    {
        Backend.SetEpsilon(1e-2);
        Assert.Equal(1e-2, Backend.Epsilon());
        Backend.SetEpsilon(1e-7);
        Assert.Equal(1e-7, Config.Epsilon());
        Backend.SetFloatx("float64");
        Assert.Equal("float64", Config.Floatx());
        Backend.SetFloatx("float32");
        Backend.SetImageDataFormat("channels_first");
        Assert.Equal("channels_first", Backend.ImageDataFormat());
        Backend.SetImageDataFormat("channels_last");
        Assert.Equal("channels_last", Config.ImageDataFormat());
    }
}

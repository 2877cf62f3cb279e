using System.Text;
using Keras.Configuration;
using Keras.Hosting;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>keras.json at run time, pinned to keras-reference.md §1.3.</summary>
public class KerasJsonTests : KerasTestBase
{
    private KerasSettings Load(Dictionary<string, string>? variables = null, BakedValues? baked = null)
    {
        variables ??= new Dictionary<string, string>();
        variables.TryAdd("KERAS_HOME", KerasHome);
        return KerasJsonFile.Load(TestEnvironment(variables), baked);
    }

    private string ConfigFile => Path.Combine(KerasHome, "keras.json");

    private void WriteConfig(string text) => File.WriteAllText(ConfigFile, text, new UTF8Encoding(false));

    [Fact]
    public void KERAS_HOME_is_used_verbatim()
    {
        var env = TestEnvironment(new Dictionary<string, string> { ["KERAS_HOME"] = "/some/where" }, home: "/home/u");
        Assert.Equal("/some/where", KerasJsonFile.KerasDirectory(env));
        Assert.Equal("/some/where/keras.json", KerasJsonFile.ConfigPath(env));
    }

    [Fact]
    public void Without_KERAS_HOME_the_folder_is_dot_keras_in_home()
    {
        var env = TestEnvironment(new Dictionary<string, string>(), home: "/home/u", homeWritable: true);
        Assert.Equal("/home/u/.keras", KerasJsonFile.KerasDirectory(env));
    }

    [Fact]
    public void When_home_is_not_writable_the_folder_falls_back_to_tmp_dot_keras()
    {
        var env = TestEnvironment(new Dictionary<string, string>(), home: "/home/u", homeWritable: false);
        Assert.Equal(OperatingSystem.IsWindows() ? Path.Combine(Path.GetTempPath(), ".keras") : "/tmp/.keras", KerasJsonFile.KerasDirectory(env));
    }

    [Fact]
    public void A_missing_file_is_created_with_kerass_defaults_in_kerass_key_order_and_indent()
    {
        var settings = Load();
        Assert.Equal("float32", settings.Floatx);
        Assert.Equal(
            "{\n    \"floatx\": \"float32\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}",
            File.ReadAllText(ConfigFile));
        Assert.Empty(Directory.GetFiles(KerasHome, "*.tmp")); // written atomically: no temp file left behind
    }

    [Fact]
    public void A_missing_folder_is_created()
    {
        string nested = Path.Combine(KerasHome, "a", "b");
        KerasJsonFile.Load(TestEnvironment(new Dictionary<string, string> { ["KERAS_HOME"] = nested }), null);
        Assert.True(File.Exists(Path.Combine(nested, "keras.json")));
    }

    [Fact]
    public void An_existing_file_is_never_rewritten()
    {
        const string text = "{\"floatx\": \"float64\", \"extra\": 1}";
        WriteConfig(text);
        Load();
        Assert.Equal(text, File.ReadAllText(ConfigFile));
        Assert.False(KerasJsonFile.TryCreateDefaultFile(KerasHome, ConfigFile));
        Assert.Equal(text, File.ReadAllText(ConfigFile));
    }

    [Fact]
    public void Failing_to_create_the_folder_or_file_is_ignored_as_keras_ignores_it()
    {
        string blocker = Path.Combine(KerasHome, "not-a-dir");
        File.WriteAllText(blocker, "x");
        var settings = KerasJsonFile.Load(TestEnvironment(new Dictionary<string, string> { ["KERAS_HOME"] = blocker }), null);
        Assert.Equal("float32", settings.Floatx);
    }

    [Fact]
    public void Values_in_an_existing_file_apply()
    {
        WriteConfig("{\"floatx\": \"float64\", \"epsilon\": 1e-05, \"backend\": \"torch\", \"image_data_format\": \"channels_first\"}");
        var s = Load();
        Assert.Equal("float64", s.Floatx);
        Assert.Equal(1e-5, s.Epsilon);
        Assert.Equal("channels_first", s.ImageDataFormat);
        Assert.Equal("torch", s.Backend);
        Assert.Equal(ConfigFile, s.ConfigPath);
    }

    [Fact]
    public void Real_world_files_with_BOM_CRLF_trailing_spaces_any_key_order_and_extra_keys_are_accepted()
    {
        File.WriteAllText(ConfigFile,
            "{\r\n  \"image_data_format\": \"channels_first\",  \r\n  \"my_key\": [1, 2],\r\n  \"epsilon\": 1e-7,\r\n  \"floatx\": \"float16\"\r\n}  \r\n",
            new UTF8Encoding(true));
        var s = Load();
        Assert.Equal("float16", s.Floatx);
        Assert.Equal(1e-7, s.Epsilon);
        Assert.Equal("channels_first", s.ImageDataFormat);
    }

    [Fact]
    public void Duplicate_keys_keep_the_last_value_as_python_dicts_do()
    {
        WriteConfig("{\"floatx\": \"float16\", \"floatx\": \"float64\"}");
        Assert.Equal("float64", Load().Floatx);
    }

    [Fact]
    public void Bfloat16_is_rejected_in_keras_json_as_kerass_import_check_does()
    {
        WriteConfig("{\n    \"floatx\": \"bfloat16\"\n}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Contains("Invalid `floatx` configuration. Expected one of {'float16', 'float32', 'float64'}. Received: floatx=bfloat16", e.Message);
        Assert.Equal(("floatx", 2, 15), (e.Key, e.Line, e.Column));
        Assert.Equal(ConfigFile, e.FilePath);
        Assert.Contains(ConfigFile + "(2,15)", e.Message);
    }

    [Fact]
    public void An_invalid_floatx_names_file_key_line_and_a_suggestion()
    {
        WriteConfig("{\n  \"epsilon\": 1e-07,\n  \"floatx\": \"flaot32\"\n}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Equal(("floatx", 3, 13), (e.Key, e.Line, e.Column));
        Assert.Contains("Received: floatx=flaot32", e.Message);
        Assert.Contains("Did you mean \"float32\"?", e.Message);
    }

    [Fact]
    public void An_integer_epsilon_is_rejected_because_keras_requires_a_python_float()
    {
        WriteConfig("{\"epsilon\": 1}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Contains("Invalid `epsilon` configuration. Expected a float. Received: epsilon=1", e.Message);
        Assert.Contains("1.0", e.Message);
        Assert.Equal(("epsilon", 1, 13), (e.Key, e.Line, e.Column));
    }

    [Theory]
    [InlineData("1.0", 1.0)]
    [InlineData("1e-07", 1e-7)]
    [InlineData("1e-7", 1e-7)]
    [InlineData("1E-3", 1e-3)]
    public void Epsilon_written_as_a_float_in_any_notation_is_accepted(string text, double expected)
    {
        WriteConfig("{\"epsilon\": " + text + "}");
        Assert.Equal(expected, Load().Epsilon);
    }

    [Theory]
    [InlineData("\"1e-7\"")]
    [InlineData("NaN")]
    [InlineData("-1e-7")]
    [InlineData("0.0")]
    [InlineData("Infinity")]
    public void Epsilon_that_is_not_a_positive_finite_float_is_rejected(string text)
    {
        WriteConfig("{\"epsilon\": " + text + "}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Equal("epsilon", e.Key);
    }

    [Fact]
    public void Image_data_format_in_the_file_is_not_lowercased()
    {
        WriteConfig("{\"image_data_format\": \"Channels_Last\"}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Contains("Invalid `image_data_format` configuration. Expected one of {'channels_last', 'channels_first'}. Received: image_data_format=Channels_Last", e.Message);
    }

    [Fact]
    public void Malformed_json_is_an_error_naming_the_file_line_and_column_not_silently_ignored()
    {
        WriteConfig("{\n    \"floatx\": \"float32\",\n    \"epsilon\": 1e-07\n    \"backend\": \"torch\"\n}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Contains("keras.json is not valid JSON", e.Message);
        Assert.Contains("comma", e.Message);
        Assert.Equal((4, 5), (e.Line, e.Column));
        Assert.Contains(ConfigFile, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[1, 2]")]
    [InlineData("\"float32\"")]
    [InlineData("{'floatx': 'float32'}")]
    [InlineData("{\"floatx\": \"float32\",}")]
    public void Files_keras_cannot_use_are_errors(string text)
    {
        WriteConfig(text);
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Equal(ConfigFile, e.FilePath);
        Assert.True(e.Line >= 1);
    }

    [Fact]
    public void An_unknown_backend_is_an_error()
    {
        WriteConfig("{\"backend\": \"pytorch\"}");
        var e = Assert.Throws<KerasJsonException>(() => Load());
        Assert.Contains("Unable to import backend : pytorch", e.Message);
        Assert.Contains("Did you mean \"torch\"?", e.Message);
    }

    [Fact]
    public void A_keras_backend_this_runtime_cannot_run_falls_back_to_torch_with_a_warning()
    {
        WriteConfig("{\"backend\": \"tensorflow\"}");
        var s = Load();
        Assert.Equal("torch", s.Backend);
        Assert.Contains(s.AllWarnings, w => w.Contains("\"tensorflow\"") && w.Contains("Using \"torch\""));
    }

    [Fact]
    public void Nnx_enabled_in_the_file_is_read_with_python_truthiness()
    {
        WriteConfig("{\"nnx_enabled\": true}");
        Assert.True(Load().NnxEnabled);
        WriteConfig("{\"nnx_enabled\": 0}");
        Assert.False(Load().NnxEnabled);
    }

    [Fact]
    public void KERAS_BACKEND_wins_over_the_file_and_an_empty_value_is_ignored()
    {
        WriteConfig("{\"backend\": \"jax\"}");
        var s = Load(new() { ["KERAS_BACKEND"] = "torch" });
        Assert.Equal("torch", s.Backend);
        Assert.Empty(s.AllWarnings); // KERAS_BACKEND decides, so the file's "jax" is not worth a warning
        Assert.Throws<KerasJsonException>(() => Load(new() { ["KERAS_BACKEND"] = "caffe" }));
        Assert.Equal("torch", Load(new() { ["KERAS_BACKEND"] = "" }).Backend);
    }

    [Fact]
    public void The_default_file_is_written_before_KERAS_BACKEND_applies()
    {
        Load(new() { ["KERAS_BACKEND"] = "torch" });
        Assert.Contains("\"backend\": \"torch\"", File.ReadAllText(ConfigFile));
    }

    [Fact]
    public void KERAS_MAX_EPOCHS_and_KERAS_MAX_STEPS_PER_EPOCH_set_the_caps()
    {
        var s = Load(new() { ["KERAS_MAX_EPOCHS"] = " 2 ", ["KERAS_MAX_STEPS_PER_EPOCH"] = "1_000" });
        Assert.Equal(2, s.MaxEpochs);
        Assert.Equal(1000, s.MaxStepsPerEpoch);
    }

    [Theory]
    [InlineData("KERAS_MAX_EPOCHS", "3.0")]
    [InlineData("KERAS_MAX_EPOCHS", "two")]
    [InlineData("KERAS_MAX_STEPS_PER_EPOCH", "")]
    [InlineData("KERAS_MAX_STEPS_PER_EPOCH", "-1")]
    public void Invalid_cap_variables_are_errors_naming_the_variable(string name, string value)
    {
        var e = Assert.Throws<KerasJsonException>(() => Load(new() { [name] = value }));
        Assert.Equal(name, e.Key);
        Assert.Contains(name, e.Message);
    }

    [Theory]
    [InlineData("True", true)]
    [InlineData("1", true)]
    [InlineData("yes", false)]
    [InlineData("false", false)]
    public void KERAS_NNX_ENABLED_accepts_true_or_1_only(string value, bool expected)
    {
        WriteConfig("{\"nnx_enabled\": true}");
        Assert.Equal(expected, Load(new() { ["KERAS_NNX_ENABLED"] = value }).NnxEnabled);
    }

    [Fact]
    public void Baked_values_replace_the_file_which_is_then_neither_read_nor_created()
    {
        var s = Load(baked: new BakedValues("float64", 1e-4, "channels_first", "torch", "keras.json"));
        Assert.Equal(("float64", 1e-4, "channels_first"), (s.Floatx, s.Epsilon, s.ImageDataFormat));
        Assert.False(File.Exists(ConfigFile));

        WriteConfig("{\"floatx\": \"bfloat16\"}"); // would be an error if it were read
        Assert.Equal("float64", Load(baked: new BakedValues("float64", 1e-4, "channels_first", "torch", "keras.json")).Floatx);
    }

    [Fact]
    public void Environment_variables_still_override_baked_values()
    {
        var s = Load(new() { ["KERAS_MAX_EPOCHS"] = "1" }, new BakedValues("float32", 1e-7, "channels_last", "tensorflow", "keras.json"));
        Assert.Equal(1, s.MaxEpochs);
        Assert.Equal("torch", s.Backend);
    }

    [Fact]
    public void Config_reads_the_file_lazily_on_first_use()
    {
        WriteConfig("{\"floatx\": \"float64\", \"image_data_format\": \"channels_first\"}");
        Assert.Equal("float64", Config.Floatx());
        Assert.Equal("channels_first", Config.ImageDataFormat());
    }

    [Fact]
    public void An_invalid_file_fails_every_config_read_with_the_same_clear_error()
    {
        WriteConfig("{\"floatx\": 32}");
        var first = Assert.Throws<KerasJsonException>(() => Config.Floatx());
        Assert.Contains("Received: floatx=32", first.Message);
        Assert.Throws<KerasJsonException>(() => Config.Epsilon());
    }

    [Fact]
    public void Warnings_about_the_file_are_printed_once_at_load()
    {
        var stderr = new StringWriter();
        Utilities.IoUtils.StderrOverride = stderr;
        WriteConfig("{\"backend\": \"tensorflow\"}");
        Assert.Equal("torch", Config.Backend());
        Assert.Equal("torch", Config.Backend());
        Assert.Single(stderr.ToString().Split('\n'), l => l.Contains("cannot run"));
    }

    [Fact]
    public void Baked_config_applied_at_start_up_beats_the_file_and_explicit_calls_beat_both()
    {
        WriteConfig("{\"floatx\": \"float16\", \"epsilon\": 1e-03}");
        KerasBakedConfig.Apply("float64", 1e-5, "channels_first", "torch", "samples/keras.json");
        Assert.Equal("float64", Config.Floatx());
        Assert.Equal(1e-5, Config.Epsilon());
        Assert.Equal("samples/keras.json", KerasBakedConfig.SourcePath);

        Config.SetEpsilon(1e-2);
        KerasBakedConfig.Apply("float32", 1e-6, "channels_last", "torch", "other/keras.json");
        Assert.Equal(1e-2, Config.Epsilon()); // the explicit call still wins
        Assert.Equal("float32", Config.Floatx());
    }
}

using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Regularizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests.Hostile;

/// <summary>
/// A .keras or .weights.h5 file is a download from the internet. Every file here is built by the test (zip and HDF5
/// written byte by byte from the formats' specifications), and each test is one way an attacker or a damaged disk could
/// hurt a process that loads it: reading files outside it, hanging, crashing, exhausting memory, or loading half of it.
/// Cases that could kill the process run in a child process that must survive with a typed error.
/// </summary>
public class HostileInputTests : KerasTestBase
{
    private string Temp(string name) => Path.Combine(KerasHome, name);

    private static Sequential Target()
    {
        var model = new Sequential(new Layer[] { new Dense(2, name: "dense") });
        model.Build(new long[] { -1, 3 });
        return model;
    }

    private static float[][] Values(Model model) => model.Weights.Select(w => w.ToArray<float>()).ToArray();

    private static readonly float[] Kernel = { 1, 2, 3, 4, 5, 6 };
    private static readonly float[] BiasValues = { 0.5f, -0.5f };

    /// <summary>The H5 layout Keras writes for Target(): layers/dense/vars/{0,1}; <paramref name="vars"/> can replace the datasets.</summary>
    private static byte[] DenseWeights(Func<H5Builder, (H5Builder.Node Kernel, H5Builder.Node Bias)>? vars = null, Action<H5Builder, H5Builder.Header>? root = null)
    {
        var b = new H5Builder();
        var (kernel, bias) = vars?.Invoke(b) ?? (b.Floats(new long[] { 3, 2 }, Kernel), b.Floats(new long[] { 2 }, BiasValues));
        var varsGroup = b.Group().StringAttribute("name", "dense").Link("0", kernel).Link("1", bias);
        var dense = b.Group().Link("vars", varsGroup);
        var layers = b.Group().Link("dense", dense);
        var top = b.Group();
        if (root != null) root(b, top);
        else top.Link("layers", layers);
        return b.Build(top);
    }

    private string WeightsPath(byte[] bytes, string name = "w.weights.h5")
    {
        string path = Temp(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static (int Exit, string Outcome, long Peak, string Output) RunChild(string kind, string path, int timeoutSeconds = 120)
    {
        string worker = Path.Combine(AppContext.BaseDirectory, "Keras.Runtime.Tests.dll");
        var info = new ProcessStartInfo("dotnet", $"exec \"{worker}\" hostile-load {kind} \"{path}\"")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutSeconds * 1000))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The child loading {path} hung for {timeoutSeconds} s.");
        }
        process.WaitForExit();
        string output = stdout.Result + stderr.Result;
        string outcome = output.Split('\n').FirstOrDefault(l => l.StartsWith("outcome: ", StringComparison.Ordinal))?.Substring(9).Trim() ?? "";
        string peak = output.Split('\n').FirstOrDefault(l => l.StartsWith("peak-bytes: ", StringComparison.Ordinal))?.Substring(12).Trim() ?? "0";
        return (process.ExitCode, outcome, long.Parse(peak, System.Globalization.CultureInfo.InvariantCulture), output);
    }

    // ------------------------------------------------------------------ a valid file, as a baseline

    [Fact]
    public void The_hand_built_Keras_layout_loads_its_values_so_the_refusals_below_are_about_the_attack()
    {
        var model = Target();
        model.LoadWeights(WeightsPath(DenseWeights()));
        Assert.Equal(new[] { Kernel, BiasValues }, Values(model));
    }

    // ------------------------------------------------------------------ nothing outside the file is read

    [Fact]
    public void External_raw_storage_pointing_at_another_file_is_refused_and_no_byte_of_it_reaches_the_weights()
    {
        // The secret's bytes are valid floats: a reader that followed the reference would load them silently.
        string secret = Temp("secret.bin");
        var secretFloats = new float[] { 111, 222, 333, 444, 555, 666 };
        File.WriteAllBytes(secret, secretFloats.SelectMany(BitConverter.GetBytes).ToArray());
        string path = WeightsPath(DenseWeights(b => (b.ExternalDataset(new long[] { 3, 2 }, secret, 24), b.Floats(new long[] { 2 }, BiasValues))));
        var model = Target();
        var before = Values(model);
        var error = Assert.Throws<KerasFileFormatException>(() => model.LoadWeights(path));
        Assert.Contains("external files", error.Message);
        Assert.Equal(before, Values(model));
        Assert.DoesNotContain(Values(model).SelectMany(v => v), v => secretFloats.Contains(v));
        // The same holds inside a .keras archive.
        var saved = Target();
        string archive = Temp("saved.keras");
        saved.Save(archive);
        var zip = ZipBuilder.From(archive);
        zip.Entries.Single(e => e.Name == "model.weights.h5").Data = File.ReadAllBytes(path);
        string hostile = Temp("hostile.keras");
        File.WriteAllBytes(hostile, zip.Build());
        Assert.Contains("external files", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(hostile)).Message);
    }

    [Fact]
    public void External_storage_naming_etc_passwd_is_refused()
    {
        string path = WeightsPath(DenseWeights(b => (b.ExternalDataset(new long[] { 3, 2 }, "/etc/passwd", 24), b.Floats(new long[] { 2 }, BiasValues))));
        Assert.Contains("external", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)).Message);
    }

    [Fact]
    public void External_storage_naming_a_fifo_fails_at_once_instead_of_hanging()
    {
        string fifo = Temp("pipe");
        using (var mkfifo = Process.Start("mkfifo", $"\"{fifo}\"")) mkfifo.WaitForExit();
        Assert.True(File.Exists(fifo));
        string path = WeightsPath(DenseWeights(b => (b.ExternalDataset(new long[] { 3, 2 }, fifo, 24), b.Floats(new long[] { 2 }, BiasValues))));
        var load = Task.Run(() => Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)));
        Assert.True(load.Wait(TimeSpan.FromSeconds(60)), "Loading a file whose storage names a FIFO hung.");
        Assert.Contains("external", load.Result.Message);
    }

    [Fact]
    public void A_virtual_dataset_sourced_from_other_files_is_refused()
    {
        string path = WeightsPath(DenseWeights(b => (b.VirtualDataset(new long[] { 3, 2 }), b.Floats(new long[] { 2 }, BiasValues))));
        Assert.Contains("virtual dataset", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)).Message);
    }

    [Fact]
    public void An_external_link_to_another_file_is_refused()
    {
        string path = WeightsPath(DenseWeights(root: (b, top) => top.ExternalLink("layers", "/tmp/other.h5", "/layers")));
        Assert.Contains("external link", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)).Message);
    }

    // ------------------------------------------------------------------ links and structures that loop

    [Fact]
    public void A_soft_link_cycle_fails_with_a_typed_error_in_a_child_process_that_survives()
    {
        // layers -> /layers: a reader that resolves links recursively overflows its stack (an uncatchable abort).
        string path = WeightsPath(DenseWeights(root: (b, top) => top.SoftLink("layers", "/layers")));
        var (exit, outcome, _, output) = RunChild("weights", path);
        Assert.True(exit == 0, "The child died: " + output);
        Assert.StartsWith("keras KerasFileFormatException", outcome);
        Assert.Contains("link cycle", outcome);
        // And in this process too.
        Assert.Contains("link cycle", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)).Message);
    }

    [Fact]
    public void Two_soft_links_pointing_at_each_other_are_a_cycle_too()
    {
        string path = WeightsPath(DenseWeights(root: (b, top) => top.SoftLink("layers", "/a").SoftLink("a", "/layers")));
        Assert.Contains("link cycle", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)).Message);
    }

    [Fact]
    public void A_soft_link_to_a_real_group_is_followed()
    {
        var bytes = DenseWeights(root: null);
        // Build again with layers reached through a soft link.
        var b = new H5Builder();
        var vars = b.Group().StringAttribute("name", "dense").Link("0", b.Floats(new long[] { 3, 2 }, Kernel)).Link("1", b.Floats(new long[] { 2 }, BiasValues));
        var real = b.Group().Link("dense", b.Group().Link("vars", vars));
        var top = b.Group().Link("real_layers", real).SoftLink("layers", "/real_layers");
        var model = Target();
        model.LoadWeights(WeightsPath(b.Build(top), "soft.weights.h5"));
        Assert.Equal(new[] { Kernel, BiasValues }, Values(model));
        Assert.NotEmpty(bytes);
    }

    [Fact]
    public void An_object_header_continuation_that_loops_back_is_refused()
    {
        var b = new H5Builder();
        H5Builder.Header? looping = null;
        looping = b.Group().Raw(0x10, _ => H5Builder.Bytes(w =>
        {
            w.Write(looping!.Address + 16); // continue at the first message: itself
            w.Write((ulong)16);
        }));
        var top = b.Group().Link("layers", looping);
        string path = WeightsPath(b.Build(top));
        Assert.Contains("cycle", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(path)).Message);
    }

    // ------------------------------------------------------------------ sizes checked before allocating

    [Fact]
    public void A_tiny_file_declaring_half_a_billion_floats_is_refused_before_any_allocation()
    {
        // 12 bytes of data, 5·10^8 floats declared (2 GB): the shape is checked against the variable first.
        string path = WeightsPath(DenseWeights(b => (b.DeclaredFloats(new long[] { 500_000_000 }, new byte[12]), b.Floats(new long[] { 2 }, BiasValues))));
        Assert.True(new FileInfo(path).Length < 25_000);
        var (exit, outcome, peak, output) = RunChild("weights", path);
        Assert.True(exit == 0, "The child died: " + output);
        Assert.StartsWith("keras KerasArgumentException", outcome);
        Assert.Contains("must match", outcome);
        Assert.True(peak < 1_500_000_000, $"Peak memory {peak:N0} bytes: the declared size was allocated.");
    }

    [Fact]
    public void A_dataset_whose_declared_size_exceeds_its_stored_data_is_refused()
    {
        string path = WeightsPath(DenseWeights(b => (b.DeclaredFloats(new long[] { 3, 2 }, new byte[12]), b.Floats(new long[] { 2 }, BiasValues))));
        var model = Target();
        var before = Values(model);
        Assert.Contains("compact data", Assert.Throws<KerasFileFormatException>(() => model.LoadWeights(path)).Message);
        Assert.Equal(before, Values(model));
    }

    [Fact]
    public void Unsigned_32_bit_weights_are_read_as_unsigned_values()
    {
        uint big = 3_000_000_000;
        var raw = new uint[] { big, 1, 2, 3, 4, 5 }.SelectMany(BitConverter.GetBytes).ToArray();
        string path = WeightsPath(DenseWeights(b => (b.Dataset(new long[] { 3, 2 }, H5Builder.IntType(4, signed: false), raw), b.Floats(new long[] { 2 }, BiasValues))));
        var model = Target();
        model.LoadWeights(path);
        Assert.Equal(3e9f, Values(model)[0][0]);
    }

    [Fact]
    public void A_truncated_weights_file_fails_with_a_message_naming_it()
    {
        var bytes = DenseWeights();
        string path = WeightsPath(bytes.Take(bytes.Length - 40).ToArray());
        var model = Target();
        var before = Values(model);
        var error = Assert.Throws<KerasFileFormatException>(() => model.LoadWeights(path));
        Assert.Contains(path, error.Message);
        Assert.Equal(before, Values(model));
    }

    // ------------------------------------------------------------------ all or nothing

    [Fact]
    public void A_load_that_fails_on_a_later_layer_leaves_the_earlier_layers_untouched_also_with_skipMismatch()
    {
        var model = new Sequential(new Layer[] { new Dense(2, name: "a"), new Dense(2, name: "b") });
        model.Build(new long[] { -1, 3 });
        var before = Values(model);
        var b = new H5Builder();
        var first = b.Group().Link("0", b.Floats(new long[] { 3, 2 }, Kernel)).Link("1", b.Floats(new long[] { 2 }, BiasValues));
        var second = b.Group().Link("0", b.VirtualDataset(new long[] { 2, 2 })).Link("1", b.Floats(new long[] { 2 }, BiasValues));
        var layers = b.Group().Link("dense", b.Group().Link("vars", first)).Link("dense_1", b.Group().Link("vars", second));
        string path = WeightsPath(b.Build(b.Group().Link("layers", layers)));
        Assert.Throws<KerasFileFormatException>(() => model.LoadWeights(path));
        Assert.Equal(before, Values(model));
        Assert.Throws<KerasFileFormatException>(() => model.LoadWeights(path, skipMismatch: true));
        Assert.Equal(before, Values(model));
    }

    [Fact]
    public void LoadModel_with_compile_reports_the_layer_mismatch_before_any_optimizer_state_problem()
    {
        // A model trained with Adam saved; its config then edited so the first layer has more units than its weights.
        var source = new Sequential(new Layer[] { new Dense(3, name: "d") });
        source.Build(new long[] { -1, 2 });
        source.Compile("adam", "mse");
        using (var x = torch.ones(4, 2)) using (var y = torch.ones(4, 3)) source.Fit(x, y, epochs: 1, verbose: 0);
        string path = Temp("adam.keras");
        source.Save(path);
        var zip = ZipBuilder.From(path);
        var configEntry = zip.Entries.Single(e => e.Name == "config.json");
        configEntry.Data = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(configEntry.Data).Replace("\"units\":3", "\"units\":5"));
        string edited = Temp("edited.keras");
        File.WriteAllBytes(edited, zip.Build());
        var error = Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(edited, compile: true));
        Assert.Contains("could not be loaded", error.Message);
        Assert.Contains("must match", error.Message);
        Assert.DoesNotContain("Optimizer", error.Message);
    }

    private sealed class Tracked : Dense
    {
        internal static readonly List<Tracked> Made = new();

        public Tracked(int units, string? name) : base(units, name: name) => Made.Add(this);
    }

    [Fact]
    public void A_failed_LoadModel_releases_the_layers_it_had_created()
    {
        Tracked.Made.Clear();
        Saving.RegisterKerasSerializable(c => new Tracked((int)c["units"]!, (string?)c["name"]), package: "hostile", name: "Tracked");
        const string config = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}},
          {"class_name": "Tracked", "registered_name": "hostile>Tracked", "config": {"name": "t", "units": 4}},
          {"class_name": "Dense", "config": {"name": "bad", "units": "four"}}]}}
        """;
        string path = Temp("fails.keras");
        File.WriteAllBytes(path, ZipBuilder.Keras(config, DenseWeights()).Build());
        Assert.Throws<KerasConfigException>(() => Saving.LoadModel(path));
        var made = Assert.Single(Tracked.Made);
        Assert.True(made.IsReleased, "The layer created before the failure still holds its native memory.");
    }

    // ------------------------------------------------------------------ the archive

    private string SavedArchive()
    {
        Utils.SetRandomSeed(5);
        var model = Target();
        model.Compile("sgd", "mse");
        string path = Temp("model.keras");
        model.Save(path);
        return path;
    }

    [Fact]
    public void A_flipped_weight_byte_fails_the_CRC_check_as_Python_zipfile_does()
    {
        string path = SavedArchive();
        var zip = ZipBuilder.From(path);
        var weights = zip.Entries.Single(e => e.Name == "model.weights.h5");
        uint crc = ZipBuilder.Crc(weights.Data);
        weights.CrcOverride = crc; // the recorded CRC stays the original one
        weights.Data = (byte[])weights.Data.Clone();
        weights.Data[weights.Data.Length - 3] ^= 0x10; // a weight byte near the end
        string flipped = Temp("flipped.keras");
        File.WriteAllBytes(flipped, zip.Build());
        Assert.Contains("CRC-32", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(flipped)).Message);
        Assert.Contains("CRC-32", Assert.Throws<KerasFileFormatException>(() => Target().LoadWeights(flipped)).Message);
    }

    [Fact]
    public void Duplicate_entries_are_refused_because_zip_readers_disagree_on_which_counts()
    {
        string path = SavedArchive();
        var zip = ZipBuilder.From(path);
        zip.Add("config.json", "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"other\", \"layers\": []}}");
        string duplicate = Temp("duplicate.keras");
        File.WriteAllBytes(duplicate, zip.Build());
        Assert.Contains("twice", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(duplicate)).Message);
    }

    [Theory]
    [InlineData(12, "bzip2")]
    [InlineData(14, "LZMA")]
    [InlineData(93, "zstandard")]
    public void Compression_methods_other_than_stored_and_deflate_get_their_own_message(int method, string name)
    {
        string path = SavedArchive();
        var zip = ZipBuilder.From(path);
        zip.Entries.Single(e => e.Name == "config.json").MethodOverride = (ushort)method;
        string exotic = Temp("exotic.keras");
        File.WriteAllBytes(exotic, zip.Build());
        var error = Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(exotic));
        Assert.Contains($"compression method {method} ({name})", error.Message);
    }

    [Fact]
    public void Deflated_entries_load_like_stored_ones()
    {
        string path = SavedArchive();
        var original = Saving.LoadModel(path);
        var zip = ZipBuilder.From(path);
        foreach (var e in zip.Entries) e.Deflate = true;
        string deflated = Temp("deflated.keras");
        File.WriteAllBytes(deflated, zip.Build());
        var model = Saving.LoadModel(deflated);
        Assert.Equal(Values(original), Values(model));
    }

    [Fact]
    public void An_encrypted_entry_is_refused()
    {
        string path = SavedArchive();
        var zip = ZipBuilder.From(path);
        zip.Entries.Single(e => e.Name == "config.json").Flags = 1;
        string encrypted = Temp("encrypted.keras");
        File.WriteAllBytes(encrypted, zip.Build());
        Assert.Contains("encrypted", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(encrypted)).Message);
    }

    [Fact]
    public void An_entry_whose_declared_size_lies_is_refused()
    {
        string path = SavedArchive();
        var zip = ZipBuilder.From(path);
        var config = zip.Entries.Single(e => e.Name == "config.json");
        config.Deflate = true;
        config.DeclaredSize = 10;
        string lying = Temp("lying.keras");
        File.WriteAllBytes(lying, zip.Build());
        Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(lying));
    }

    [Fact]
    public void A_config_json_that_deflates_to_a_gigabyte_is_refused_at_the_limit_with_bounded_memory()
    {
        // 1 GB of spaces deflates to about 1 MB: the limit counts inflated bytes as they come, not the declared size.
        var zip = new ZipBuilder().Add("metadata.json", "{}");
        var bomb = new byte[256 << 20];
        Array.Fill(bomb, (byte)' ');
        zip.Add("config.json", bomb, deflate: true);
        zip.Entries[1].DeclaredSize = 100; // and it lies about its size
        zip.Add("model.weights.h5", DenseWeights());
        string path = Temp("bomb.keras");
        File.WriteAllBytes(path, zip.Build());
        Assert.True(new FileInfo(path).Length < 2_000_000);
        var (exit, outcome, peak, output) = RunChild("model", path);
        Assert.True(exit == 0, "The child died: " + output);
        Assert.StartsWith("keras KerasFileFormatException", outcome);
        Assert.Contains("LoadLimits.MaxJsonBytes", outcome);
        Assert.True(peak < 1_000_000_000, $"Peak memory {peak:N0} bytes while refusing a zip bomb.");
    }

    [Fact]
    public void A_file_with_neither_zip_nor_HDF5_structure_says_what_it_is_not()
    {
        string path = Temp("noise.keras");
        File.WriteAllBytes(path, Enumerable.Range(0, 5000).Select(i => (byte)(i * 7)).ToArray());
        var error = Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(path));
        Assert.Contains("is not a `.keras` zip archive", error.Message);
        string legacy = Temp("legacy.keras");
        File.WriteAllBytes(legacy, DenseWeights());
        Assert.Contains("legacy HDF5 model", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(legacy)).Message);
    }

    // ------------------------------------------------------------------ configs

    private string ModelFile(string layersJson, string name = "config.keras") =>
        ModelFileWithConfig("""{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}}, """ +
                            layersJson + "]}}", name);

    private string ModelFileWithConfig(string config, string name = "config.keras")
    {
        string path = Temp(name);
        File.WriteAllBytes(path, ZipBuilder.Keras(config, DenseWeights()).Build());
        return path;
    }

    [Fact]
    public void Units_of_int_max_is_a_typed_error_naming_the_layer_and_the_size_in_a_child_that_survives()
    {
        string path = ModelFile("""{"class_name": "Dense", "config": {"name": "huge", "units": 2147483647}}""");
        var (exit, outcome, _, output) = RunChild("model", path);
        Assert.True(exit == 0, "The child died: " + output);
        Assert.StartsWith("keras KerasConfigException", outcome);
        Assert.Contains("'huge'", outcome);
        Assert.Contains("MaxModelBytes", outcome);
    }

    [Fact]
    public void Ten_million_units_are_refused_before_4_GB_are_allocated_and_the_limit_can_be_raised()
    {
        // Dense(10,000,000) on 100 features: a 4 GB kernel, past the default 2 GiB budget.
        string path = ModelFileWithConfig("""{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 100], "name": "in"}}, """ +
                                          """{"class_name": "Dense", "config": {"name": "wide", "units": 10000000}}]}}""");
        var error = Assert.Throws<KerasConfigException>(() => Saving.LoadModel(path));
        Assert.Contains("4,000,000,000 bytes", error.Message);
        Assert.Equal("kernel", error.Key);
        Assert.Contains("'wide'", error.Message);
        // The budget is the caller's: 120 MB of kernel (3 inputs) is refused under 1 MiB and passes the default (then the file's weights do not match).
        string smaller = ModelFile("""{"class_name": "Dense", "config": {"name": "wide", "units": 10000000}}""", "smaller.keras");
        Assert.Throws<KerasConfigException>(() => Saving.LoadModel(smaller, limits: LoadLimits.Default with { MaxModelBytes = 1 << 20 }));
        Assert.Contains("could not be loaded", Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(smaller)).Message);
    }

    [Theory]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": "abc"}}""", "units", "an integer")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2.5}}""", "units", "an integer")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "use_bias": 3}}""", "use_bias", "true or false")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": 5}}""", "activation", "an activation name")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "rellu"}}""", "activation", "an activation this runtime knows")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "trainable": "yes"}}""", "trainable", "true or false")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_initializer": 7}}""", "kernel_initializer", "a string or an object")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_regularizer": {"class_name": "L2", "config": {"l2": "big"}}}}""", "l2", "a number")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "dtype": 7}}""", "dtype", "a dtype name")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d"}}""", "units", "an integer")]
    [InlineData("""{"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3]}}""", "kernel_size", "a list of 2 integers")]
    [InlineData("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "future_flag": 1}}""", "future_flag", "not supported")]
    public void Config_values_of_the_wrong_type_are_typed_errors_naming_file_layer_key_and_value(string layer, string key, string expected)
    {
        string path = ModelFile(layer);
        var error = Assert.Throws<KerasConfigException>(() => Saving.LoadModel(path));
        Assert.Equal(key, error.Key);
        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
        Assert.Contains("'" + key + "'", error.Message);
    }

    [Fact]
    public void A_config_json_that_is_not_UTF8_is_refused_as_such_and_one_with_a_byte_order_mark_is_refused_as_JSON()
    {
        // Valid UTF-8 is parsed from the bytes as they are; anything else goes through the strict decoder.
        const string valid = """{"class_name": "Sequential", "config": {"name": "s", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}}]}}""";
        var bytes = Encoding.UTF8.GetBytes(valid);
        int at = Array.IndexOf(bytes, (byte)'s', 60); // inside a name string
        var broken = (byte[])bytes.Clone();
        broken[at] = 0xC3; // a lead byte followed by an ASCII byte: not UTF-8
        string path = Temp("not-utf8.keras");
        File.WriteAllBytes(path, new ZipBuilder().Add("metadata.json", "{}").Add("config.json", broken).Add("model.weights.h5", DenseWeights()).Build());
        Assert.Contains("not valid UTF-8", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(path)).Message);

        var marked = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(bytes).ToArray(); // Python's json.loads refuses a BOM too
        string bom = Temp("bom.keras");
        File.WriteAllBytes(bom, new ZipBuilder().Add("metadata.json", "{}").Add("config.json", marked).Add("model.weights.h5", DenseWeights()).Build());
        Assert.Contains("not valid JSON", Assert.Throws<KerasFileFormatException>(() => Saving.LoadModel(bom)).Message);
    }

    [Fact]
    public void A_config_with_a_key_twice_is_refused_with_a_located_error()
    {
        string path = ModelFile("""{"class_name": "Dense", "config": {"name": "d", "units": 2, "units": 3}}""");
        var error = Assert.Throws<KerasConfigException>(() => Saving.LoadModel(path));
        Assert.Contains("same key twice", error.Message);
        Assert.Contains("layers[1].config", error.Message);
    }

    [Fact]
    public void A_Keras_argument_error_in_a_config_keeps_its_type_and_says_where_it_is()
    {
        string path = ModelFile("""{"class_name": "Dropout", "config": {"name": "drop", "rate": 1.5}}""");
        var error = Assert.Throws<KerasArgumentException>(() => Saving.LoadModel(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("'drop'", error.Message);
        Assert.Contains("rate", error.Message);
    }

    [Fact]
    public void A_saved_regularizer_is_honoured_not_dropped()
    {
        string path = ModelFile("""{"class_name": "Dense", "config": {"name": "dense", "units": 2, "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.5}}}}""");
        var model = Saving.LoadModel(path);
        var dense = Assert.IsType<Dense>(model.Layers.Single());
        Assert.Equal(0.5, Assert.IsType<L2>(dense.KernelRegularizer).Factor2);
        // model.losses holds the penalty: 0.5 · Σ kernel² with the file's kernel 1..6 = 0.5 · 91.
        var loss = Assert.Single(model.Losses);
        Assert.Equal(45.5f, loss.item<float>(), 4);
    }

    [Fact]
    public void Deeply_nested_JSON_is_refused_by_depth_not_by_a_stack_overflow()
    {
        string nested = string.Concat(Enumerable.Repeat("[", 100_000)) + string.Concat(Enumerable.Repeat("]", 100_000));
        string path = ModelFileWithConfig("""{"class_name": "Sequential", "config": {"name": "s", "layers": """ + nested + "}}");
        var (exit, outcome, _, output) = RunChild("model", path);
        Assert.True(exit == 0, "The child died: " + output);
        Assert.StartsWith("keras KerasFileFormatException", outcome);
        Assert.Contains("MaxJsonDepth", outcome);
    }

    [Fact]
    public void A_Functional_config_listed_in_reverse_order_rebuilds_and_computes()
    {
        // 2,000 Dense(1) layers in a chain, listed outputs first: a replay that rescans the list per layer is quadratic.
        const int n = 2000;
        var layers = new List<JsonNode>
        {
            JsonNode.Parse("""{"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [null, 1], "name": "in"}, "inbound_nodes": []}""")!,
        };
        for (int i = 0; i < n; i++)
        {
            string input = i == 0 ? "in" : "d" + (i - 1);
            string layer = """
                {"class_name": "Dense", "name": "NAME", "config": {"name": "NAME", "units": 1, "use_bias": false,
                 "kernel_initializer": {"class_name": "Ones", "config": {}}},
                 "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 1], "dtype": "float32", "keras_history": ["INPUT", 0, 0]}}], "kwargs": {}}]}
                """;
            layers.Add(JsonNode.Parse(layer.Replace("NAME", "d" + i).Replace("INPUT", input))!);
        }
        layers.Reverse();
        var config = new JsonObject
        {
            ["class_name"] = "Functional",
            ["config"] = new JsonObject
            {
                ["name"] = "chain", ["layers"] = new JsonArray(layers.ToArray()),
                ["input_layers"] = JsonNode.Parse("""[["in", 0, 0]]"""), ["output_layers"] = new JsonArray(new JsonArray("d" + (n - 1), 0, 0)),
            },
        };
        var model = Assert.IsType<Functional>(Saving.ModelFromJson(config.ToJsonString()));
        Assert.Equal(n, model.Layers.Count);
        using var x = torch.full(new long[] { 1, 1 }, 3f);
        using var y = model.Predict(x);
        Assert.Equal(3f, y.item<float>()); // every kernel is 1
    }

    [Fact]
    public void A_Functional_graph_whose_layer_calls_itself_is_reported_as_incomplete()
    {
        const string config = """
        {"class_name": "Functional", "config": {"name": "loop", "layers": [
          {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [null, 2], "name": "in"}, "inbound_nodes": []},
          {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["d", 0, 0]}}], "kwargs": {}}]}],
         "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}}
        """;
        Assert.Contains("incomplete", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(config)).Message);
    }

    // ------------------------------------------------------------------ training input

    private static Sequential Classifier()
    {
        var model = new Sequential(new Layer[] { new Dense(3, name: "out") });
        model.Build(new long[] { -1, 2 });
        model.Compile("sgd", "sparse_categorical_crossentropy", new[] { "accuracy" });
        return model;
    }

    [Fact]
    public void Non_positive_batch_sizes_are_errors_in_Fit_Evaluate_and_Predict_never_a_hang()
    {
        var model = Classifier();
        using var x = torch.ones(8, 2);
        using var y = torch.zeros(new long[] { 8 }, torch.ScalarType.Int64);
        foreach (int bad in new[] { 0, -4 })
        {
            Assert.Contains("batch_size", Assert.Throws<KerasArgumentException>(() => model.Predict(x, batchSize: bad)).Message);
            Assert.Contains("batch_size", Assert.Throws<KerasArgumentException>(() => model.Evaluate(x, y, batchSize: bad, verbose: 0)).Message);
            Assert.Contains("batch_size", Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, batchSize: bad, verbose: 0)).Message);
        }
    }

    [Fact]
    public void Empty_data_is_an_error_not_a_made_up_zero()
    {
        var model = Classifier();
        using var x = torch.ones(0, 2);
        using var y = torch.zeros(new long[] { 0 }, torch.ScalarType.Int64);
        Assert.Contains("0 samples", Assert.Throws<KerasArgumentException>(() => model.Evaluate(x, y, verbose: 0)).Message);
        Assert.Contains("0 samples", Assert.Throws<KerasArgumentException>(() => model.Predict(x)).Message);
        Assert.Contains("0 samples", Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, verbose: 0)).Message);
    }

    [Fact]
    public void NaN_validation_split_negative_steps_and_negative_epochs_are_errors()
    {
        var model = Classifier();
        using var x = torch.ones(8, 2);
        using var y = torch.zeros(new long[] { 8 }, torch.ScalarType.Int64);
        Assert.Contains("validation_split", Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, validationSplit: double.NaN, verbose: 0)).Message);
        Assert.Contains("steps_per_epoch", Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, stepsPerEpoch: -1, verbose: 0)).Message);
        Assert.Contains("epochs", Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, epochs: -1, verbose: 0)).Message);
        var stream = new[] { (x, y) };
        Assert.Contains("steps_per_epoch", Assert.Throws<KerasArgumentException>(() => model.Fit(stream, stepsPerEpoch: 0, verbose: 0)).Message);
    }

    [Fact]
    public void A_sparse_label_outside_the_classes_names_the_loss_the_batch_and_the_range_without_CPP_frames()
    {
        var model = Classifier();
        using var x = torch.ones(8, 2);
        using var y = torch.tensor(new long[] { 0, 1, 2, 0, 1, 7, 0, 1 });
        var error = Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, batchSize: 4, verbose: 0, shuffle: false));
        Assert.Contains("sparse_categorical_crossentropy", error.Message);
        Assert.Contains("batch 1", error.Message);
        Assert.Contains("[0, 3)", error.Message);
        Assert.Contains("from 0 to 7", error.Message);
        Assert.DoesNotContain(".cpp", error.Message);
        Assert.DoesNotContain("\n", error.Message);
    }

    [Fact]
    public void Targets_of_the_wrong_shape_are_explained()
    {
        var model = new Sequential(new Layer[] { new Dense(2, name: "out") });
        model.Build(new long[] { -1, 2 });
        model.Compile("sgd", "mse");
        using var x = torch.ones(4, 2);
        using var y = torch.ones(4, 3);
        var error = Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, verbose: 0));
        Assert.Contains("(4, 3)", error.Message);
        Assert.Contains("(4, 2)", error.Message);
        Assert.Contains("mean_squared_error", error.Message);
    }

    [Fact]
    public void Integer_inputs_are_promoted_to_the_compute_dtype_as_Keras_promotes_them()
    {
        var model = Target();
        model.LoadWeights(WeightsPath(DenseWeights()));
        using var x = torch.tensor(new long[] { 1, 1, 1 }, new long[] { 1, 3 });
        using var y = model.Predict(x);
        Assert.Equal(new[] { 1 + 3 + 5 + 0.5f, 2 + 4 + 6 - 0.5f }, y.data<float>().ToArray());
    }

    // ------------------------------------------------------------------ saving

    [Fact]
    public void A_read_only_target_is_not_replaced()
    {
        string path = Temp("ro.weights.h5");
        File.WriteAllText(path, "precious");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        var error = Assert.Throws<KerasInvalidOperationException>(() => Target().SaveWeights(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("read-only", error.Message);
        Assert.Equal("precious", File.ReadAllText(path));
    }

    [Fact]
    public void A_temporary_file_left_by_an_interrupted_save_is_reused_not_piled_up()
    {
        string path = Temp("m.keras");
        string stale = Path.Combine(KerasHome, ".m.keras.keras-save.tmp");
        File.WriteAllText(stale, "left by a killed process");
        var model = Target();
        model.Save(path);
        model.Save(path);
        Assert.False(File.Exists(stale));
        Assert.Equal(new[] { "m.keras" }, Directory.GetFiles(KerasHome, "*m.keras*").Select(Path.GetFileName));
        Saving.LoadModel(path);
    }

    [Fact]
    public void A_failed_save_names_the_target_not_the_temporary_file()
    {
        string blocker = Temp("not_a_dir");
        File.WriteAllText(blocker, "x");
        string path = Path.Combine(blocker, "m.keras");
        var error = Assert.Throws<KerasFileFormatException>(() => Target().Save(path));
        Assert.Contains(path, error.Message);
        Assert.DoesNotContain("keras-save.tmp", error.Message);
    }
}

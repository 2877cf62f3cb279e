using Keras.Errors;
using Keras.Interop;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Devices with Keras' torch-backend rule: KERAS_TORCH_DEVICE, else CUDA when present, else the CPU; a scope overrides
/// it. Placement is proven without a GPU on LibTorch's data-less "meta" device: a tensor the runtime created on the CPU
/// by mistake would meet a meta tensor in an element-wise op and raise "Expected all tensors to be on the same device".
/// </summary>
public class DeviceTests : KerasTestBase
{
    private readonly string? _savedDevice = Environment.GetEnvironmentVariable("KERAS_TORCH_DEVICE");

    public DeviceTests() => Devices.ResetForTesting();

    public override void Dispose()
    {
        Environment.SetEnvironmentVariable("KERAS_TORCH_DEVICE", _savedDevice);
        Devices.ResetForTesting();
        base.Dispose();
    }

    private static void UseEnvironment(string? value)
    {
        Environment.SetEnvironmentVariable("KERAS_TORCH_DEVICE", value);
        Devices.ResetForTesting();
    }

    [Fact]
    public void Without_CUDA_and_without_KERAS_TORCH_DEVICE_the_device_is_the_CPU()
    {
        UseEnvironment(null);
        Assert.False(torch.cuda.is_available()); // this machine; on a GPU machine the default would be cuda
        Assert.Equal("cpu", Keras.Backend.CurrentDevice());
        var dense = new Dense(2);
        dense.Build(new long[] { -1, 3 });
        Assert.Equal(DeviceType.CPU, dense.Kernel!.Value.device_type);
    }

    [Fact]
    public void KERAS_TORCH_DEVICE_wins_and_its_variables_live_there()
    {
        UseEnvironment("meta");
        Assert.Equal("meta", Keras.Backend.CurrentDevice());
        var dense = new Dense(2);
        dense.Build(new long[] { -1, 3 });
        Assert.Equal(DeviceType.META, dense.Kernel!.Value.device_type);
        Assert.Equal(DeviceType.META, dense.Bias!.Value.device_type);
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda")]
    [InlineData("cuda:1")]
    [InlineData("GPU:0")]
    public void Asking_for_CUDA_without_it_says_why_and_what_to_do(string name)
    {
        var error = Assert.Throws<KerasArgumentException>(() => Keras.Backend.Device(name));
        Assert.Contains("finds no CUDA device", error.Message);
        Assert.Contains("TorchSharp-cuda-linux", error.Message);
        Assert.Contains("nvidia-smi", error.Message);
        UseEnvironment(name);
        Assert.Contains("KERAS_TORCH_DEVICE", Assert.Throws<KerasArgumentException>(() => Keras.Backend.CurrentDevice()).Message);
    }

    [Theory]
    [InlineData("tpu")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void A_device_name_Keras_does_not_know_is_an_error_listing_the_names(string name)
    {
        var error = Assert.Throws<KerasArgumentException>(() => Keras.Backend.Device(name));
        Assert.Contains("Invalid device name", error.Message);
    }

    [Fact]
    public void A_device_scope_applies_inside_and_ends_with_the_using_block_even_across_await()
    {
        UseEnvironment(null);
        using (Keras.Backend.Device("meta"))
        {
            Assert.Equal("meta", Keras.Backend.CurrentDevice());
            using (Keras.Backend.Device("cpu")) Assert.Equal("cpu", Keras.Backend.CurrentDevice());
            Assert.Equal("meta", Keras.Backend.CurrentDevice());
            string inside = Task.Run(async () =>
            {
                await Task.Yield();
                return Keras.Backend.CurrentDevice();
            }).Result;
            Assert.Equal("meta", inside); // the scope flows into the async work it starts
        }
        Assert.Equal("cpu", Keras.Backend.CurrentDevice());
        // Another thread that did not enter the scope is not affected by it.
        using (Keras.Backend.Device("meta"))
        {
            string other = "";
            var thread = new Thread(() => other = Keras.Backend.CurrentDevice());
            using (ExecutionContext.SuppressFlow()) thread.Start();
            thread.Join();
            Assert.Equal("cpu", other);
        }
    }

    [Fact]
    public void Everything_the_runtime_creates_lives_on_the_configured_device()
    {
        // In a child process: LibTorch lacks meta kernels for some ops, and a few TorchSharp entry points abort instead of
        // throwing when that happens; the child reports which layer failed instead of taking the test host down.
        string worker = Path.Combine(AppContext.BaseDirectory, "Keras.Runtime.Tests.dll");
        var (exit, output) = Keras.Testing.ProcessRunner.Run("dotnet", $"exec \"{worker}\" device-audit", AppContext.BaseDirectory, timeoutSeconds: 120);
        Assert.True(exit == 0 && output.Contains("device-audit: ok"), output);
    }

    /// <summary>
    /// Where the meta device cannot reach (ops without meta kernels: convolutions, variance), the source is held to the
    /// rule: every tensor made in the computing code names a device (or copies one with *_like, or draws from a
    /// per-device generator), unless a "// host:" comment says why it belongs on the host.
    /// </summary>
    [Fact]
    public void Every_tensor_the_computing_code_creates_names_its_device_or_says_why_it_is_on_the_host()
    {
        string src = Path.Combine(Metadata("RepoRoot"), "src", "Keras.Runtime");
        var factory = new System.Text.RegularExpressions.Regex(@"\btorch\.(zeros|ones|full|rand|randn|randint|empty|arange|eye|tensor|randperm|linspace)\(");
        var offenders = new List<string>();
        foreach (var folder in new[] { "Layers", "Losses", "Metrics", "Optimizers", "Training", "Models", "Activations", "Regularizers", "Constraints" })
        {
            string dir = Path.Combine(src, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.GetFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                var lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    if (!factory.IsMatch(lines[i]) || lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal) || lines[i].TrimStart().StartsWith("///", StringComparison.Ordinal)) continue;
                    // The statement may continue on the next lines.
                    string statement = string.Join(" ", lines.Skip(i).Take(4));
                    int end = statement.IndexOf(';');
                    if (end > 0) statement = statement.Substring(0, end + 1) + (end + 1 < statement.Length ? statement.Substring(end + 1, Math.Min(80, statement.Length - end - 1)) : "");
                    if (statement.Contains("device") || statement.Contains("// host:")) continue;
                    offenders.Add($"{Path.GetRelativePath(src, file)}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }
        Assert.True(offenders.Count == 0, "Tensors created without a device:\n" + string.Join("\n", offenders));
    }

    [Fact]
    public void A_host_batch_is_moved_to_the_model_device_when_called()
    {
        using (Keras.Backend.Device("meta"))
        {
            var model = new Sequential(new Layer[] { new Dense(4, activation: "relu"), new Dense(2) });
            model.Build(new long[] { -1, 3 });
            using var hostBatch = torch.ones(2, 3);
            using var output = model.Call(hostBatch);
            Assert.Equal(DeviceType.META, output.device_type);
        }
    }

    [Fact]
    public void The_same_seed_gives_identical_weights_after_training_on_the_CPU()
    {
        float[][] Train()
        {
            Utils.SetRandomSeed(42);
            var model = new Sequential(new Layer[] { new Dense(8, activation: "relu"), new Dropout(0.5), new Dense(2) });
            model.Build(new long[] { -1, 4 });
            model.Compile("adam", "mse");
            using var g = new torch.Generator(7);
            using var x = torch.randn(new long[] { 64, 4 }, generator: g);
            using var y = torch.randn(new long[] { 64, 2 }, generator: g);
            model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0); // shuffling and dropout on
            return model.Weights.Select(w => w.ToArray<float>()).ToArray();
        }
        var first = Train();
        Utils.ClearSession();
        var second = Train();
        Assert.Equal(first, second);
    }
}

/// <summary>Keras.Utils.RetainNativeMemory: glibc's malloc thresholds, opt-in.</summary>
public class NativeMemoryTests
{
    [Fact]
    public void RetainNativeMemory_sets_glibc_thresholds_here_and_refuses_non_positive_values()
    {
        Assert.Throws<KerasArgumentException>(() => Keras.Utils.RetainNativeMemory(0, 1));
        Assert.Throws<KerasArgumentException>(() => Keras.Utils.RetainNativeMemory(1, -1));
        // This machine runs glibc (Debian): mallopt accepts the values. Elsewhere the call returns false and changes nothing.
        Assert.True(Keras.Interop.NativeMemory.IsGlibc);
        Assert.True(Keras.Utils.RetainNativeMemory(128L << 10, 128L << 20)); // small values: keeps the test process close to defaults
    }
}

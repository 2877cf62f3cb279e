using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Keras;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The GPU check (issue 10): trains the digits MLP and a small transformer block (MultiHeadAttention + Dense, residual
/// adds) on CUDA in float32, mixed_bfloat16 and mixed_float16 and prints training steps per second for each, in the
/// same format as benchmarks/gpu/pytorch_reference.py so the two can be read side by side. Run with
/// benchmarks/gpu/run-gpu-check.sh on a machine with an NVIDIA GPU.
/// </summary>
internal static class GpuBenchmark
{
    public static int Run(int steps, bool cpuSmoke = false)
    {
        Keras.Interop.Native.EnsureLoaded();
        // cpu-smoke: the same code on the CPU with a few steps, to check the script's C# half on machines without a GPU.
        var device = cpuSmoke ? torch.CPU : torch.CUDA;
        if (!cpuSmoke && !torch.cuda.is_available())
        {
            Console.Error.WriteLine(
                "gpu: TorchSharp finds no CUDA device. Build with a CUDA backend (benchmarks/gpu/run-gpu-check.sh picks one) on a machine with an NVIDIA GPU.");
            return 3;
        }
        using var scope = Keras.Backend.Device(cpuSmoke ? "cpu" : "cuda");
        Console.WriteLine($"device: {Keras.Backend.CurrentDevice()}  steps timed per case: {steps}");
        var (digitsX, digitsY) = Digits();
        foreach (var policy in new[] { "float32", "mixed_bfloat16", "mixed_float16" })
        {
            Report("digits_mlp", policy, TimeSteps(device, policy, steps, () =>
            {
                var model = new Sequential(new Layer[] { new Dense(512, activation: "relu"), new Dense(512, activation: "relu"), new Dense(10) });
                model.Build(new long[] { -1, 64 });
                model.Compile(new Keras.Optimizers.Adam(), new Keras.Losses.SparseCategoricalCrossentropy(fromLogits: true), autoScaleLoss: true);
                return model;
            }, digitsX, digitsY, batch: 256));
            using var g = new torch.Generator(5);
            using var tx = torch.randn(new long[] { 64, 128, 256 }, generator: g);
            using var ty = torch.randn(new long[] { 64, 128, 256 }, generator: g);
            Report("transformer_block", policy, TimeSteps(device, policy, steps, () =>
            {
                var x = new Input(new long[] { 128, 256 });
                var attended = new MultiHeadAttention(8, 32).Call(x);
                var residual = new Add().Call(x, attended);
                var hidden = new Dense(1024, activation: "gelu").Call(residual);
                var projected = new Dense(256).Call(hidden);
                var output = new Add().Call(residual, projected);
                var model = new Functional(x, output);
                model.Compile(new Keras.Optimizers.Adam(), new Keras.Losses.MeanSquaredError(), autoScaleLoss: true);
                return model;
            }, tx, ty, batch: 64));
        }
        return 0;
    }

    private static void Report(string model, string policy, double stepsPerSecond) =>
        Console.WriteLine($"{model,-18} {policy,-15} {stepsPerSecond.ToString("0.0", CultureInfo.InvariantCulture),10} steps/s");

    /// <summary>Steps per second of TrainOnBatch on batches already on the GPU, after a warm-up.</summary>
    private static double TimeSteps(Device device, string policy, int steps, Func<Model> make, Tensor x, Tensor y, int batch)
    {
        bool cuda = device.type == DeviceType.CUDA;
        Keras.Utils.ClearSession();
        Keras.Config.SetDtypePolicy(policy);
        var model = make();
        using var gx = x.narrow(0, 0, batch).to(device);
        using var gy = y.narrow(0, 0, batch).to(device);
        for (int i = 0; i < Math.Min(10, steps); i++) model.TrainOnBatch(gx, gy);
        if (cuda) torch.cuda.synchronize();
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) model.TrainOnBatch(gx, gy);
        if (cuda) torch.cuda.synchronize();
        double result = steps / sw.Elapsed.TotalSeconds;
        Keras.Config.SetDtypePolicy("float32");
        return result;
    }

    private static (Tensor X, Tensor Y) Digits()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var xs = new List<float>();
        var ys = new List<long>();
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split(',');
            for (int i = 0; i < 64; i++) xs.Add(float.Parse(cells[i], CultureInfo.InvariantCulture) / 16f);
            ys.Add(long.Parse(cells[64], CultureInfo.InvariantCulture));
        }
        return (torch.tensor(xs.ToArray(), new long[] { ys.Count, 64 }), torch.tensor(ys.ToArray()));
    }
}

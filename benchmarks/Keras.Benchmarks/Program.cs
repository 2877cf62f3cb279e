// Keras benchmarks. Numbers are machine-dependent: compare runs side by side, in one invocation.
//
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- clear-session [units]
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- generator [files] [repeats] [driver]   (driver: also time the analyzer driver against an empty analyzer)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- fit [repeats]
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- load [repeats]   (LoadModel vs raw TorchSharp, first load)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- load-phases [file.keras]   (where LoadModel's time goes)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- load-loop [seconds]   (LoadModel in a loop, for perf/dotnet-trace)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- load-save file.keras  (the load benchmark's files, for
//       child-first-load file.keras / child-first-raw file.keras.raw under a profiler; KERAS_BENCH_JIT=1 prints JIT counts)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- malloc [repeats] (glibc's memory return vs RetainNativeMemory)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- rnn [rounds] [all|plain|masked]   (LSTM/GRU vs raw fused TorchSharp; masked: right-padded)
//   dotnet run -c Release --project benchmarks/Keras.Benchmarks -- gpu [steps]     (CUDA only: benchmarks/gpu/run-gpu-check.sh)
//
// generator: Keras.SourceGen and the analyzers on a large compilation (see GeneratorBenchmark.cs).
// fit: Keras' Fit against a hand-written TorchSharp loop, time per step (see FitBenchmark.cs).
//
// clear-session: the seed's Example 1 (100 loops creating a Sequential of 10 Dense layers), run in two child
// processes, one calling Keras.Backend.ClearSession() at the top of each loop and one not; prints resident memory
// (RSS) as the loops go, and the growth of each.
using System.Diagnostics;
using System.Globalization;
using Keras;
using Keras.Layers;
using Keras.Models;
using TorchSharp;

if (args.Length >= 2 && args[0] == "child-loop")
{
    bool clear = args[1] == "clear";
    int units = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
    return ChildLoop(clear, units);
}

if (args.Length >= 2 && args[0] == "child-malloc") return MallocBenchmark.ChildRun(args[1]);
if (args.Length >= 1 && args[0] == "load-phases")
{
    if (args.Length >= 2) return LoadPhases.Run(args[1]);
    string file = Path.Combine(Path.GetTempPath(), "keras-load-phases-" + Environment.ProcessId + ".keras");
    LoadBenchmark.Save(file, file + ".raw");
    try { return LoadPhases.Run(file); } finally { File.Delete(file); File.Delete(file + ".raw"); }
}
if (args.Length >= 2 && args[0] == "load-save")
{
    // Writes the load benchmark's CNN (path) and its raw TorchSharp twin (path.raw), e.g. for child-first-load under a profiler.
    LoadBenchmark.Save(args[1], args[1] + ".raw");
    return 0;
}
if (args.Length >= 2 && args[0] == "load-leak")
{
    for (int i = 0; i < 3; i++)
    {
        using var scope = torch.NewDisposeScope();
        Keras.Saving.LoadModel(args[1]).Dispose();
        Console.WriteLine($"left in scope: {scope.DisposablesCount}");
        foreach (var d in scope.DisposablesView) if (d is torch.Tensor t) Console.WriteLine($"  {string.Join(",", t.shape)} {t.dtype}"); else Console.WriteLine("  " + d.GetType());
    }
    for (int i = 0; i < 300; i++) Keras.Saving.LoadModel(args[1]).Dispose();
    long a0 = GC.GetAllocatedBytesForCurrentThread(); int g0 = GC.CollectionCount(0), g1 = GC.CollectionCount(1), g2 = GC.CollectionCount(2);
    var swl = Stopwatch.StartNew();
    for (int i = 0; i < 1000; i++) Keras.Saving.LoadModel(args[1]).Dispose();
    Console.WriteLine($"per load: {(GC.GetAllocatedBytesForCurrentThread() - a0) / 1000} bytes allocated, {swl.Elapsed.TotalMilliseconds / 1000:0.000} ms; GCs over 1000: {GC.CollectionCount(0) - g0}/{GC.CollectionCount(1) - g1}/{GC.CollectionCount(2) - g2}");
    return 0;
}
if (args.Length >= 1 && args[0] == "load-loop")
{
    // For profilers (perf, dotnet-trace): LoadModel of the benchmark's CNN in a loop for the given seconds.
    double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 10;
    torch.set_num_threads(1);
    string file = Path.Combine(Path.GetTempPath(), "keras-load-loop-" + Environment.ProcessId + ".keras");
    LoadBenchmark.Save(file, file + ".raw");
    var clock = Stopwatch.StartNew();
    int loads = 0;
    while (clock.Elapsed.TotalSeconds < seconds) { Keras.Saving.LoadModel(file).Dispose(); loads++; }
    Console.WriteLine($"{loads} loads, {clock.Elapsed.TotalMilliseconds / loads:0.000} ms each");
    File.Delete(file); File.Delete(file + ".raw");
    return 0;
}
if (args.Length >= 2 && args[0] == "child-first-load") return LoadBenchmark.ChildFirstLoad(args[1]);
if (args.Length >= 2 && args[0] == "child-first-raw") return LoadBenchmark.ChildFirstRaw(args[1]);

string mode = args.Length > 0 ? args[0] : "clear-session";
if (mode == "malloc")
    return MallocBenchmark.Run(repeats: args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
if (mode == "load")
    return LoadBenchmark.Run(repeats: args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 31);
if (mode == "fit")
    return FitBenchmark.Run(repeats: args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
if (mode == "gpu")
    return GpuBenchmark.Run(steps: args.Length > 1 && args[1] != "cpu-smoke" ? int.Parse(args[1], CultureInfo.InvariantCulture) : args.Contains("cpu-smoke") ? 2 : 200,
        cpuSmoke: args.Contains("cpu-smoke"));
if (mode == "rnn")
    return RnnBenchmark.Run(rounds: args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7, part: args.Length > 2 ? args[2] : "all");
if (mode == "generator")
    return GeneratorBenchmark.Run(files: args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000,
        repeats: args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7, driverBaseline: args.Contains("driver"));
if (mode != "clear-session")
{
    Console.Error.WriteLine($"Unknown benchmark '{mode}'. Available: clear-session [units], generator [files], fit [repeats], load [repeats], malloc [repeats], rnn [rounds] [all|plain|masked], gpu [steps]");
    return 2;
}

var unitsList = args.Length > 1 ? new[] { int.Parse(args[1], CultureInfo.InvariantCulture) } : new[] { 10, 256 };
Console.WriteLine("Seed example 1: 100 loops of Sequential([Dense(units) x 10]), each built by one forward pass.");
Console.WriteLine("RSS in MiB after loop 1, 25, 50, 75, 100 (each variant in its own process):");
Console.WriteLine();
foreach (int units in unitsList)
{
    var with = RunChild("clear", units);
    var without = RunChild("keep", units);
    Console.WriteLine($"Dense({units}) x 10, weights per model {(10.0 * (units * (long)units + units) * 4 / 1048576):0.00} MiB");
    Console.WriteLine($"  with ClearSession    {string.Join("  ", with.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(7)))}   growth {with[^1] - with[0]:0.0} MiB");
    Console.WriteLine($"  without ClearSession {string.Join("  ", without.Select(v => v.ToString("0.0", CultureInfo.InvariantCulture).PadLeft(7)))}   growth {without[^1] - without[0]:0.0} MiB");
    double ratio = (without[^1] - without[0]) / Math.Max(0.1, with[^1] - with[0]);
    Console.WriteLine($"  growth ratio without/with: {ratio:0.0}x");
    Console.WriteLine();
}
return 0;

static double[] RunChild(string variant, int units)
{
    // Re-run this program as a child: through the apphost when there is one, else through dotnet with the dll.
    string host = Environment.ProcessPath!;
    string childArgs = $"child-loop {variant} {units}";
    var info = Path.GetFileNameWithoutExtension(host) == "dotnet"
        ? new ProcessStartInfo(host, $"\"{System.Reflection.Assembly.GetEntryAssembly()!.Location}\" {childArgs}")
        : new ProcessStartInfo(host, childArgs);
    info.RedirectStandardOutput = true;
    using var p = Process.Start(info)!;
    string output = p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"child failed ({p.ExitCode}): {output}");
    return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => double.Parse(l, CultureInfo.InvariantCulture)).ToArray();
}

static int ChildLoop(bool clear, int units)
{
    using var x = torch.ones(1, units);
    for (int i = 1; i <= 100; i++)
    {
        if (clear) Keras.Backend.ClearSession();
        var model = new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(units)));
        model.Call(x).Dispose();
        if (i == 1 || i % 25 == 0) Console.WriteLine((RssBytes() / 1048576.0).ToString("0.0", CultureInfo.InvariantCulture));
    }
    return 0;
}

static long RssBytes()
{
    if (File.Exists("/proc/self/status"))
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }
    using var self = Process.GetCurrentProcess();
    return self.WorkingSet64;
}

using System.Diagnostics;
using System.Globalization;
using Keras.Layers;
using Keras.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// LoadModel of a small CNN (Conv2D 32, MaxPooling, Conv2D 64, MaxPooling, Flatten, Dropout, Dense 10, Adam state) against
/// the raw TorchSharp equivalent — build the same nn.Sequential, load its parameters and Adam's moments from one file —
/// side by side in one process, alternated, medians (steady state); and the first LoadModel in a fresh process (child),
/// next to that process' own TorchSharp start-up (the first tensor op).
/// </summary>
internal static class LoadBenchmark
{
    public static int Run(int repeats)
    {
        torch.set_num_threads(1);
        string dir = Path.Combine(Path.GetTempPath(), "keras-load-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        string keras = Path.Combine(dir, "cnn.keras");
        string raw = Path.Combine(dir, "cnn.dat");
        Save(keras, raw);

        double KerasLoad()
        {
            var sw = Stopwatch.StartNew();
            var model = Keras.Saving.LoadModel(keras);
            double ms = sw.Elapsed.TotalMilliseconds;
            model.Dispose();
            return ms;
        }

        double RawLoad()
        {
            var sw = Stopwatch.StartNew();
            var (net, state) = RawModel();
            using (var stream = File.OpenRead(raw))
            using (var reader = new BinaryReader(stream))
            {
                foreach (var t in net.parameters().Concat(state)) t.Load(reader);
            }
            double ms = sw.Elapsed.TotalMilliseconds;
            net.Dispose();
            foreach (var t in state) t.Dispose();
            return ms;
        }

        for (int i = 0; i < 3; i++)
        {
            KerasLoad();
            RawLoad();
        }
        var k = new List<double>();
        var r = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            if (Environment.GetEnvironmentVariable("KERAS_BENCH_ONLY") != "keras") r.Add(RawLoad()); else r.Add(1);
            k.Add(KerasLoad());
        }
        k.Sort();
        r.Sort();
        double km = k[k.Count / 2], rm = r[r.Count / 2];
        Console.WriteLine($"LoadModel of a small CNN (with Adam state), medians of {repeats} alternated runs, 1 thread:");
        Console.WriteLine($"  raw TorchSharp rebuild + load   {rm,8:0.000} ms");
        Console.WriteLine($"  Keras.Saving.LoadModel          {km,8:0.000} ms");
        Console.WriteLine($"  ratio LoadModel / raw           {km / rm,8:0.00}x");

        var first = Child(keras, raw: false);
        var firstRaw = Child(raw, raw: true);
        Console.WriteLine($"First load in a fresh process: TorchSharp start-up {first.Startup:0.0} ms, then LoadModel {first.Load:0.0} ms");
        Console.WriteLine($"First raw rebuild + load in another fresh process: start-up {firstRaw.Startup:0.0} ms, then {firstRaw.Load:0.0} ms " +
                          $"(LoadModel beyond it: {first.Load - firstRaw.Load:0.0} ms)");
        Directory.Delete(dir, recursive: true);
        return 0;
    }

    /// <summary>Child mode: time the first tensor op (TorchSharp's native start-up), then the first LoadModel.</summary>
    public static int ChildFirstLoad(string path)
    {
        var sw = Stopwatch.StartNew();
        using (var t = torch.ones(1)) { }
        double startup = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        if (Environment.GetEnvironmentVariable("KERAS_BENCH_PHASES") == "1")
        {
            var j0 = System.Runtime.JitInfo.GetCompiledMethodCount();
            Keras.SavingLib.KerasCatalog.All(typeof(Keras.Layers.Layer));
            Console.Error.WriteLine($"catalog first {sw.Elapsed.TotalMilliseconds:0.0} ms, {System.Runtime.JitInfo.GetCompiledMethodCount() - j0} methods jitted");
            sw.Restart();
            var types = typeof(Keras.Layers.Layer).Assembly.GetTypes();
            Console.Error.WriteLine($"GetTypes {types.Length} {sw.Elapsed.TotalMilliseconds:0.0} ms");
            int n = 0; foreach (var ty in types) if (ty.IsDefined(typeof(Keras.SavingLib.KerasClassAttribute), false)) n++;
            Console.Error.WriteLine($"IsDefined {n} {sw.Elapsed.TotalMilliseconds:0.0} ms");
            Keras.SavingLib.KerasCatalog.All(typeof(Keras.Layers.Layer));
            Console.Error.WriteLine($"catalog {sw.Elapsed.TotalMilliseconds:0.0} ms");
            var s2 = Stopwatch.StartNew();
            Keras.Config.Floatx();
            Console.Error.WriteLine($"config {s2.Elapsed.TotalMilliseconds:0.0} ms");
            s2.Restart();
            var d = new Keras.Layers.Dense(3); d.Build(new long[] { -1, 2 });
            Console.Error.WriteLine($"first dense {s2.Elapsed.TotalMilliseconds:0.0} ms");
            s2.Restart();
            var m2 = Keras.Saving.LoadModel(path);
            Console.Error.WriteLine($"first load after warm pieces {s2.Elapsed.TotalMilliseconds:0.0} ms");
            s2.Restart();
            var m3 = Keras.Saving.LoadModel(path);
            Console.Error.WriteLine($"second load {s2.Elapsed.TotalMilliseconds:0.0} ms");
        }
        var jit0 = System.Runtime.JitInfo.GetCompilationTime(); long methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
        var model = Keras.Saving.LoadModel(path);
        double load = sw.Elapsed.TotalMilliseconds;
        if (Environment.GetEnvironmentVariable("KERAS_BENCH_JIT") == "1")
            Console.Error.WriteLine($"first LoadModel: {System.Runtime.JitInfo.GetCompiledMethodCount() - methods0} methods jitted in " +
                                    $"{(System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalMilliseconds:0.0} ms");
        Console.WriteLine(startup.ToString(CultureInfo.InvariantCulture) + " " + load.ToString(CultureInfo.InvariantCulture));
        model.Dispose();
        return 0;
    }

    /// <summary>Child mode: the first raw TorchSharp rebuild + load (the same native entry points' first use), after start-up.</summary>
    public static int ChildFirstRaw(string path)
    {
        var sw = Stopwatch.StartNew();
        using (var t = torch.ones(1)) { }
        double startup = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var jit0 = System.Runtime.JitInfo.GetCompilationTime(); long methods0 = System.Runtime.JitInfo.GetCompiledMethodCount();
        var (net, state) = RawModel();
        using (var stream = File.OpenRead(path))
        using (var reader = new BinaryReader(stream))
        {
            foreach (var t in net.parameters().Concat(state)) t.Load(reader);
        }
        double load = sw.Elapsed.TotalMilliseconds;
        if (Environment.GetEnvironmentVariable("KERAS_BENCH_JIT") == "1")
            Console.Error.WriteLine($"first raw: {System.Runtime.JitInfo.GetCompiledMethodCount() - methods0} methods jitted in " +
                                    $"{(System.Runtime.JitInfo.GetCompilationTime() - jit0).TotalMilliseconds:0.0} ms");
        Console.WriteLine(startup.ToString(CultureInfo.InvariantCulture) + " " + load.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static (double Startup, double Load) Child(string path, bool raw)
    {
        string host = Environment.ProcessPath!;
        string childArgs = $"{(raw ? "child-first-raw" : "child-first-load")} \"{path}\"";
        var info = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? new ProcessStartInfo(host, $"\"{System.Reflection.Assembly.GetEntryAssembly()!.Location}\" {childArgs}")
            : new ProcessStartInfo(host, childArgs);
        info.RedirectStandardOutput = true;
        using var p = Process.Start(info)!;
        string output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        var parts = output.Split(' ');
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    private static (nn.Module<Tensor, Tensor> Net, List<Tensor> AdamState) RawModel()
    {
        var net = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10));
        var state = new List<Tensor>();
        foreach (var p in net.parameters())
        {
            state.Add(torch.zeros_like(p));
            state.Add(torch.zeros_like(p));
        }
        return (net, state);
    }

    internal static void Save(string keras, string raw)
    {
        Keras.Utils.SetRandomSeed(1);
        var model = new Sequential(new Layer[]
        {
            new Conv2D(32, 3, activation: "relu"), new MaxPooling2D(), new Conv2D(64, 3, activation: "relu"), new MaxPooling2D(),
            new Flatten(), new Dropout(0.5), new Dense(10, activation: "softmax"),
        });
        model.Build(new long[] { -1, 28, 28, 1 });
        model.Compile("adam", "sparse_categorical_crossentropy", new[] { "accuracy" });
        using (var x = torch.rand(32, 28, 28, 1))
        using (var y = torch.randint(0, 10, new long[] { 32 }, ScalarType.Int64))
            model.Fit(x, y, epochs: 1, verbose: 0);
        model.Save(keras);
        var (net, state) = RawModel();
        using (var stream = File.Create(raw))
        using (var writer = new BinaryWriter(stream))
        {
            foreach (var t in net.parameters().Concat(state)) t.Save(writer);
        }
        net.Dispose();
        foreach (var t in state) t.Dispose();
        Keras.Utils.ClearSession();
    }
}

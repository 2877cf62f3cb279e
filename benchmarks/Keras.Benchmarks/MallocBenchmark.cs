using System.Diagnostics;
using System.Globalization;
using Keras.Layers;
using Keras.Models;
using TorchSharp;

/// <summary>
/// Memory return (issue 13): a channels-last CNN predicting large batches, in child processes with glibc's default
/// malloc thresholds and with Keras.Utils.RetainNativeMemory(), alternated; prints minor page faults and time per run.
/// </summary>
internal static class MallocBenchmark
{
    public static int Run(int repeats)
    {
        var withDefault = new List<(double Ms, long Faults)>();
        var retained = new List<(double Ms, long Faults)>();
        for (int i = 0; i < repeats; i++)
        {
            withDefault.Add(Child("default"));
            retained.Add(Child("retain"));
        }
        static (double, long) Median(List<(double Ms, long Faults)> runs) =>
            (runs.Select(r => r.Ms).OrderBy(x => x).ElementAt(runs.Count / 2), runs.Select(r => r.Faults).OrderBy(x => x).ElementAt(runs.Count / 2));
        var d = Median(withDefault);
        var r = Median(retained);
        Console.WriteLine($"CNN Predict on 512 images 64x64x3, batch 32 (16 MiB activations), medians of {repeats} alternated child processes:");
        Console.WriteLine($"  glibc defaults          {d.Item1,9:0.0} ms   {d.Item2,10:N0} minor page faults");
        Console.WriteLine($"  RetainNativeMemory()    {r.Item1,9:0.0} ms   {r.Item2,10:N0} minor page faults");
        Console.WriteLine($"  time ratio default / retained {d.Item1 / r.Item1:0.00}x");
        return 0;
    }

    public static int ChildRun(string variant)
    {
        if (variant == "retain" && !Keras.Utils.RetainNativeMemory()) Console.Error.WriteLine("not glibc: nothing changed");
        torch.set_num_threads(1);
        Keras.Utils.SetRandomSeed(1);
        var model = new Sequential(new Layer[]
        {
            new Conv2D(32, 3, padding: "same", activation: "relu", dataFormat: "channels_last"), new MaxPooling2D(),
            new Conv2D(64, 3, padding: "same", activation: "relu", dataFormat: "channels_last"), new MaxPooling2D(), new Flatten(), new Dense(10),
        });
        model.Build(new long[] { -1, 64, 64, 3 });
        using var x = torch.rand(512, 64, 64, 3);
        model.Predict(x, batchSize: 32).Dispose(); // warm-up
        long before = MinorFaults();
        var sw = Stopwatch.StartNew();
        model.Predict(x, batchSize: 32).Dispose();
        Console.WriteLine(sw.Elapsed.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + " " + (MinorFaults() - before));
        return 0;
    }

    private static long MinorFaults()
    {
        // /proc/self/stat field 10 is minflt.
        var fields = File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    private static (double, long) Child(string variant)
    {
        string host = Environment.ProcessPath!;
        var info = Path.GetFileNameWithoutExtension(host) == "dotnet"
            ? new ProcessStartInfo(host, $"\"{System.Reflection.Assembly.GetEntryAssembly()!.Location}\" child-malloc {variant}")
            : new ProcessStartInfo(host, $"child-malloc {variant}");
        info.RedirectStandardOutput = true;
        using var p = Process.Start(info)!;
        var parts = p.StandardOutput.ReadToEnd().Trim().Split(' ');
        p.WaitForExit();
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}

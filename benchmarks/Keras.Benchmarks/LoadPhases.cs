using System.Diagnostics;
using Keras.SavingLib;

/// <summary>
/// Where LoadModel's steady time goes: the phases of Saving.LoadModel run one by one on the same file, many rounds after
/// a warm-up, each phase's mean time and managed bytes allocated printed (allocations turn into GC pauses spread over
/// every phase).
/// </summary>
internal static class LoadPhases
{
    private const int Warmup = 200, Rounds = 1200;

    public static int Run(string path)
    {
        var limits = Keras.LoadLimits.Default;
        var time = new Dictionary<string, double>();
        var bytes = new Dictionary<string, long>();
        var order = new List<string>();
        for (int r = 0; r < Rounds; r++)
        {
            bool measured = r >= Warmup;
            var sw = Stopwatch.StartNew();
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            void Phase(string name)
            {
                if (measured)
                {
                    if (!time.ContainsKey(name)) order.Add(name);
                    time[name] = time.GetValueOrDefault(name) + sw.Elapsed.TotalMilliseconds;
                    long now = GC.GetAllocatedBytesForCurrentThread();
                    bytes[name] = bytes.GetValueOrDefault(name) + now - allocated;
                }
                allocated = GC.GetAllocatedBytesForCurrentThread();
                sw.Restart();
            }
            using var zip = ZipReader.Open(path);
            var config = KerasArchive.ReadJson(zip, path, KerasArchive.ConfigEntry, limits);
            Phase("zip+config");
            var node = ConfigJson.Parse(config.AsSpan(), limits, path);
            Phase("parse");
            using var load = LoadContext.Begin(path, limits);
            load.WeightsFollow = true;
            var model = ModelSerialization.Deserialize(node, compile: false, safeMode: true, path);
            Phase("rebuild");
            if (node!["compile_config"] is System.Text.Json.Nodes.JsonObject cc) CompileSerialization.CompileFromConfig(model, cc);
            Phase("compile");
            load.WeightsFollow = false;
            using (var w = KerasArchive.OpenWeights(zip, path, limits)) WeightsFile.Read(model, w, path, false, null, limits);
            Phase("weights");
            load.Succeeded();
            model.Dispose();
            Phase("dispose");
        }
        int n = Rounds - Warmup;
        Console.WriteLine($"LoadModel phases, means of {n} rounds after {Warmup} warm-up rounds ({path}):");
        double total = 0;
        foreach (var name in order)
        {
            Console.WriteLine($"  {name,-12} {time[name] / n,7:0.000} ms  {bytes[name] / n,9:N0} bytes allocated");
            if (name != "dispose") total += time[name] / n;
        }
        Console.WriteLine($"  {"load total",-12} {total,7:0.000} ms");
        return 0;
    }
}

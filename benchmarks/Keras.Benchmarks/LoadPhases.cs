using System.Diagnostics;
using Keras.SavingLib;

internal static class LoadPhases
{
    public static int Run(string path)
    {
        var limits = Keras.LoadLimits.Default;
        var t = new Dictionary<string, double>();
        void Add(string k, double v) => t[k] = t.GetValueOrDefault(k) + v;
        for (int r = 0; r < 60; r++)
        {
            var sw = Stopwatch.StartNew();
            using var zip = ZipReader.Open(path);
            var bytes = KerasArchive.ReadJson(zip, path, KerasArchive.ConfigEntry, limits);
            if (r >= 10) Add("zip+config", sw.Elapsed.TotalMilliseconds); sw.Restart();
            var text = System.Text.Encoding.UTF8.GetString(bytes);
            var node = ConfigJson.Parse(text, limits, path);
            if (r >= 10) Add("parse", sw.Elapsed.TotalMilliseconds); sw.Restart();
            using var load = LoadContext.Begin(path, limits);
            load.WeightsFollow = true;
            var model = ModelSerialization.Deserialize(node, compile: false, safeMode: true, path);
            if (r >= 10) Add("deserialize", sw.Elapsed.TotalMilliseconds); sw.Restart();
            if (node!["compile_config"] is System.Text.Json.Nodes.JsonObject cc) CompileSerialization.CompileFromConfig(model, cc);
            if (r >= 10) Add("compile", sw.Elapsed.TotalMilliseconds); sw.Restart();
            using (var w = KerasArchive.OpenWeights(zip, path, limits)) WeightsFile.Read(model, w, path, false, null, limits);
            if (r >= 10) Add("weights", sw.Elapsed.TotalMilliseconds); sw.Restart();
            load.Succeeded();
            model.Dispose();
        }
        foreach (var (k, v) in t) Console.WriteLine($"{k,-12} {v / 50:0.000} ms");
        return 0;
    }
}

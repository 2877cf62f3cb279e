using System.Diagnostics;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Time per training step of Keras' Fit against a hand-written TorchSharp loop doing the same work (per-epoch shuffle,
/// batch gather, forward, sparse cross-entropy, backward, Adam step, loss read back), same MLP, same batch size, run
/// side by side in one process and alternated; medians of the repeats.
/// </summary>
internal static class FitBenchmark
{
    public static int Run(int repeats)
    {
        const int samples = 4096, features = 64, classes = 10, batch = 32, epochs = 3;
        int steps = samples / batch * epochs;
        torch.manual_seed(1);
        using var x = torch.rand(samples, features);
        using var y = torch.randint(0, classes, new long[] { samples }, ScalarType.Int64);

        double KerasFit()
        {
            Keras.Utils.ClearSession();
            var model = new Sequential(new Layer[] { new Dense(128, activation: "relu"), new Dense(classes) });
            model.Compile(new Keras.Optimizers.Adam(), new SparseCategoricalCrossentropy(fromLogits: true));
            model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0); // warm-up epoch: build, slots
            var sw = Stopwatch.StartNew();
            model.Fit(x, y, batchSize: batch, epochs: epochs, verbose: 0);
            return sw.Elapsed.TotalMilliseconds / steps;
        }

        double RawLoop()
        {
            var net = nn.Sequential(nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, classes));
            var optimizer = torch.optim.Adam(net.parameters(), lr: 0.001, eps: 1e-7);
            double Epoch()
            {
                using var order = torch.randperm(samples);
                double last = 0;
                for (int s = 0; s < samples / batch; s++)
                {
                    using var scope = torch.NewDisposeScope();
                    var index = order.narrow(0, s * batch, batch);
                    var bx = x.index_select(0, index);
                    var by = y.index_select(0, index);
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(net.forward(bx), by);
                    loss.backward();
                    optimizer.step();
                    last = loss.item<float>();
                }
                return last;
            }
            Epoch(); // warm-up
            var sw = Stopwatch.StartNew();
            for (int e = 0; e < epochs; e++) Epoch();
            double perStep = sw.Elapsed.TotalMilliseconds / steps;
            net.Dispose();
            return perStep;
        }

        var keras = new List<double>();
        var raw = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            raw.Add(RawLoop());
            keras.Add(KerasFit());
        }
        keras.Sort();
        raw.Sort();
        double k = keras[keras.Count / 2], r = raw[raw.Count / 2];
        Console.WriteLine($"MLP {features}-128-{classes}, batch {batch}, {samples} samples, {epochs} epochs per run, medians of {repeats} alternated runs (CPU):");
        Console.WriteLine($"  hand-written TorchSharp loop   {r,7:0.000} ms/step");
        Console.WriteLine($"  Keras Fit                      {k,7:0.000} ms/step");
        Console.WriteLine($"  ratio Fit / raw loop           {k / r,7:0.00}x");
        return 0;
    }
}

using System.Diagnostics;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Time per training step of Keras' Fit against a hand-written TorchSharp loop doing the same work (per-epoch shuffle,
/// batch gather, forward, loss, backward, Adam step, loss read back), same model, same batch size, run side by side in
/// one process and alternated; medians of the repeats. Cases: the MLP 64-128-10 (sparse cross-entropy) and the tiny
/// Dense(1) on 4 features (mean squared error) at batch 1 and 32, where per-step bookkeeping is all that differs.
/// Run with one LibTorch thread (KERAS_BENCH_THREADS, default 1) so that both sides see the same machine.
/// </summary>
internal static class FitBenchmark
{
    private sealed record Case(string Name, int Samples, int Features, int Hidden, int Outputs, int Batch, int Epochs);

    public static int Run(int repeats)
    {
        int threads = int.TryParse(Environment.GetEnvironmentVariable("KERAS_BENCH_THREADS"), out var t) ? t : 1;
        torch.set_num_threads(threads);
        var cases = new[]
        {
            new Case("MLP 64-128-10, batch 32", 4096, 64, 128, 10, 32, 3),
            new Case("Dense(1) on 4 features, batch 32", 4096, 4, 0, 1, 32, 3),
            new Case("Dense(1) on 4 features, batch 1", 1024, 4, 0, 1, 1, 2),
        };
        Console.WriteLine($"Fit vs a hand-written TorchSharp loop, time per step, medians of {repeats} alternated runs (CPU, {threads} thread(s)):");
        foreach (var c in cases)
        {
            var (k, r) = Measure(c, repeats);
            Console.WriteLine($"  {c.Name,-36} raw {r,7:0.0000} ms/step   Fit {k,7:0.0000} ms/step   ratio {k / r,5:0.00}x");
        }
        return 0;
    }

    private static (double Keras, double Raw) Measure(Case c, int repeats)
    {
        int steps = c.Samples / c.Batch * c.Epochs;
        bool classify = c.Outputs > 1;
        torch.manual_seed(1);
        using var x = torch.rand(c.Samples, c.Features);
        using var y = classify
            ? torch.randint(0, c.Outputs, new long[] { c.Samples }, ScalarType.Int64)
            : torch.rand(c.Samples, 1);

        double KerasFit()
        {
            Keras.Utils.ClearSession();
            var layers = c.Hidden > 0
                ? new Layer[] { new Dense(c.Hidden, activation: "relu"), new Dense(c.Outputs) }
                : new Layer[] { new Dense(c.Outputs) };
            var model = new Sequential(layers);
            Loss loss = classify ? new SparseCategoricalCrossentropy(fromLogits: true) : new MeanSquaredError();
            model.Compile(new Keras.Optimizers.Adam(), loss);
            model.Fit(x, y, batchSize: c.Batch, epochs: 1, verbose: 0); // warm-up epoch: build, slots
            var sw = Stopwatch.StartNew();
            model.Fit(x, y, batchSize: c.Batch, epochs: c.Epochs, verbose: 0);
            return sw.Elapsed.TotalMilliseconds / steps;
        }

        double RawLoop()
        {
            using var net = c.Hidden > 0
                ? nn.Sequential(nn.Linear(c.Features, c.Hidden), nn.ReLU(), nn.Linear(c.Hidden, c.Outputs))
                : nn.Sequential(nn.Linear(c.Features, c.Outputs));
            var optimizer = torch.optim.Adam(net.parameters(), lr: 0.001, eps: 1e-7);
            double Epoch()
            {
                using var order = torch.randperm(c.Samples);
                double last = 0;
                for (int s = 0; s < c.Samples / c.Batch; s++)
                {
                    using var scope = torch.NewDisposeScope();
                    var index = order.narrow(0, s * c.Batch, c.Batch);
                    var bx = x.index_select(0, index);
                    var by = y.index_select(0, index);
                    optimizer.zero_grad();
                    var output = net.forward(bx);
                    var loss = classify ? nn.functional.cross_entropy(output, by) : nn.functional.mse_loss(output, by);
                    loss.backward();
                    optimizer.step();
                    last = loss.item<float>();
                }
                return last;
            }
            Epoch(); // warm-up
            var sw = Stopwatch.StartNew();
            for (int e = 0; e < c.Epochs; e++) Epoch();
            return sw.Elapsed.TotalMilliseconds / steps;
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
        return (keras[keras.Count / 2], raw[raw.Count / 2]);
    }
}

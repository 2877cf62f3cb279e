using System.Diagnostics;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Time per training step (TrainOnBatch: forward, MSE, backward, Adam) of Keras' LSTM(64) and GRU(64) followed by
/// Dense(1) on sequences of 50 steps × 8 features, batch 64, against raw TorchSharp doing the same work with its fused
/// nn.LSTM / nn.GRU modules and a Linear layer; both Keras layers run on the fused kernel (Keras' cuDNN rule). Then the
/// masked case: the same sequences right-padded to lengths 10-50 (zeros after each row's length, Masking(0.0) in front of
/// the recurrent layer), Keras on the fused kernel with the mask, Keras forced onto its step loop, and raw TorchSharp
/// knowing the lengths two ways: packed (pack_padded_sequence, the module, h_n) and padded (the module on every step,
/// read at each row's last step). Each group is timed alternately in one process, medians of the rounds.
/// </summary>
internal static class RnnBenchmark
{
    public static int Run(int rounds, string part = "all")
    {
        const int batch = 64, steps = 50, features = 8, units = 64, stepsPerRound = 10;
        torch.set_num_threads(1);
        if (part == "masked")
        {
            Masked(rounds, batch, steps, features, units);
            return 0;
        }
        torch.manual_seed(1);
        using var x = torch.rand(batch, steps, features);
        using var y = torch.rand(batch, 1);
        Console.WriteLine($"RNN train step, batch {batch}, {steps}x{features} sequences, {units} units; {rounds} alternated rounds of {stepsPerRound} steps, 1 thread");
        foreach (var kind in new[] { "LSTM", "GRU" })
        {
            Keras.Utils.ClearSession();
            Layer recurrent = kind == "LSTM" ? new LSTM(units) : new GRU(units);
            var model = new Sequential(new[] { recurrent, new Dense(1) });
            model.Compile(new Keras.Optimizers.Adam(), new MeanSquaredError());
            model.TrainOnBatch(x, y); // build, optimizer slots

            nn.Module rnn = kind == "LSTM" ? nn.LSTM(features, units, batchFirst: true) : nn.GRU(features, units, batchFirst: true);
            var head = nn.Linear(units, 1);
            var parameters = rnn.parameters().Concat(head.parameters()).ToArray();
            var optimizer = torch.optim.Adam(parameters, lr: 0.001, eps: 1e-7);
            void RawStep()
            {
                using var scope = torch.NewDisposeScope();
                optimizer.zero_grad();
                var output = rnn is TorchSharp.Modules.LSTM lstm ? lstm.forward(x).Item1 : ((TorchSharp.Modules.GRU)rnn).forward(x).Item1;
                var last = output.select(1, steps - 1);
                var loss = nn.functional.mse_loss(head.forward(last), y);
                loss.backward();
                optimizer.step();
                loss.item<float>();
            }
            RawStep();
            double Time(Action step)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < stepsPerRound; i++) step();
                return sw.Elapsed.TotalMilliseconds / stepsPerRound;
            }
            var keras = new List<double>();
            var raw = new List<double>();
            var ratios = new List<double>();
            for (int r = 0; r < rounds; r++)
            {
                double k = Time(() => model.TrainOnBatch(x, y));
                double t = Time(RawStep);
                keras.Add(k);
                raw.Add(t);
                ratios.Add(k / t);
            }
            static double Median(List<double> v)
            {
                var s = v.OrderBy(d => d).ToArray();
                return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
            }
            Console.WriteLine($"{kind}({units}): Keras {Median(keras):0.00} ms/step, raw TorchSharp fused {Median(raw):0.00} ms/step, ratio {Median(ratios):0.00}x " +
                              $"(Keras path: {"fused nn." + kind})");
            rnn.Dispose();
            head.Dispose();
        }
        if (part != "plain") Masked(rounds, batch, steps, features, units);
        return 0;
    }

    private static double Median(List<double> v)
    {
        var s = v.OrderBy(d => d).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    private static void Masked(int rounds, int batch, int steps, int features, int units)
    {
        const int stepsPerRound = 5;
        torch.manual_seed(2);
        // Right-padded rows: lengths drawn in [10, 50], the first row full; zeros after each length (what Masking(0.0) masks).
        var random = new Random(3);
        var lengths = Enumerable.Range(0, batch).Select(b => b == 0 ? (long)steps : random.Next(10, steps + 1)).ToArray();
        using var dense = torch.rand(batch, steps, features).add_(0.01);
        using var positions = torch.arange(steps).unsqueeze(0);
        using var lengthTensor = torch.tensor(lengths);
        using var lengthColumn = lengthTensor.unsqueeze(1);
        using var keep = positions.lt(lengthColumn).unsqueeze(-1);
        using var x = dense.mul(keep);
        using var y = torch.rand(batch, 1);
        using var lastIndex = lengthTensor.sub(1).view(batch, 1, 1).expand(batch, 1, units);
        Console.WriteLine($"Masked RNN train step, right-padded lengths {lengths.Min()}-{lengths.Max()} (mean {lengths.Average():0.0}) of {steps}, " +
                          $"Masking(0.0) in front; {rounds} alternated rounds of {stepsPerRound} steps");
        foreach (var kind in new[] { "LSTM", "GRU" })
        {
            Keras.Utils.ClearSession();
            Sequential Model(bool loop)
            {
                var recurrent = kind == "LSTM" ? (Recurrent)new LSTM(units) : new GRU(units);
                recurrent.ForceStepLoop = loop;
                var model = new Sequential(new Layer[] { new Masking(0.0), recurrent, new Dense(1) });
                model.Compile(new Keras.Optimizers.Adam(), new MeanSquaredError());
                model.TrainOnBatch(x, y);
                return model;
            }
            var fusedModel = Model(loop: false);
            var loopModel = Model(loop: true);
            var fusedLayer = (Recurrent)fusedModel.Layers[1];
            long maskedBefore = fusedLayer.MaskedFusedCalls;

            // Raw TorchSharp knowing the lengths: packed sequences (h_n), or the padded kernel read at each row's last step;
            // each with its own module and optimizer, so that neither kernel's state touches the other's.
            nn.Module Module() => kind == "LSTM" ? nn.LSTM(features, units, batchFirst: true) : nn.GRU(features, units, batchFirst: true);
            var modules = new[] { Module(), Module() };
            var heads = new[] { nn.Linear(units, 1), nn.Linear(units, 1) };
            var optimizers = Enumerable.Range(0, 2)
                .Select(i => torch.optim.Adam(modules[i].parameters().Concat(heads[i].parameters()).ToArray(), lr: 0.001, eps: 1e-7)).ToArray();
            void Raw(int i, Func<nn.Module, Tensor> last)
            {
                using var scope = torch.NewDisposeScope();
                optimizers[i].zero_grad();
                var loss = nn.functional.mse_loss(heads[i].forward(last(modules[i])), y);
                loss.backward();
                optimizers[i].step();
                loss.item<float>();
            }
            void RawPacked() => Raw(0, rnn =>
            {
                var packed = nn.utils.rnn.pack_padded_sequence(x, lengthTensor, batch_first: true, enforce_sorted: false);
                var h = rnn is TorchSharp.Modules.LSTM lstm ? lstm.call(packed).Item2 : ((TorchSharp.Modules.GRU)rnn).call(packed).Item2;
                return h.squeeze(0);
            });
            void RawPadded() => Raw(1, rnn =>
            {
                var o = rnn is TorchSharp.Modules.LSTM lstm ? lstm.forward(x).Item1 : ((TorchSharp.Modules.GRU)rnn).forward(x).Item1;
                return o.gather(1, lastIndex).squeeze(1);
            });
            RawPacked();
            RawPadded();
            double Time(Action step)
            {
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < stepsPerRound; i++) step();
                return sw.Elapsed.TotalMilliseconds / stepsPerRound;
            }
            List<double> fused = new(), loop = new(), packed = new(), padded = new();
            List<double> fusedPacked = new(), fusedPadded = new(), loopPacked = new(), loopFused = new();
            for (int r = 0; r < rounds; r++)
            {
                double f = Time(() => fusedModel.TrainOnBatch(x, y));
                double l = Time(() => loopModel.TrainOnBatch(x, y));
                double p = Time(RawPacked);
                double g = Time(RawPadded);
                fused.Add(f);
                loop.Add(l);
                packed.Add(p);
                padded.Add(g);
                fusedPacked.Add(f / p);
                fusedPadded.Add(f / g);
                loopPacked.Add(l / p);
                loopFused.Add(l / f);
            }
            bool allFused = fusedLayer.MaskedFusedCalls - maskedBefore == rounds * stepsPerRound;
            Console.WriteLine($"{kind}({units}) masked: Keras fused {Median(fused):0.00} ms/step (every step fused with the mask: {allFused}), " +
                              $"Keras step loop {Median(loop):0.00}, raw TorchSharp packed {Median(packed):0.00}, raw padded+gather {Median(padded):0.00}; " +
                              $"fused/raw packed {Median(fusedPacked):0.00}x, fused/raw padded {Median(fusedPadded):0.00}x, " +
                              $"loop/raw packed {Median(loopPacked):0.00}x, loop/fused {Median(loopFused):0.00}x");
            foreach (var m in modules) m.Dispose();
            foreach (var h in heads) h.Dispose();
        }
    }
}

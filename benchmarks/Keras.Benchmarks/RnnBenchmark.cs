using System.Diagnostics;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// Time per training step (TrainOnBatch: forward, MSE, backward, Adam) of Keras' LSTM(64) and GRU(64) followed by
/// Dense(1) on sequences of 50 steps × 8 features, batch 64, against raw TorchSharp doing the same work with its fused
/// nn.LSTM / nn.GRU modules and a Linear layer. Keras' GRU runs on the fused kernel (Keras' cuDNN rule), LSTM on the step
/// loop; each pair is timed alternately in one process, medians of the rounds.
/// </summary>
internal static class RnnBenchmark
{
    public static int Run(int rounds)
    {
        const int batch = 64, steps = 50, features = 8, units = 64, stepsPerRound = 10;
        torch.set_num_threads(1);
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
        return 0;
    }
}

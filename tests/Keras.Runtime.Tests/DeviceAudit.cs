using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;

namespace Keras.Runtime.Tests;

/// <summary>
/// The child process of DeviceTests: inside a "meta" device scope it builds a model of the layers whose ops LibTorch can
/// run on meta, calls it in training mode on meta inputs and steps an optimizer. A tensor made on the CPU by mistake
/// (an RNN state, a dropout mask, an optimizer slot) meets a meta tensor in an element-wise op and raises; the child
/// prints "device-audit: ok" only when everything ran and every weight and output is on meta.
/// </summary>
internal static class DeviceAudit
{
    internal static int Run()
    {
        try
        {
            using (Keras.Backend.Device("meta"))
            {
                var tokens = new Input(new long[] { 5 }, dtype: "int64");
                var embedded = new Embedding(11, 6, name: "embedding").Call(tokens);
                var recurrent = new LSTM(6, returnSequences: true, name: "lstm").Call(embedded);
                var gru = new GRU(6, returnSequences: true, name: "gru").Call(recurrent);
                var attended = new MultiHeadAttention(2, 3, dropout: 0.1, name: "mha").Call(gru);
                var dropped = new Dropout(0.3, name: "dropout").Call(attended);
                var flat = new Flatten(name: "flatten").Call(dropped);
                var output = new Dense(3, activation: "softmax", name: "dense").Call(flat);
                var model = new Functional(tokens, output, name: "everything");
                Check(model.Weights.All(w => w.Value.device_type == DeviceType.META), "a weight is not on meta");
                using var x = torch.zeros(new long[] { 4, 5 }, torch.ScalarType.Int64, device: torch.device("meta"));
                using var y = model.Call(x, training: true);
                Check(y.device_type == DeviceType.META && y.shape.SequenceEqual(new long[] { 4, 3 }), "the output is not on meta");
                var optimizer = new Adam(weightDecay: 0.01, clipvalue: 1.0);
                optimizer.Build(model.TrainableWeights);
                foreach (var w in model.TrainableWeights) w.Value.grad = torch.ones_like(w.Value);
                optimizer.Apply(model.TrainableWeights);
                Check(optimizer.Iterations == 1, "the optimizer did not step");
                Check(model.Weights.All(w => w.Value.device_type == DeviceType.META), "a weight left meta during the step");
            }
            Console.WriteLine("device-audit: ok");
            return 0;
        }
        catch (Exception e)
        {
            Console.WriteLine("device-audit: failed: " + e);
            return 1;
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException(what);
    }
}

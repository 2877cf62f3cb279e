using Keras.Callbacks;
using Keras.Layers;
using Keras.Models;
using TorchSharp;

namespace Keras.Runtime.Tests;

/// <summary>
/// Entry point of the test assembly. Run as <c>Keras.Runtime.Tests crash-worker BACKUP_DIR RESULT EPOCHS</c> it trains a
/// fixed, seeded model with BackupAndRestore and writes the final weights to RESULT; the crash test kills it at random
/// moments and runs it again until it completes. Without arguments it does nothing (the test host never calls it).
/// </summary>
public static class CrashWorker
{
    public static int Main(string[] args)
    {
        if (args.Length >= 1 && args[0] == "hostile-load") return Hostile.HostileWorker.Run(args);
        if (args.Length >= 1 && args[0] == "device-audit") return DeviceAudit.Run();
        if (args.Length != 4 || args[0] != "crash-worker") return 0;
        string backupDir = args[1], result = args[2];
        int epochs = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        Utils.SetRandomSeed(1234);
        var model = new Sequential(new Layer[] { new Dense(64, activation: "relu"), new Dropout(0.2), new Dense(64, activation: "relu"), new Dense(4) });
        model.Build(new long[] { -1, 16 });
        model.Compile("adam", "mse");
        using var g = new torch.Generator(99);
        using var x = torch.randn(new long[] { 512, 16 }, generator: g);
        using var y = torch.randn(new long[] { 512, 4 }, generator: g);
        var progress = new LambdaCallback(onEpochEnd: (epoch, _) => Console.Out.WriteLine("epoch " + epoch));
        model.Fit(x, y, batchSize: 16, epochs: epochs, verbose: 0, callbacks: new Callback[] { new BackupAndRestore(backupDir), progress });
        model.SaveWeights(result);
        Console.Out.WriteLine("done");
        return 0;
    }
}

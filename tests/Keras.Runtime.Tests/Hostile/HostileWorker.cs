using System.Diagnostics;
using Keras.Layers;
using Keras.Models;

namespace Keras.Runtime.Tests.Hostile;

/// <summary>
/// The child process of the hostile-input tests that could kill a process: run as
/// <c>Keras.Runtime.Tests hostile-load model|weights PATH</c>, it loads the file and prints what happened
/// ("outcome: ok" or "outcome: TYPE: message") and its peak memory ("peak-bytes: N"), then exits 0. A crash, a hang or a
/// native abort shows as another exit code (or a timeout) in the test.
/// </summary>
internal static class HostileWorker
{
    internal static int Run(string[] args)
    {
        string kind = args[1], path = args[2];
        string outcome;
        try
        {
            if (kind == "model")
            {
                Saving.LoadModel(path);
            }
            else
            {
                var model = new Sequential(new Layer[] { new Dense(2, name: "dense") });
                model.Build(new long[] { -1, 3 });
                model.LoadWeights(path);
            }
            outcome = "ok";
        }
        catch (Exception e)
        {
            outcome = (e is Keras.Errors.IKerasException ? "keras " : "other ") + e.GetType().Name + ": " + e.Message.Replace('\n', ' ');
        }
        Console.Out.WriteLine("outcome: " + outcome);
        Console.Out.WriteLine("peak-bytes: " + Process.GetCurrentProcess().PeakWorkingSet64);
        Console.Out.Flush();
        return 0;
    }
}

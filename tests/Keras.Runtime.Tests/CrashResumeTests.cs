using System.Diagnostics;
using PureHDF;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Issue acceptance: a child process training with BackupAndRestore is killed (SIGKILL) at random moments several times;
/// the run that finally completes ends with weights (and optimizer state) equal to an uninterrupted run's.
/// </summary>
public class CrashResumeTests : KerasTestBase
{
    private const int Epochs = 40; // long enough that five kills land before a run can finish, even on a loaded machine

    private static string Worker => Path.Combine(AppContext.BaseDirectory, "Keras.Runtime.Tests.dll");

    private static Process Start(string backupDir, string result)
    {
        var info = new ProcessStartInfo("dotnet", $"exec \"{Worker}\" crash-worker \"{backupDir}\" \"{result}\" {Epochs}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        return Process.Start(info)!;
    }

    private static Dictionary<string, float[]> ReadAll(string path)
    {
        var values = new Dictionary<string, float[]>();
        using var file = H5File.OpenRead(path);
        void Walk(IH5Group group, string prefix)
        {
            foreach (var child in group.Children())
            {
                string name = prefix + "/" + child.Name;
                if (child is IH5Group sub) Walk(sub, name);
                else if (child is IH5Dataset dataset)
                    values[name] = dataset.Type.Class == H5DataTypeClass.FloatingPoint
                        ? dataset.Read<float[]>()
                        : dataset.Read<long[]>().Select(v => (float)v).ToArray();
            }
        }
        Walk(file, "");
        return values;
    }

    [Fact]
    public void Killed_at_random_moments_the_resumed_training_ends_with_the_uninterrupted_weights()
    {
        string reference = Path.Combine(KerasHome, "reference.weights.h5");
        using (var clean = Start(Path.Combine(KerasHome, "clean-backup"), reference))
        {
            string log = clean.StandardOutput.ReadToEnd() + clean.StandardError.ReadToEnd();
            Assert.True(clean.WaitForExit(300_000), "the uninterrupted worker did not finish");
            Assert.True(clean.ExitCode == 0, "uninterrupted worker failed:\n" + log);
        }

        string backupDir = Path.Combine(KerasHome, "backup");
        string result = Path.Combine(KerasHome, "result.weights.h5");
        var random = new Random(2026);
        int kills = 0;
        string finalOutput = "";
        for (int attempt = 0; attempt < 30 && !File.Exists(result); attempt++)
        {
            using var worker = Start(backupDir, result);
            worker.ErrorDataReceived += (_, _) => { };
            worker.BeginErrorReadLine();
            if (kills < 5)
            {
                // Let it reach a random epoch of this run, then kill it a random few milliseconds later: inside a
                // training step, between files of a backup, or in the middle of writing one.
                int epochsToWait = random.Next(1, 3);
                for (int seen = 0; seen < epochsToWait;)
                {
                    string? line = worker.StandardOutput.ReadLine();
                    if (line == null) break;
                    if (line.StartsWith("epoch ", StringComparison.Ordinal)) seen++;
                }
                Thread.Sleep(random.Next(0, 40));
                if (!worker.HasExited)
                {
                    worker.Kill(); // SIGKILL on Unix: no finally blocks, no flushes
                    kills++;
                }
                worker.WaitForExit();
                continue;
            }
            finalOutput = worker.StandardOutput.ReadToEnd();
            Assert.True(worker.WaitForExit(300_000), "the final worker did not finish");
            Assert.True(worker.ExitCode == 0, "final worker failed:\n" + finalOutput);
        }

        Assert.True(kills >= 3, $"only {kills} kills landed before training finished");
        // The completing run resumed from a backup instead of starting over (no epoch at all when the last kill
        // landed after the final epoch's backup: it then only restores and finishes).
        string? firstLine = finalOutput.Split('\n').FirstOrDefault(l => l.StartsWith("epoch ", StringComparison.Ordinal));
        int firstEpoch = firstLine == null ? Epochs : int.Parse(firstLine.AsSpan(6));
        Assert.True(firstEpoch > 0, "the final run started from epoch 0:\n" + finalOutput);
        Assert.True(File.Exists(result), "training never completed");
        Assert.False(Directory.Exists(backupDir)); // deleted by the completed run
        var expected = ReadAll(reference);
        var actual = ReadAll(result);
        Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
        foreach (var key in expected.Keys) Assert.True(expected[key].SequenceEqual(actual[key]), $"{key} differs after resuming");
    }
}

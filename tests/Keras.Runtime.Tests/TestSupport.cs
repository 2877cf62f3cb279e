using System.Reflection;
using Keras.Configuration;
using Keras.State;
using Keras.Utilities;
using Xunit;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Keras.Runtime.Tests;

/// <summary>
/// Every test starts like a fresh process: configuration reloaded from an empty, private KERAS_HOME (never the real
/// ~/.keras), global state cleared, output channels restored.
/// </summary>
public abstract class KerasTestBase : IDisposable
{
    protected readonly string KerasHome;
    private readonly string? _savedBackendVariable = Environment.GetEnvironmentVariable("KERAS_BACKEND");

    protected KerasTestBase()
    {
        KerasHome = Path.Combine(Path.GetTempPath(), "keras-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(KerasHome);
        ConfigState.ResetForTesting(TestEnvironment(new Dictionary<string, string> { ["KERAS_HOME"] = KerasHome }));
        GlobalState.ClearSession(ReleaseReason.ClearSession);
        IoUtils.StdoutOverride = null;
        IoUtils.StderrOverride = new StringWriter(); // keep test output clean; tests that read warnings replace it
        IoUtils.LoggerFactory = null;
    }

    internal static KerasEnvironment TestEnvironment(IDictionary<string, string> variables, string? home = null, bool homeWritable = true) =>
        new(name => variables.TryGetValue(name, out var v) ? v : null, home, _ => homeWritable);

    /// <summary>The bytes of entry <paramref name="name"/> of the zip archive at <paramref name="path"/> (config.json, model.weights.h5).</summary>
    protected static byte[] ArchiveEntry(string path, string name)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        using var entry = zip.GetEntry(name)!.Open();
        using var buffer = new MemoryStream();
        entry.CopyTo(buffer);
        return buffer.ToArray();
    }

    public virtual void Dispose()
    {
        GlobalState.ClearSession(ReleaseReason.ClearSession);
        ConfigState.ResetForTesting();
        IoUtils.StdoutOverride = null;
        IoUtils.StderrOverride = null;
        IoUtils.LoggerFactory = null;
        Environment.SetEnvironmentVariable("KERAS_BACKEND", _savedBackendVariable);
        try { Directory.Delete(KerasHome, recursive: true); } catch (IOException) { }
        GC.SuppressFinalize(this);
    }

    internal static string Metadata(string key) =>
        typeof(KerasTestBase).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}

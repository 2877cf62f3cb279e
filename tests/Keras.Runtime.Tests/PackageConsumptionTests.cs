using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// End to end through the NuGet package, as a user gets it: packs Keras.Runtime (Release, a unique prerelease version),
/// then builds an app outside the repository that references only the package (restored from a local folder added to
/// the machine's sources). The package must bring everything: the runtime and its dependencies (TorchSharp, PureHDF),
/// the analyzers (KERAS201 fails a build), the keras.json generator, and the GLIBCXX fix for Debian 12 / Ubuntu 22.04.
/// </summary>
public class PackageConsumptionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keras-package-").FullName;
    private readonly string _version = "0.0.0-e2e." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
        // The unique test version is removed from the global packages folder again; nothing else there is touched.
        string cached = Path.Combine(GlobalPackages(), "keras.runtime", _version);
        try
        {
            if (Directory.Exists(cached)) Directory.Delete(cached, true);
            string parent = Path.GetDirectoryName(cached)!;
            if (Directory.Exists(parent) && !Directory.EnumerateFileSystemEntries(parent).Any()) Directory.Delete(parent);
        }
        catch (IOException)
        {
        }
    }

    private static string GlobalPackages() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static (int ExitCode, string Output) Run(string arguments, string workingDirectory) =>
        Keras.Testing.ProcessRunner.Run("dotnet", arguments, workingDirectory, timeoutSeconds: 600);

    [Fact]
    public void An_app_referencing_only_the_package_gets_runtime_analyzers_generator_and_native_fix()
    {
        string root = KerasTestBase.Metadata("RepoRoot").TrimEnd('/', '\\');
        string feed = Path.Combine(_dir, "feed");
        // --no-restore: the solution build restored the projects; restoring again would rewrite assets other test runs read.
        var pack = Run($"pack \"{root}/src/Keras.Runtime/Keras.Runtime.csproj\" -c Release --no-restore -nodeReuse:false -o \"{feed}\" -p:Version={_version}", root);
        Assert.True(pack.ExitCode == 0, pack.Output);

        string app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>$(NETCoreSdkRuntimeIdentifier)</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
                <ImplicitUsings>enable</ImplicitUsings>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <RestoreAdditionalProjectSources>{feed}</RestoreAdditionalProjectSources>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Keras.Runtime" Version="{_version}" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "keras.json"), """
            { "floatx": "float32", "epsilon": 1e-05, "backend": "torch", "image_data_format": "channels_last" }
            """);
        string program = """
            using Keras.Layers;
            using Keras.Models;
            using TorchSharp;
            var model = new Sequential(new Layer[] { new Dense(3, activation: "relu"), new Dense(1) });
            model.Build(new long[] { -1, 4 });
            model.SaveWeights(Path.Combine(Path.GetTempPath(), "PATH"));
            File.Delete(Path.Combine(Path.GetTempPath(), "PATH"));
            string keras = Path.Combine(Path.GetTempPath(), "pkg-" + Environment.ProcessId + ".keras");
            model.Save(keras);
            var loaded = Keras.Saving.LoadModel(keras);
            File.Delete(keras);
            using var x = torch.ones(2, 4);
            using var a = model.Call(x);
            using var b = loaded.Call(x);
            Console.WriteLine($"baked epsilon {Keras.Generated.KerasJson.Epsilon}, runtime epsilon {Keras.Config.Epsilon()}");
            Console.WriteLine($"reloaded equal {a.equal(b).all().item<bool>()}");
            """;

        // The analyzers come with the package: a weights path Keras rejects fails the build.
        File.WriteAllText(Path.Combine(app, "Program.cs"), program.Replace("PATH", "w.h5"));
        var bad = Run("build -nodeReuse:false", app);
        Assert.True(bad.ExitCode != 0, bad.Output);
        Assert.Contains("error KERAS201", bad.Output);

        File.WriteAllText(Path.Combine(app, "Program.cs"), program.Replace("PATH", "pkg-" + Guid.NewGuid().ToString("N") + ".weights.h5"));
        var build = Run("build -nodeReuse:false", app);
        Assert.True(build.ExitCode == 0, build.Output);
        string dll = Path.Combine("bin", "Debug", "net10.0", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "App.dll");
        var run = Run(dll, app);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("baked epsilon 1E-05, runtime epsilon 1E-05", run.Output);
        Assert.Contains("reloaded equal True", run.Output);
    }
}

using Keras.Build;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// End to end: an app outside this repository that references Keras.Runtime and imports the build targets the
/// package ships (referenced projects are used as the test run built them, not rebuilt, since other test
/// assemblies use them in parallel). Builds it with the GLIBCXX fix switched off, then on, then again, and runs it each time.
/// </summary>
public class BuildIntegrationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keras-e2e-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private static string RepoRoot => KerasTestBase.Metadata("RepoRoot");

    private static (int ExitCode, string Output) Run(string file, string arguments, string workingDirectory) =>
        Keras.Testing.ProcessRunner.Run(file, arguments, workingDirectory);

    [Fact]
    public void An_app_gets_the_fix_from_the_shipped_targets_only_where_needed_idempotently_and_a_clear_error_without_it()
    {
        string root = RepoRoot.TrimEnd('/', '\\');
        File.WriteAllText(Path.Combine(_dir, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <RuntimeIdentifier>$(NETCoreSdkRuntimeIdentifier)</RuntimeIdentifier>
                <SelfContained>false</SelfContained>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{root}/src/Keras.Runtime/Keras.Runtime.csproj" />
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
              <Import Project="{root}/src/Keras.Runtime/build/Keras.Runtime.targets" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(_dir, "Program.cs"), """
            try
            {
                var dense = new Keras.Layers.Dense(2);
                using var x = TorchSharp.torch.ones(1, 3);
                using var y = dense.Call(x);
                System.Console.WriteLine("computed " + y.shape[1]);
                return 0;
            }
            catch (Keras.Errors.KerasNativeLibraryException e)
            {
                System.Console.WriteLine("KerasNativeLibraryException: " + e.Message);
                return 3;
            }
            """);
        string? host = LibTorchSharpPatcher.FindHostLibStdCxx(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"));
        bool hostLacks = OperatingSystem.IsLinux() && host != null &&
                         !LibTorchSharpPatcher.ReadDefinedVersions(File.ReadAllBytes(host)).Contains("GLIBCXX_3.4.32");
        string app = Path.Combine("bin", "Debug", "net10.0", System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "App.dll");
        string outputLibrary = Path.Combine(_dir, Path.GetDirectoryName(app)!, "libLibTorchSharp.so");
        string nugetLibrary = KerasTestBase.Metadata("NuGetLibTorchSharp");
        byte[] nugetBefore = File.ReadAllBytes(nugetLibrary);

        // 1. Fix switched off: where the host lacks GLIBCXX_3.4.32 the app fails with one clear exception.
        var build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false -p:KerasPatchLibTorchSharp=false", _dir);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain("Keras.Runtime: patched", build.Output);
        var run = Run("dotnet", app, _dir);
        if (hostLacks)
        {
            Assert.Equal(3, run.ExitCode);
            Assert.Contains("The loader said:", run.Output);
            Assert.Contains("GLIBCXX_3.4.32", run.Output);
            Assert.Contains("Fix:", run.Output);
            Assert.DoesNotContain("doesn't contain a reference", run.Output);
            Assert.False(Directory.Exists(Path.Combine(_dir, Path.GetDirectoryName(app)!, "cpu")), "TorchSharp's fallback copy must not run");
        }
        else
        {
            Assert.True(run.ExitCode == 0, run.Output);
        }

        // 2. Default build: patched in the output folder only where needed; the app computes.
        build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false", _dir);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.Equal(hostLacks, build.Output.Contains("Keras.Runtime: patched"));
        run = Run("dotnet", app, _dir);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("computed 2", run.Output);
        byte[] patched = File.ReadAllBytes(outputLibrary);

        // 3. Again: nothing left to do, same bytes, still computes.
        build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false", _dir);
        Assert.True(build.ExitCode == 0, build.Output);
        Assert.DoesNotContain("Keras.Runtime: patched", build.Output);
        Assert.Equal(patched, File.ReadAllBytes(outputLibrary));
        Assert.Contains("computed 2", Run("dotnet", app, _dir).Output);

        // The NuGet cache is never written.
        Assert.Equal(nugetBefore, File.ReadAllBytes(nugetLibrary));
    }
}

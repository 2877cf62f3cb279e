using Xunit;

namespace Keras.Analyzers.Tests;

/// <summary>
/// `dotnet format analyzers --diagnostics KERAS101` applies the fix on a real project that uses the analyzers and code
/// fixes as analyzer references (as the package delivers them). Referenced projects are used as the test run built
/// them (BuildProjectReferences=false), since other test assemblies use them in parallel.
/// </summary>
public class DotnetFormatEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keras-format-e2e-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private (int ExitCode, string Output) Run(string arguments) => Keras.Testing.ProcessRunner.Run("dotnet", arguments, _dir);

    [Fact]
    public void Dotnet_format_applies_the_KERAS101_fix()
    {
        string root = KerasReferences.RepoRoot.TrimEnd('/', '\\');
        File.WriteAllText(Path.Combine(_dir, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <BuildProjectReferences>false</BuildProjectReferences>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{root}/src/Keras.Runtime/Keras.Runtime.csproj" />
                <ProjectReference Include="{root}/src/Keras.Analyzers/Keras.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                <ProjectReference Include="{root}/src/Keras.Analyzers.CodeFixes/Keras.Analyzers.CodeFixes.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            </Project>
            """);
        string program = Path.Combine(_dir, "Program.cs");
        File.WriteAllText(program, """
            using Keras.Layers;
            using Keras.Models;

            for (int i = 0; i < 100; i++)
            {
                var model = new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(10)));
                model.Summary();
            }
            """);

        var restore = Run("restore");
        Assert.True(restore.ExitCode == 0, restore.Output);
        var verify = Run("format analyzers --diagnostics KERAS101 --severity warn --verify-no-changes --no-restore");
        Assert.NotEqual(0, verify.ExitCode); // the violation is there
        Assert.Contains("KERAS101", verify.Output);

        var format = Run("format analyzers --diagnostics KERAS101 --severity warn --no-restore");
        Assert.True(format.ExitCode == 0, format.Output);
        Assert.Equal("""
            using Keras.Layers;
            using Keras.Models;

            for (int i = 0; i < 100; i++)
            {
                Keras.Utils.ClearSession();
                var model = new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(10)));
                model.Summary();
            }
            """, File.ReadAllText(program));
    }
}

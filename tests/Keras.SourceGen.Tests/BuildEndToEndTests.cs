using Xunit;

namespace Keras.SourceGen.Tests;

/// <summary>
/// End to end with real `dotnet build`: a project with a checked-in keras.json, the generator and analyzers as
/// analyzers, and the build targets Keras.Runtime ships. Referenced projects are not rebuilt
/// (BuildProjectReferences=false): the test run already built them, and other test assemblies use them in parallel. The app prints what Keras.Config returns at run time while
/// the user's ~/.keras/keras.json (KERAS_HOME) says something else.
/// </summary>
public class BuildEndToEndTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("keras-bake-e2e-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    private (int ExitCode, string Output) Run(string file, string arguments, IDictionary<string, string?>? environment = null)
    {
        var variables = new Dictionary<string, string?> { ["KERAS_BACKEND"] = null };
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) variables[k] = v;
        return Keras.Testing.ProcessRunner.Run(file, arguments, Path.Combine(_dir, "app"), variables);
    }

    [Fact]
    public void A_checked_in_keras_json_is_baked_wins_over_the_users_file_and_a_bad_one_fails_the_build_at_its_line()
    {
        string root = Harness.RepoRoot.TrimEnd('/', '\\');
        string app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{root}/src/Keras.Runtime/Keras.Runtime.csproj" />
                <ProjectReference Include="{root}/src/Keras.SourceGen/Keras.SourceGen.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
                <ProjectReference Include="{root}/src/Keras.Analyzers/Keras.Analyzers.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
              <Import Project="{root}/src/Keras.Runtime/build/Keras.Runtime.targets" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            System.Console.WriteLine($"floatx={Keras.Config.Floatx()} epsilon={Keras.Config.Epsilon():R} format={Keras.Config.ImageDataFormat()} baked={Keras.Hosting.KerasBakedConfig.SourcePath ?? "none"}");
            if (args.Length > 0) { Keras.Config.SetFloatx(args[0]); System.Console.WriteLine($"after Set: floatx={Keras.Config.Floatx()}"); }
            """);
        File.WriteAllText(Path.Combine(app, "keras.json"), "{\r\n    \"floatx\": \"float64\",\r\n    \"epsilon\": 0.001,\r\n    \"image_data_format\": \"channels_first\"\r\n}\r\n");
        string userHome = Path.Combine(_dir, "user-keras");
        Directory.CreateDirectory(userHome);
        File.WriteAllText(Path.Combine(userHome, "keras.json"), "{\"floatx\": \"float16\", \"epsilon\": 1e-05, \"image_data_format\": \"channels_last\"}");
        var userEnvironment = new Dictionary<string, string?> { ["KERAS_HOME"] = userHome };
        string dll = Path.Combine("bin", "Debug", "net10.0", "App.dll");

        // 1. Baked: keras.json next to the project wins over the user's ~/.keras/keras.json; explicit calls win over both.
        var build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false");
        Assert.True(build.ExitCode == 0, build.Output);
        var run = Run("dotnet", dll + " bfloat16", userEnvironment);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("floatx=float64 epsilon=0.001 format=channels_first baked=keras.json", run.Output);
        Assert.Contains("after Set: floatx=bfloat16", run.Output);

        // 2. Baking off: the runtime reads the user's file, as Keras does.
        build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false -p:KerasBakeConfig=false");
        Assert.True(build.ExitCode == 0, build.Output);
        run = Run("dotnet", dll, userEnvironment);
        Assert.Contains("floatx=float16 epsilon=1E-05 format=channels_last baked=none", run.Output);

        // 3. A custom path chosen with <KerasConfigFile>.
        Directory.CreateDirectory(Path.Combine(app, "config"));
        File.WriteAllText(Path.Combine(app, "config", "team.json"), "{\"floatx\": \"float32\", \"epsilon\": 0.01}");
        build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false -p:KerasConfigFile=config/team.json");
        Assert.True(build.ExitCode == 0, build.Output);
        run = Run("dotnet", dll, userEnvironment);
        Assert.Contains("floatx=float32 epsilon=0.01 format=channels_last baked=config/team.json", run.Output);

        // 4. A configured path that does not exist is KERAS006.
        build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false -p:KerasConfigFile=config/missing.json");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("error KERAS006", build.Output);
        Assert.Contains("missing.json", build.Output);

        // 5. An invalid keras.json fails the build with KERAS004 at its line and column.
        File.WriteAllText(Path.Combine(app, "keras.json"), "{\n    \"floatx\": \"float64\",\n    \"epsilon\": 1\n}\n");
        build = Run("dotnet", "build -nodeReuse:false -p:BuildProjectReferences=false");
        Assert.NotEqual(0, build.ExitCode);
        Assert.Contains("keras.json(3,16): error KERAS004: Invalid `epsilon` configuration. Expected a float. Received: epsilon=1.", build.Output);
    }
}

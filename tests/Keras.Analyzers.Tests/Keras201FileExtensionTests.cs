using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.FileExtensionAnalyzer, Keras.Analyzers.CodeFixes.FixExtensionCodeFix>;

namespace Keras.Analyzers.Tests;

public class Keras201FileExtensionTests
{
    private static string Program(string statements) => $$"""
        using System.IO;
        using Keras.Callbacks;
        using Keras.Layers;
        using Keras.Models;
        class Program
        {
            static void Main() { }

            static void Train(string dir)
            {
                var model = new Sequential(new Layer[] { new Dense(1) });
                {{statements}}
            }
        }
        """;

    [Theory]
    [InlineData("model.Save({|KERAS201:\"model.h5\"|});", "model.Save(\"model.keras\");")]
    [InlineData("model.Save({|KERAS201:\"model.png\"|});", "model.Save(\"model.keras\");")]
    [InlineData("model.Save({|KERAS201:\"out/model\"|});", "model.Save(\"out/model.keras\");")]
    [InlineData("model.SaveWeights({|KERAS201:\"model.h5\"|});", "model.SaveWeights(\"model.weights.h5\");")]
    [InlineData("model.SaveWeights({|KERAS201:\"model.keras\"|});", "model.SaveWeights(\"model.weights.h5\");")]
    [InlineData("model.SaveWeights({|KERAS201:@\"c:\\w\\ckpt.pt\"|});", "model.SaveWeights(@\"c:\\w\\ckpt.weights.h5\");")]
    [InlineData("model.LoadWeights({|KERAS201:\"model.h5\"|});", "model.LoadWeights(\"model.weights.h5\");")]
    [InlineData("Keras.Saving.LoadModel({|KERAS201:\"model.h5\"|});", "Keras.Saving.LoadModel(\"model.keras\");")]
    [InlineData("Keras.Saving.SaveModel(model, {|KERAS201:\"m.tf\"|});", "Keras.Saving.SaveModel(model, \"m.keras\");")]
    [InlineData("model.Save(Path.Combine(dir, {|KERAS201:\"model.h5\"|}));", "model.Save(Path.Combine(dir, \"model.keras\"));")]
    [InlineData("model.SaveWeights(dir + {|KERAS201:\"/best\"|});", "model.SaveWeights(dir + \"/best.weights.h5\");")]
    [InlineData("new ModelCheckpoint({|KERAS201:\"ckpt-{epoch}.h5\"|});", "new ModelCheckpoint(\"ckpt-{epoch}.keras\");")]
    [InlineData("new ModelCheckpoint({|KERAS201:\"ckpt.keras\"|}, saveWeightsOnly: true);", "new ModelCheckpoint(\"ckpt.weights.h5\", saveWeightsOnly: true);")]
    public async Task Extensions_Keras_rejects_are_errors_fixed_to_the_expected_one(string bad, string good)
    {
        await Verify.FixAsync(Program(bad), Program(good));
    }

    [Theory]
    [InlineData("model.Save(\"model.keras\");")]
    [InlineData("model.SaveWeights(\"model.weights.h5\");")]
    [InlineData("model.LoadWeights(\"model.keras\");")]
    [InlineData("model.LoadWeights(Path.Combine(dir, \"model.weights.h5\"));")]
    [InlineData("Keras.Saving.LoadModel($\"{dir}/model.keras\");")]
    [InlineData("model.Save(dir);")]                              // unknown at compile time
    [InlineData("model.Save(dir + \"ras\");")]                    // could still end in .keras
    [InlineData("model.Save($\"{dir}.ke{\"ras\"}\");")]           // the literal tail is not the end
    [InlineData("new ModelCheckpoint(\"w-{epoch:02d}.weights.h5\", saveWeightsOnly: true);")]
    [InlineData("new ModelCheckpoint(\"w.keras\", saveWeightsOnly: dir == null);")] // decided at run time: silent
    [InlineData("File.WriteAllText(\"model.h5\", \"\");")]
    public async Task Valid_or_undecidable_paths_are_not_reported(string call)
    {
        await Verify.AnalyzeAsync(Program(call));
    }

    [Fact]
    public async Task An_interpolated_tail_is_reported_without_a_fix()
    {
        string source = Program("model.Save({|KERAS201:$\"{dir}/model.h5\"|});");
        await Verify.FixAsync(source, source);
    }

    [Fact]
    public async Task A_users_own_Save_method_is_not_reported()
    {
        await Verify.AnalyzeAsync("""
            class Document { public void Save(string filepath) { } public void SaveWeights(string filepath) { } }
            class Program { static void Main() { new Document().Save("report.pdf"); new Document().SaveWeights("w.bin"); } }
            """);
    }

    [Fact]
    public async Task Fix_all_corrects_every_path()
    {
        await Verify.FixAsync(
            Program("model.Save({|KERAS201:\"a.h5\"|});\n        model.SaveWeights({|KERAS201:\"b.h5\"|});\n        model.LoadWeights({|KERAS201:\"c.bin\"|});"),
            Program("model.Save(\"a.keras\");\n        model.SaveWeights(\"b.weights.h5\");\n        model.LoadWeights(\"c.weights.h5\");"));
    }

    [Fact]
    public void The_fix_replaces_only_the_file_names_extension()
    {
        Assert.Equal("dir.v2/model.keras", FileExtensionAnalyzer.FixPath("dir.v2/model", ".keras"));
        Assert.Equal("model.v2.keras", FileExtensionAnalyzer.FixPath("model.v2.h5", ".keras"));
        Assert.Equal("best.keras", FileExtensionAnalyzer.FixPath("best.weights.h5", ".keras"));
        Assert.Equal("w.weights.h5", FileExtensionAnalyzer.FixPath("w.weights", ".weights.h5"));
    }
}

using System.Text.Json.Nodes;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// The real `.keras` files saved by Python Keras in ../shared/keras-files (not committed: they are not ours) load and
/// predict what their expected.json says, within 1e-5 + 1e-4·|y|. Each folder holds model.keras, input.json (a batch
/// of 4 float32 inputs) and expected.json (the outputs, computed independently from the file's config and weights).
/// </summary>
public class RealKerasFilesTests : KerasTestBase
{
    /// <summary>Every file of ../shared/keras-files; a file the runtime cannot load yet fails its test.</summary>
    public static IEnumerable<object[]> Files() => new[]
    {
        "churn_mlp_k3_10", "rain_bn_k3_8", "mnist_cnn_k3_1", "btc_gru_k3_12", "bilstm_stock_k3_0", "lstm_ae_repeat_td_k3_10",
    }.Select(f => new object[] { f });

    internal static string FolderOf(string name) => Path.Combine(Metadata("RepoRoot"), "..", "shared", "keras-files", name);

    [Fact]
    public void The_shared_folder_of_real_files_is_there()
    {
        // CI runs with ../shared beside the clone; without it the tests below would prove nothing.
        Assert.True(Directory.Exists(Path.Combine(Metadata("RepoRoot"), "..", "shared", "keras-files")),
            "../shared/keras-files is missing beside the repository: the real-file tests need it.");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void A_real_file_saved_by_Python_Keras_loads_and_predicts_its_expected_outputs(string name)
    {
        string folder = FolderOf(name);
        var model = Saving.LoadModel(Path.Combine(folder, "model.keras"));
        var (input, inputShape) = Read(Path.Combine(folder, "input.json"));
        var (expected, _) = Read(Path.Combine(folder, "expected.json"));
        using var x = torch.tensor(input, inputShape);
        using var y = model.Predict(x);
        var actual = y.data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-5 + 1e-4 * Math.Abs(expected[i]),
                $"{name}: output {i} is {actual[i]}, expected {expected[i]}");
    }

    /// <summary>A nested JSON list of numbers: its values in row-major order and its shape.</summary>
    internal static (float[] Values, long[] Shape) Read(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!;
        var shape = new List<long>();
        for (JsonNode? n = root; n is JsonArray a; n = a.Count > 0 ? a[0] : null) shape.Add(((JsonArray)n).Count);
        var values = new List<float>();
        void Walk(JsonNode? n)
        {
            if (n is JsonArray a) foreach (var item in a) Walk(item);
            else values.Add(n!.GetValue<float>());
        }
        Walk(root);
        return (values.ToArray(), shape.ToArray());
    }
}

using Keras.Interop;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Keras.Runtime.Tests;

/// <summary>
/// float16 and bfloat16 end to end on the CPU, as Keras 3 runs them: the pure policies ("float16", "bfloat16": variables
/// and compute in that dtype) and the mixed ones ("mixed_float16", "mixed_bfloat16": float32 variables, half-precision
/// compute), training, evaluating, saving and loading; every catalog layer computes in the policy's dtype or says which
/// op lacks a kernel for it.
/// </summary>
public class MixedPrecisionTests : KerasTestBase
{
    public static IEnumerable<object[]> Policies() =>
        new[] { "float16", "bfloat16", "mixed_float16", "mixed_bfloat16" }.Select(p => new object[] { p });

    /// <summary>Three linearly separable classes in 4 features: the label is the argmax of x·W for a fixed W.</summary>
    private static (Tensor X, Tensor Y) Separable(int samples)
    {
        var generator = new Generator(5);
        var x = torch.randn(new long[] { samples, 4 }, generator: generator);
        using var w = torch.tensor(new float[] { 2, -1, 0, -1, 2, 0, 0, -1, 2, 1, 1, -2 }).reshape(4, 3);
        using var scores = x.matmul(w);
        return (x, scores.argmax(1));
    }

    private static string ComputeOf(string policy) => policy.Replace("mixed_", "");

    private static string VariableOf(string policy) => policy.StartsWith("mixed_") ? "float32" : policy;

    [Theory]
    [MemberData(nameof(Policies))]
    public void A_small_model_trains_evaluates_saves_and_loads_in_the_policy_dtypes(string policy)
    {
        Config.SetDtypePolicy(policy);
        Utils.SetRandomSeed(3);
        var (x, y) = Separable(256);
        using var _x = x;
        using var _y = y;
        var input = new Input(new long[] { 4 });
        var hidden = new Dense(16, activation: "relu").Call(input);
        var normalized = new BatchNormalization().Call(hidden);
        var model = new Functional(input, new Dense(3, activation: "softmax").Call(normalized));
        // Adam's default epsilon (1e-7) is below float16's normal range: a float16-variable model needs a larger one, as
        // with Keras (mixed policies keep float32 variables and do not).
        model.Compile(new Adam(0.02, epsilon: policy == "float16" ? 1e-3 : 1e-7), new SparseCategoricalCrossentropy(), new[] { new Keras.Metrics.SparseCategoricalAccuracy() });

        // Keras wraps the optimizer in a LossScaleOptimizer for mixed_float16 only.
        Assert.Equal(policy == "mixed_float16", model.Optimizer is LossScaleOptimizer);
        foreach (var w in model.Weights) Assert.Equal(VariableOf(policy), w.Dtype);

        var history = model.Fit(x, y, batchSize: 32, epochs: 12, verbose: 0);
        var losses = history.HistoryDict["loss"];
        Assert.All(losses, l => Assert.True(double.IsFinite(l), $"{policy}: a non-finite loss {l}"));
        Assert.True(losses[^1] < 0.6 * losses[0], $"{policy}: the loss fell only from {losses[0]} to {losses[^1]}");

        var logs = model.Evaluate(x, y, verbose: 0);
        Assert.True(double.IsFinite(logs["loss"]));
        Assert.True(logs["sparse_categorical_accuracy"] > 0.85, $"{policy}: accuracy {logs["sparse_categorical_accuracy"]}");

        using var predictions = model.Predict(x);
        Assert.Equal(Dtypes.ToScalarType(ComputeOf(policy)), predictions.dtype);
        // Keras computes losses in floatx (float32) whatever the compute dtype: the loss of a half-precision output is float32.
        using (var loss = new SparseCategoricalCrossentropy().Call(y, predictions))
            Assert.Equal(ScalarType.Float32, loss.dtype);

        string path = Path.Combine(KerasHome, policy + ".keras");
        model.Save(path);
        Keras.Backend.ClearSession();
        var reloaded = Saving.LoadModel(path);
        foreach (var w in reloaded.Weights) Assert.Equal(VariableOf(policy), w.Dtype);
        using var again = reloaded.Predict(x);
        Assert.True(predictions.equal(again).all().item<bool>(), $"{policy}: the reloaded model predicts differently");
        Assert.Equal(policy == "mixed_float16", reloaded.Optimizer is LossScaleOptimizer);
        // Training resumes after the load with the restored optimizer state.
        var resumed = reloaded.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0).HistoryDict["loss"][0];
        Assert.True(double.IsFinite(resumed) && resumed < losses[0], $"{policy}: resumed loss {resumed}");
    }

    public static IEnumerable<object[]> LayersAndPolicies() =>
        CatalogTests.Samples.Keys.SelectMany(name => new[] { "float16", "mixed_bfloat16" }.Select(p => new object[] { name, p }));

    [Theory]
    [MemberData(nameof(LayersAndPolicies))]
    public void Every_layer_computes_in_the_policy_dtype_forward_and_backward_or_names_the_missing_kernel(string className, string policy)
    {
        Config.SetDtypePolicy(policy);
        Utils.SetRandomSeed(4);
        var (make, shape) = CatalogTests.Samples[className];
        var layer = make();
        var batchShape = new[] { 3L }.Concat(shape).ToArray();
        using var data = className == "Embedding"
            ? torch.randint(0, 7, batchShape, ScalarType.Int64)
            : torch.randn(batchShape);
        try
        {
            using var output = layer.Call(data, training: true);
            Assert.Equal(Dtypes.ToScalarType(ComputeOf(policy)), output.dtype);
            using var total = output.to_type(ScalarType.Float32).sum();
            if (layer.TrainableWeights.Count > 0)
            {
                total.backward();
                foreach (var w in layer.TrainableWeights)
                {
                    Assert.NotNull(w.Value.grad);
                    Assert.Equal(Dtypes.ToScalarType(VariableOf(policy)), w.Value.grad!.dtype);
                }
            }
        }
        catch (Exception e) when (e is Errors.IKerasException)
        {
            // A kernel LibTorch's CPU build lacks: the error says which dtype and what to do.
            Assert.True(e.Message.Contains($"no {ComputeOf(policy)} kernel"), e.Message);
        }
    }
}

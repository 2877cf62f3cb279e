using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Losses;
using Keras.Metrics;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Fit/Evaluate/Predict for models with several inputs and outputs: one loss per output, weighted sum, prefixed logs.</summary>
public class MultiOutputTrainingTests : KerasTestBase
{
    /// <summary>Two inputs (numbers and a category one-hot) → a regression head and a classification head.</summary>
    private static Functional TwoHeads()
    {
        var numbers = new Input(new long[] { 4 }, name: "numbers");
        var category = new Input(new long[] { 3 }, name: "category");
        var joined = new Concatenate().Call(new Dense(8, activation: "relu").Call(numbers), category);
        var hidden = new Dense(16, activation: "relu").Call(joined);
        var price = new Dense(1, name: "price").Call(hidden);
        var kind = new Dense(3, name: "kind").Call(hidden);
        return new Functional(new[] { numbers, category }, new[] { price, kind }, name: "two_heads");
    }

    private static (torch.Tensor[] X, torch.Tensor[] Y) Data(int n = 256)
    {
        using var g = new torch.Generator(21);
        var numbers = torch.randn(new long[] { n, 4 }, generator: g);
        var labels = torch.randint(0, 3, new long[] { n }, generator: g);
        var category = torch.nn.functional.one_hot(labels, 3).to_type(torch.ScalarType.Float32);
        using var sum = numbers.sum(new long[] { 1 }, keepdim: true);
        using var offset = labels.to_type(torch.ScalarType.Float32).unsqueeze(1);
        var price = sum.add(offset);
        // the class is predictable from the first number's sign and the category
        using var positive = numbers.select(1, 0).gt(0).to_type(torch.ScalarType.Int64);
        var kind = labels.add(positive).remainder(3);
        return (new[] { numbers, category }, new[] { price, kind });
    }

    [Fact]
    public void Fit_learns_both_heads_and_logs_the_weighted_total_and_each_output_as_Keras_names_them()
    {
        Utils.SetRandomSeed(2);
        var model = TwoHeads();
        model.Compile(new Adam(0.01), new Loss[] { new Losses.MeanSquaredError(), new Losses.SparseCategoricalCrossentropy(fromLogits: true) },
            lossWeights: new[] { 1.0, 0.5 }, metrics: new IEnumerable<Metric>?[] { new[] { Metric.Get("mae") }, new[] { Metric.Get("accuracy") } });
        var (x, y) = Data();
        var history = model.Fit(x, y, batchSize: 32, epochs: 40, verbose: 0, validationSplit: 0.25);

        Assert.Equal(new[] { "kind_accuracy", "kind_loss", "loss", "price_loss", "price_mae", "val_kind_accuracy", "val_kind_loss", "val_loss", "val_price_loss", "val_price_mae" },
            history.HistoryDict.Keys.Order(StringComparer.Ordinal));
        var last = history.HistoryDict.ToDictionary(p => p.Key, p => p.Value[^1]);
        Assert.Equal(last["price_loss"] + 0.5 * last["kind_loss"], last["loss"], 3);
        Assert.True(last["val_price_mae"] < 0.5, $"price MAE {last["val_price_mae"]}");
        Assert.True(last["val_kind_accuracy"] > 0.9, $"kind accuracy {last["val_kind_accuracy"]}");

        var evaluated = model.Evaluate(x, y, verbose: 0);
        Assert.Equal(evaluated["price_loss"] + 0.5 * evaluated["kind_loss"], evaluated["loss"], 3);
        var predicted = model.Predict(x, batchSize: 100);
        Assert.Equal(new long[] { 256, 1 }, predicted[0].shape);
        Assert.Equal(new long[] { 256, 3 }, predicted[1].shape);
        foreach (var t in predicted) t.Dispose();
    }

    [Fact]
    public void The_weighted_loss_equals_the_weighted_sum_of_the_output_losses_on_one_batch()
    {
        var model = TwoHeads();
        model.Compile("sgd", new[] { "mse", "sparse_categorical_crossentropy" }, lossWeights: new[] { 2.0, 3.0 });
        var (x, y) = Data(8);
        var outputs = model.Call(x);
        using var mse = new Losses.MeanSquaredError().Call(y[0], outputs[0]);
        using var ce = new Losses.SparseCategoricalCrossentropy().Call(y[1], outputs[1]);
        var logs = model.Evaluate(x, y, verbose: 0);
        Assert.Equal(mse.item<float>(), logs["price_loss"], 5);
        Assert.Equal(ce.item<float>(), logs["kind_loss"], 5);
        Assert.Equal(2 * mse.item<float>() + 3 * ce.item<float>(), logs["loss"], 4);
        foreach (var o in outputs) o.Dispose();
    }

    [Fact]
    public void Mismatched_data_and_losses_are_reported_clearly()
    {
        var model = TwoHeads();
        Assert.Contains("when providing the `loss` argument as a list, it should have as many entries as the model has outputs. Received:\nloss=[mean_squared_error]\nof length 1 whereas the model has 2 outputs.",
            Assert.Throws<KerasArgumentException>(() => model.Compile("adam", new[] { "mse" })).Message);
        Assert.Contains("when providing the `metrics` argument as a list, it should have as many entries as the model has outputs. Received:\nmetrics=[[accuracy]]\nof length 1",
            Assert.Throws<KerasArgumentException>(() => model.Compile("adam", new[] { "mse", "mse" }, metrics: new IEnumerable<string>?[] { new[] { "accuracy" } })).Message);
        var (x, y) = Data(8);
        model.Compile("adam", "mse");
        Assert.Contains("compile it with one loss per output", Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, verbose: 0)).Message);
        model.Compile("adam", new[] { "mse", "sparse_categorical_crossentropy" });
        Assert.Contains("expects 2 input(s)", Assert.Throws<KerasArgumentException>(() => model.Fit(new[] { x[0] }, y, verbose: 0)).Message);
        using var shortY = y[0].narrow(0, 0, 4);
        Assert.Contains("Data cardinality is ambiguous: x sizes: 8, 8, y sizes: 4, 8",
            Assert.Throws<KerasArgumentException>(() => model.Fit(x, new[] { shortY, y[1] }, verbose: 0)).Message);
    }

    [Fact]
    public void A_multi_output_model_saves_and_reloads_with_its_per_output_compile_config()
    {
        var model = TwoHeads();
        model.Compile("adam", new[] { "mse", "sparse_categorical_crossentropy" }, lossWeights: new[] { 1.0, 0.25 },
            metrics: new IEnumerable<string>?[] { new[] { "mae" }, null });
        var (x, y) = Data(64);
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        string path = Path.Combine(KerasHome, "heads.keras");
        model.Save(path);
        var loaded = Saving.LoadModel(path);
        Assert.True(loaded.IsMultiIO);
        Assert.Equal(new[] { "MeanSquaredError", "SparseCategoricalCrossentropy" }, loaded.OutputLosses!.Select(l => l.GetType().Name));
        var a = model.Evaluate(x, y, verbose: 0);
        var b = loaded.Evaluate(x, y, verbose: 0);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var key in a.Keys) Assert.Equal(a[key], b[key], 5);
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(model.Weights.Select(w => w.ToArray<float>()), loaded.Weights.Select(w => w.ToArray<float>()));
    }

    [Fact]
    public void Callbacks_see_the_per_output_logs()
    {
        var model = TwoHeads();
        model.Compile("adam", new[] { "mse", "sparse_categorical_crossentropy" });
        var (x, y) = Data(32);
        var stop = new EarlyStopping(monitor: "price_loss", patience: 0, mode: "min");
        var seen = new List<string>();
        model.Fit(x, y, epochs: 2, verbose: 0, callbacks: new Callback[] { stop, new LambdaCallback(onEpochEnd: (_, logs) => seen.AddRange(logs!.Keys)) });
        Assert.Contains("price_loss", seen);
        Assert.Contains("kind_loss", seen);
    }

    [Fact]
    public void A_stream_of_multi_input_batches_trains_the_same_as_the_arrays()
    {
        var (x, y) = Data(64);
        IEnumerable<(torch.Tensor[] X, torch.Tensor[] Y)> Batches()
        {
            for (int i = 0; i < 64; i += 16)
                yield return (x.Select(t => t.narrow(0, i, 16)).ToArray(), y.Select(t => t.narrow(0, i, 16)).ToArray());
        }

        float[][] Train(Func<Functional, History> fit)
        {
            Utils.SetRandomSeed(4);
            var model = TwoHeads();
            model.Compile("sgd", new[] { "mse", "sparse_categorical_crossentropy" });
            var history = fit(model);
            Assert.Equal(2, history.Epoch.Count);
            return model.Weights.Select(w => w.ToArray<float>()).ToArray();
        }

        var fromArrays = Train(m => m.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, shuffle: false));
        var fromStream = Train(m => m.Fit(Batches(), epochs: 2, verbose: 0));
        Assert.Equal(fromArrays, fromStream);

        var model = TwoHeads();
        model.Compile("sgd", new[] { "mse", "sparse_categorical_crossentropy" });
        var oneTarget = new[] { (x, new[] { y[0] }) };
        Assert.Contains("the data provides 1 target(s)", Assert.Throws<KerasArgumentException>(() => model.Fit(oneTarget, verbose: 0)).Message);
    }

    [Fact]
    public void Losses_metrics_weights_and_targets_can_be_keyed_by_output_name_as_Keras_dicts()
    {
        var (x, y) = Data(32);
        float[][] Train(Action<Functional> compileAndFit)
        {
            Utils.SetRandomSeed(8);
            var model = TwoHeads();
            compileAndFit(model);
            return model.Weights.Select(w => w.ToArray<float>()).ToArray();
        }

        var byList = Train(m =>
        {
            m.Compile("sgd", new[] { "mse", "sparse_categorical_crossentropy" }, lossWeights: new[] { 1.0, 0.5 }, metrics: new IEnumerable<string>?[] { null, new[] { "accuracy" } });
            m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        });
        Dictionary<string, double>? logs = null;
        var byName = Train(m =>
        {
            m.Compile("sgd", new Dictionary<string, string> { ["kind"] = "sparse_categorical_crossentropy", ["price"] = "mse" },
                lossWeights: new Dictionary<string, double> { ["kind"] = 0.5 },
                metrics: new Dictionary<string, IEnumerable<string>> { ["kind"] = new[] { "accuracy" } });
            m.Fit(x, new Dictionary<string, torch.Tensor> { ["price"] = y[0], ["kind"] = y[1] }, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
            logs = m.Evaluate(x, new Dictionary<string, torch.Tensor> { ["price"] = y[0], ["kind"] = y[1] }, verbose: 0);
        });
        Assert.Equal(byList, byName);
        Assert.Contains("kind_accuracy", logs!.Keys);

        var model = TwoHeads();
        Assert.Contains("key 'cost' does not correspond to any model output",
            Assert.Throws<KerasArgumentException>(() => model.Compile("sgd", new Dictionary<string, string> { ["cost"] = "mse", ["kind"] = "mse" })).Message);
        Assert.Contains("has no entry for the model output 'price'",
            Assert.Throws<KerasArgumentException>(() => model.Compile("sgd", new Dictionary<string, string> { ["kind"] = "mse" })).Message);
    }
}

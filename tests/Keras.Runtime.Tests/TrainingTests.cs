using System.IO.Compression;
using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>compile/fit/evaluate/predict, pinned to keras-reference.md §1.4, §5.</summary>
public class TrainingTests : KerasTestBase
{
    private static (torch.Tensor X, torch.Tensor Y) Digits()
    {
        var rows = new List<float[]>();
        var labels = new List<long>();
        using var reader = new StreamReader(new GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz")), CompressionMode.Decompress));
        while (reader.ReadLine() is { } line)
        {
            var cells = line.Split(',');
            rows.Add(cells.Take(64).Select(c => float.Parse(c, System.Globalization.CultureInfo.InvariantCulture) / 16f).ToArray());
            labels.Add(long.Parse(cells[64], System.Globalization.CultureInfo.InvariantCulture));
        }
        var x = torch.tensor(rows.SelectMany(r => r).ToArray(), rows.Count, 64);
        var y = torch.tensor(labels.ToArray());
        return (x, y);
    }

    private sealed class Counter : Callback
    {
        public int EpochBegins, BatchBegins;
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null) => EpochBegins++;
        public override void OnTrainBatchBegin(int batch, IReadOnlyDictionary<string, double>? logs = null) => BatchBegins++;
    }

    private static Sequential SmallModel(int outputs = 1) => new(new Layer[] { new Dense(4, activation: "relu"), new Dense(outputs) });

    [Fact]
    public void Fit_before_compile_is_an_error()
    {
        using var x = torch.ones(4, 3);
        using var y = torch.ones(4, 1);
        var e = Assert.Throws<KerasInvalidOperationException>(() => SmallModel().Fit(x, y, verbose: 0));
        Assert.Equal("You must call `compile()` before using the model.", e.Message);
    }

    [Fact]
    public void An_mlp_reaches_97_percent_test_accuracy_on_the_uci_digits()
    {
        Utils.SetRandomSeed(1234);
        var (x, y) = Digits();
        using (x)
        using (y)
        {
            using var generator = new torch.Generator(7);
            using var order = torch.randperm(x.shape[0], generator: generator);
            using var xs = x.index_select(0, order);
            using var ys = y.index_select(0, order);
            using var trainX = xs.narrow(0, 0, 1437);
            using var trainY = ys.narrow(0, 0, 1437);
            using var testX = xs.narrow(0, 1437, 360);
            using var testY = ys.narrow(0, 1437, 360);

            var model = new Sequential(new Layer[] { new Dense(128, activation: "relu"), new Dense(10, activation: "softmax") });
            model.Compile(new Adam(), new SparseCategoricalCrossentropy(), new[] { Metrics.Metric.Get("accuracy") });
            var history = model.Fit(trainX, trainY, batchSize: 32, epochs: 40, verbose: 0, validationSplit: 0.1);
            var result = model.Evaluate(testX, testY, verbose: 0);

            Assert.True(result["accuracy"] >= 0.97, $"test accuracy {result["accuracy"]:0.000}");
            Assert.Equal(40, history.Epoch.Count);
            Assert.True(history.HistoryDict["loss"][^1] < history.HistoryDict["loss"][0]);
            Assert.Contains("val_loss", history.HistoryDict.Keys);
            Assert.Contains("val_accuracy", history.HistoryDict.Keys);
        }
    }

    [Fact]
    public void Max_epochs_and_steps_cap_fit_like_kerass_trainer_test()
    {
        using var x = torch.rand(80, 3);
        using var y = torch.rand(80, 1);
        var model = SmallModel();
        model.Compile("sgd", "mse");
        var counter = new Counter();
        model.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, callbacks: new[] { counter });
        Assert.Equal((4, 40), (counter.EpochBegins, counter.BatchBegins));

        Config.SetMaxEpochs(2);
        Config.SetMaxStepsPerEpoch(3);
        counter = new Counter();
        model.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, callbacks: new[] { counter });
        Assert.Equal((2, 6), (counter.EpochBegins, counter.BatchBegins));
        Assert.Contains("Limiting epochs to 2", ((StringWriter)Utilities.IoUtils.StderrOverride!).ToString());
    }

    [Fact]
    public void Validation_split_takes_the_last_fraction_before_shuffling_and_rejects_too_few_samples()
    {
        using var x = torch.arange(10, torch.ScalarType.Float32).reshape(10, 1);
        using var y = torch.arange(10, torch.ScalarType.Float32).reshape(10, 1);
        var model = new Sequential(new Layer[] { new Dense(1, kernelInitializer: new Initializers.Ones(), biasInitializer: new Initializers.Zeros()) });
        model.Compile(new SGD(learningRate: 0.0), new MeanSquaredError());
        // identity model, lr 0: val_loss is exactly the mse of the last 2 samples' identity predictions = 0; loss too
        var history = model.Fit(x, y, epochs: 1, verbose: 0, validationSplit: 0.2);
        Assert.Equal(0, history.HistoryDict["val_loss"][0], 6);

        var e = Assert.Throws<KerasArgumentException>(() => model.Fit(x.narrow(0, 0, 1), y.narrow(0, 0, 1), verbose: 0, validationSplit: 0.5));
        Assert.StartsWith("Training data contains 1 samples, which is not sufficient to split it into a validation and training set as specified by `validation_split=0.5`.", e.Message);
    }

    private static IEnumerable<(torch.Tensor X, torch.Tensor Y)> Stream(int batches, int seed)
    {
        var generator = new torch.Generator((ulong)seed);
        for (int i = 0; i < batches; i++)
        {
            var x = torch.rand(new long[] { 16, 2 }, generator: generator);
            yield return (x, x.sum(new long[] { 1 }, keepdim: true));
        }
    }

    [Fact]
    public void A_streaming_source_trains_batch_by_batch_and_rejects_validation_split()
    {
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Compile(new Adam(0.05), new MeanSquaredError());
        var counter = new Counter();
        var history = model.Fit(Stream(20, 1), epochs: 5, verbose: 0, callbacks: new[] { counter });
        Assert.Equal((5, 100), (counter.EpochBegins, counter.BatchBegins)); // re-enumerated every epoch
        Assert.True(history.HistoryDict["loss"][^1] < history.HistoryDict["loss"][0]);

        var e = Assert.Throws<KerasArgumentException>(() => model.Fit(Stream(2, 1), validationSplit: 0.2, verbose: 0));
        Assert.StartsWith("Argument `validation_split` is only supported for tensors or NumPy arrays.Found incompatible type in the input:", e.Message);
    }

    [Fact]
    public void With_steps_per_epoch_one_enumeration_continues_across_epochs_and_running_out_stops_training()
    {
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Compile("sgd", "mse");
        var counter = new Counter();
        var history = model.Fit(Stream(7, 2), epochs: 4, verbose: 0, stepsPerEpoch: 3, callbacks: new[] { counter });
        Assert.Equal(3, history.Epoch.Count); // 3 + 3 + 1 batches, then out of data
        Assert.Equal(7, counter.BatchBegins);
        Assert.Contains("Your input ran out of data; interrupting training.", ((StringWriter)Utilities.IoUtils.StderrOverride!).ToString());
    }

    [Fact]
    public void Trainable_changes_take_effect_only_at_the_next_compile()
    {
        using var x = torch.rand(16, 3);
        using var y = torch.rand(16, 1);
        var model = SmallModel();
        model.Compile(new SGD(0.1), new MeanSquaredError());
        model.Fit(x, y, epochs: 1, verbose: 0); // builds, snapshot of trainable weights taken
        var before = model.Layers[0].Weights[0].ToArray<float>();
        model.Layers[0].Trainable = false;
        model.Fit(x, y, epochs: 1, verbose: 0);
        Assert.NotEqual(before, model.Layers[0].Weights[0].ToArray<float>()); // still trained: not recompiled
        model.Compile(new SGD(0.1), new MeanSquaredError());
        var frozen = model.Layers[0].Weights[0].ToArray<float>();
        model.Fit(x, y, epochs: 1, verbose: 0);
        Assert.Equal(frozen, model.Layers[0].Weights[0].ToArray<float>());
    }

    [Fact]
    public void Dropout_drops_and_rescales_only_in_training()
    {
        var dropout = new Dropout(0.5, seed: 3);
        using var x = torch.ones(1000, 10);
        using var inference = dropout.Call(x, training: false);
        Assert.Equal(x.data<float>().ToArray(), inference.data<float>().ToArray());
        using var training = dropout.Call(x, training: true);
        var values = training.data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0f || v == 2f));
        Assert.InRange(values.Count(v => v == 0f) / (double)values.Length, 0.45, 0.55);
        Assert.Contains("Expected a float value between 0 and 1. Received: rate=1.5",
            Assert.Throws<KerasArgumentException>(() => new Dropout(1.5)).Message);
    }

    [Fact]
    public void Adam_follows_kerass_update_rule_with_epsilon_after_the_square_root()
    {
        var dense = new Dense(1, useBias: false, kernelInitializer: new Initializers.Ones());
        dense.Build(new long[] { -1, 1 });
        var adam = new Adam(learningRate: 0.1, epsilon: 1e-7);
        for (int step = 1; step <= 2; step++)
        {
            dense.Kernel!.Value.grad?.zero_();
            using var x = torch.ones(1, 1);
            using var y = dense.Call(x);
            using var loss = y.sum();
            loss.backward(); // gradient 1
            adam.Apply(new[] { dense.Kernel });
        }
        // step t: m_t, v_t from g=1; w -= lr*sqrt(1-b2^t)/(1-b1^t) * m_t/(sqrt(v_t)+eps)
        double w = 1, m = 0, v = 0;
        for (int t = 1; t <= 2; t++)
        {
            m = 0.9 * m + 0.1;
            v = 0.999 * v + 0.001;
            w -= 0.1 * Math.Sqrt(1 - Math.Pow(0.999, t)) / (1 - Math.Pow(0.9, t)) * m / (Math.Sqrt(v) + 1e-7);
        }
        Assert.Equal(w, dense.Kernel!.ToArray<float>()[0], 5);
        Assert.Equal(2, adam.Iterations);
    }

    [Fact]
    public void Optimizer_steps_outside_any_dispose_scope_release_every_handle_they_create()
    {
        var dense = new Dense(4);
        dense.Build(new long[] { -1, 3 });
        var adam = new Adam();
        using var x = torch.ones(2, 3);
        void Step()
        {
            using var y = dense.Call(x);
            using var loss = y.sum();
            loss.backward();
            adam.Apply(dense.TrainableWeights);
        }
        Step(); // slots and gradients now exist
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int i = 0; i < 100; i++) Step();
        Assert.Equal(before, torch.Tensor.TotalCount);
    }

    [Fact]
    public void Sgd_momentum_follows_kerass_velocity_rule()
    {
        var dense = new Dense(1, useBias: false, kernelInitializer: new Initializers.Ones());
        dense.Build(new long[] { -1, 1 });
        var sgd = new SGD(learningRate: 0.1, momentum: 0.9);
        for (int i = 0; i < 2; i++)
        {
            dense.Kernel!.Value.grad?.zero_();
            using var x = torch.ones(1, 1);
            using var y = dense.Call(x);
            using var loss = y.sum();
            loss.backward();
            sgd.Apply(new[] { dense.Kernel });
        }
        // v1 = -0.1, w1 = 0.9; v2 = 0.9*-0.1 - 0.1 = -0.19, w2 = 0.71
        Assert.Equal(0.71, dense.Kernel!.ToArray<float>()[0], 5);
    }

    [Theory]
    [InlineData("mse", 2.5)]
    [InlineData("mae", 1.5)]
    public void Losses_reduce_sum_over_batch_size(string name, double expected)
    {
        using var yTrue = torch.tensor(new float[] { 0, 0, 0, 0 }, 2, 2);
        using var yPred = torch.tensor(new float[] { 1, 1, 2, 2 }, 2, 2);
        using var value = Loss.Get(name).Call(yTrue, yPred);
        Assert.Equal(expected, value.item<float>(), 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Binary_crossentropy_matches_its_definition_for_probabilities_and_logits(bool fromLogits)
    {
        using var yTrue = torch.tensor(new float[] { 1, 0, 1, 0 }, 4, 1);
        var p = new[] { 0.9, 0.2, 0.6, 0.4 };
        using var yPred = torch.tensor(p.Select(v => (float)(fromLogits ? Math.Log(v / (1 - v)) : v)).ToArray(), 4, 1);
        using var value = new BinaryCrossentropy(fromLogits).Call(yTrue, yPred);
        double expected = -(Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.6) + Math.Log(0.6)) / 4;
        Assert.Equal(expected, value.item<float>(), 4);
    }

    [Fact]
    public void Sparse_and_categorical_crossentropy_agree_and_match_minus_log_p()
    {
        using var probabilities = torch.tensor(new float[] { 0.7f, 0.2f, 0.1f, 0.1f, 0.8f, 0.1f }, 2, 3);
        using var labels = torch.tensor(new long[] { 0, 1 });
        using var oneHot = torch.tensor(new float[] { 1, 0, 0, 0, 1, 0 }, 2, 3);
        using var sparse = new SparseCategoricalCrossentropy().Call(labels, probabilities);
        using var categorical = new CategoricalCrossentropy().Call(oneHot, probabilities);
        double expected = -(Math.Log(0.7) + Math.Log(0.8)) / 2;
        Assert.Equal(expected, sparse.item<float>(), 5);
        Assert.Equal(expected, categorical.item<float>(), 5);
    }

    [Fact]
    public void Predict_batches_and_returns_every_sample_on_the_cpu()
    {
        var model = SmallModel(3);
        using var x = torch.rand(70, 5);
        using var y = model.Predict(x, batchSize: 32);
        Assert.Equal(new long[] { 70, 3 }, y.shape);
        Assert.Equal(TorchSharp.DeviceType.CPU, y.device_type);
        using var direct = model.PredictOnBatch(x);
        Assert.True(direct.allclose(y, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void A_thousand_step_fit_keeps_native_tensor_count_flat()
    {
        using var x = torch.rand(64, 8);
        using var y = torch.rand(64, 1);
        var model = new Sequential(new Layer[] { new Dense(16, activation: "relu"), new Dropout(0.1), new Dense(1) });
        model.Compile(new Adam(), new MeanSquaredError(), new[] { Metrics.Metric.Get("mae") });
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0); // warm: slots and grads exist
        // Tensors left unreachable by earlier tests are finalized now, not in the middle of the measurement.
        for (int i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        long before = torch.Tensor.TotalCount;
        model.Fit(x, y, batchSize: 8, epochs: 125, verbose: 0); // 1,000 steps
        Assert.InRange(torch.Tensor.TotalCount - before, -5, 5);
    }

    [Fact]
    public void Progress_bar_prints_epoch_headers_and_a_final_line_per_epoch()
    {
        var stdout = new StringWriter();
        Utilities.IoUtils.StdoutOverride = stdout;
        using var x = torch.rand(20, 3);
        using var y = torch.rand(20, 1);
        var model = SmallModel();
        model.Compile("adam", "mse");
        model.Fit(x, y, batchSize: 10, epochs: 2, verbose: 1);
        string text = stdout.ToString();
        Assert.Contains("Epoch 1/2", text);
        Assert.Contains("Epoch 2/2", text);
        Assert.Matches(@"2/2 ━{20} \d+s \d+(ms|us|s)/step - loss: \d\.\d{4}", text);

        stdout.GetStringBuilder().Clear();
        model.Fit(x, y, batchSize: 10, epochs: 1, verbose: 2);
        Assert.DoesNotContain("Epoch 1/1", stdout.ToString()); // a 1-epoch fit has no header
        Assert.Matches(@"^2/2 - \d+s - \d+(ms|us|s)/step - loss: \d", stdout.ToString());
    }
}

using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Fit and Evaluate with Keras' sample_weight, class_weight, validation sample weights and weighted_metrics: the loss is
/// Keras' sum_over_batch_size of the weighted per-sample losses (sum of w·loss over the batch size), class weights are
/// per-sample weights looked up by class, and the errors are Keras'.
/// </summary>
public class SampleWeightTests : KerasTestBase
{
    private static readonly float[] Xs = { 1, 2, -1, 0.5f, 3, -2 };
    private static readonly float[] Ys = { 2, 3, -1, 1, 5, -2 };
    private static readonly float[] Ws = { 1, 0.5f, 2, 0, 1, 3 };

    /// <summary>y = w·x + b, with known starting weights.</summary>
    private static Sequential Linear(float w = 0.5f, float b = 0.1f)
    {
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Build(new long[] { -1, 1 });
        model.Layers[0].Weights[0].Assign(torch.tensor(new[] { w }, 1, 1));
        model.Layers[0].Weights[1].Assign(torch.tensor(new[] { b }));
        return model;
    }

    private static torch.Tensor Col(float[] v) => torch.tensor(v, v.Length, 1);

    [Fact]
    public void A_weighted_fit_step_follows_the_gradient_of_the_weighted_mean_loss()
    {
        var model = Linear();
        model.Compile(new SGD(0.1), new Losses.MeanSquaredError());
        using var x = Col(Xs);
        using var y = Col(Ys);
        using var sw = torch.tensor(Ws);
        var history = model.Fit(x, y, batchSize: 6, epochs: 1, verbose: 0, shuffle: false, sampleWeight: sw);
        // loss = (1/N) Σ w_i (a x_i + b - y_i)²; gradients (2/N) Σ w_i r_i x_i and (2/N) Σ w_i r_i
        double a = 0.5, b = 0.1, loss = 0, ga = 0, gb = 0;
        for (int i = 0; i < 6; i++)
        {
            double r = a * Xs[i] + b - Ys[i];
            loss += Ws[i] * r * r / 6;
            ga += 2 * Ws[i] * r * Xs[i] / 6;
            gb += 2 * Ws[i] * r / 6;
        }
        Assert.Equal(loss, history.HistoryDict["loss"][0], 4);
        Assert.Equal(a - 0.1 * ga, model.Layers[0].Weights[0].ToArray<float>()[0], 5);
        Assert.Equal(b - 0.1 * gb, model.Layers[0].Weights[1].ToArray<float>()[0], 5);
    }

    [Fact]
    public void Evaluate_weighs_the_loss_and_the_weighted_metrics_but_not_the_plain_ones()
    {
        var model = Linear();
        model.Compile(new SGD(0.1), new Losses.MeanSquaredError(), new[] { Metrics.Metric.Get("mae") }, weightedMetrics: new[] { Metrics.Metric.Get("mae") });
        using var x = Col(Xs);
        using var y = Col(Ys);
        using var sw = torch.tensor(Ws);
        var logs = model.Evaluate(x, y, batchSize: 4, verbose: 0, sampleWeight: sw);
        var residuals = Xs.Zip(Ys, (xi, yi) => 0.5 * xi + 0.1 - yi).ToArray();
        // Batches of 4 and 2: each batch's loss is Σw·r²/batch, averaged over batches weighted by their size.
        double Batch(int start, int n) => Enumerable.Range(start, n).Sum(i => Ws[i] * residuals[i] * residuals[i]) / n;
        Assert.Equal((Batch(0, 4) * 4 + Batch(4, 2) * 2) / 6, logs["loss"], 4);
        Assert.Equal(residuals.Average(Math.Abs), logs["mae"], 5);
        Assert.Equal(residuals.Zip(Ws, (r, w) => Math.Abs(r) * w).Sum() / Ws.Sum(), logs["weighted_mae"], 5);
        Assert.Equal(new[] { "loss", "mae", "weighted_mae" }, logs.Keys);
        Assert.Equal(logs.Values, model.EvaluateValues(x, y, batchSize: 4, verbose: 0, sampleWeight: sw)); // Keras' return_dict=False order
    }

    [Fact]
    public void Class_weights_are_the_sample_weights_of_each_samples_class()
    {
        using var x = torch.tensor(new float[] { 1, 0, 0, 1, 1, 1, 0, 0, 0.5f, 0.2f }, 5, 2);
        using var labels = torch.tensor(new long[] { 0, 1, 2, 0, 1 });
        var classWeight = new Dictionary<int, double> { [0] = 2.0, [1] = 0.5 }; // class 2 keeps weight 1
        using var mapped = torch.tensor(new float[] { 2, 0.5f, 1, 2, 0.5f });
        Sequential Model()
        {
            Utils.SetRandomSeed(9);
            var m = new Sequential(new Layer[] { new Dense(3) });
            m.Compile(new SGD(0.5), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
            return m;
        }
        var byClass = Model();
        var h1 = byClass.Fit(x, labels, batchSize: 5, epochs: 2, verbose: 0, shuffle: false, classWeight: classWeight);
        var bySample = Model();
        var h2 = bySample.Fit(x, labels, batchSize: 5, epochs: 2, verbose: 0, shuffle: false, sampleWeight: mapped);
        Assert.Equal(h2.HistoryDict["loss"], h1.HistoryDict["loss"]);
        Assert.Equal(bySample.Weights.Select(v => v.ToArray<float>()), byClass.Weights.Select(v => v.ToArray<float>()));
        // One-hot targets: the class is the argmax.
        using var oneHot = torch.nn.functional.one_hot(labels, 3).to_type(torch.ScalarType.Float32);
        var categorical = Model();
        categorical.Compile(new SGD(0.5), new Losses.CategoricalCrossentropy(fromLogits: true));
        var h3 = categorical.Fit(x, oneHot, batchSize: 5, epochs: 2, verbose: 0, shuffle: false, classWeight: classWeight);
        Assert.Equal(h1.HistoryDict["loss"][0], h3.HistoryDict["loss"][0], 5);
    }

    [Fact]
    public void Mismatched_weights_are_Keras_errors()
    {
        var model = Linear();
        model.Compile(new SGD(0.1), new Losses.MeanSquaredError());
        using var x = Col(Xs);
        using var y = Col(Ys);
        using var sw = torch.tensor(Ws);
        using var shortWeights = torch.ones(4);
        var e = Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: sw, classWeight: new Dictionary<int, double> { [0] = 1 }));
        Assert.Equal("You cannot `class_weight` and `sample_weight` at the same time.", e.Message);
        e = Assert.Throws<KerasArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: shortWeights));
        Assert.StartsWith("Data cardinality is ambiguous", e.Message);
        Assert.Contains("sample_weight sizes: 4", e.Message);
        e = Assert.Throws<KerasArgumentException>(() => model.Evaluate(x, y, verbose: 0, sampleWeight: shortWeights));
        Assert.StartsWith("Data cardinality is ambiguous", e.Message);

        var twoHeads = TwoHeads();
        twoHeads.Compile("sgd", new[] { "mse", "mse" });
        using var x2 = torch.ones(6, 2);
        e = Assert.Throws<KerasArgumentException>(() => twoHeads.Fit(new[] { x2 }, new[] { y, y }, verbose: 0, classWeight: new Dictionary<int, double> { [0] = 1 }));
        Assert.Equal("`class_weight` is only supported for Models with a single output.", e.Message);
        e = Assert.Throws<KerasArgumentException>(() => twoHeads.Fit(new[] { x2 }, new[] { y, y }, verbose: 0, sampleWeight: new[] { sw, sw, sw }));
        Assert.StartsWith("You should provide one `sample_weight` array per output in `y`.", e.Message);
    }

    private static Functional TwoHeads()
    {
        var input = new Input(new long[] { 2 }, name: "features");
        var a = new Dense(1, name: "a").Call(input);
        var b = new Dense(1, name: "b").Call(input);
        return new Functional(new[] { input }, new[] { a, b });
    }

    [Fact]
    public void Validation_sample_weights_weigh_the_validation_loss()
    {
        var model = Linear();
        model.Compile(new SGD(0.0), new Losses.MeanSquaredError()); // lr 0: the weights stay, so val_loss is computable by hand
        using var x = Col(Xs);
        using var y = Col(Ys);
        using var sw = torch.tensor(Ws);
        var history = model.Fit(x, y, batchSize: 6, verbose: 0, validationData: (x, y), validationSampleWeight: sw);
        double expected = Xs.Select((xi, i) => Ws[i] * Math.Pow(0.5 * xi + 0.1 - Ys[i], 2)).Sum() / 6;
        Assert.Equal(expected, history.HistoryDict["val_loss"][0], 4);
        Assert.NotEqual(history.HistoryDict["loss"][0], history.HistoryDict["val_loss"][0], 4);
        // validation_split splits the sample weights with the data.
        var split = model.Fit(x, y, batchSize: 6, verbose: 0, validationSplit: 0.5, sampleWeight: sw, shuffle: false);
        double valSplit = Enumerable.Range(3, 3).Select(i => Ws[i] * Math.Pow(0.5 * Xs[i] + 0.1 - Ys[i], 2)).Sum() / 3;
        Assert.Equal(valSplit, split.HistoryDict["val_loss"][0], 4);
    }

    [Fact]
    public void Multi_output_fit_takes_one_weight_array_per_output_and_outputs_without_loss()
    {
        var model = TwoHeads();
        model.Compile(new SGD(0.0), new Losses.Loss?[] { new Losses.MeanSquaredError(), null });
        using var x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, 3, 2);
        using var y = torch.tensor(new float[] { 1, 0, 2 }, 3, 1);
        using var w1 = torch.tensor(new float[] { 1, 0, 2 });
        using var w2 = torch.tensor(new float[] { 5, 5, 5 });
        var logs = model.Evaluate(new[] { x }, new[] { y, y }, verbose: 0, sampleWeight: new[] { w1, w2 });
        using var predicted = model.Predict(new[] { x })[0];
        var p = predicted.data<float>().ToArray();
        double expected = (1 * Math.Pow(p[0] - 1, 2) + 0 + 2 * Math.Pow(p[2] - 2, 2)) / 3;
        Assert.Equal(expected, logs["loss"], 4); // the second output has no loss
        Assert.False(logs.ContainsKey("b_loss"));
        Assert.Equal(expected, logs["a_loss"], 4);
        var history = model.Fit(new[] { x }, new[] { y, y }, verbose: 0, sampleWeight: new[] { w1 }); // one array for every output
        Assert.Equal(expected, history.HistoryDict["loss"][0], 4);
    }

    [Fact]
    public void TerminateOnNaN_stops_after_the_first_invalid_batch_or_throws()
    {
        var model = Linear();
        model.Compile(new SGD(0.1), new Losses.MeanSquaredError());
        using var x = Col(Xs);
        using var y = Col(new[] { 1f, 2, float.NaN, 1, 1, 1 });
        var stdout = new StringWriter();
        Utilities.IoUtils.StdoutOverride = stdout;
        var batches = new List<int>();
        var counter = new LambdaCallback(onTrainBatchEnd: (b, _) => batches.Add(b));
        model.Fit(x, y, batchSize: 2, epochs: 3, verbose: 0, shuffle: false, callbacks: new Callback[] { new TerminateOnNaN(), counter });
        Assert.Equal(new[] { 0, 1 }, batches); // batch 1 holds the NaN target
        Assert.Contains("Batch 1: Invalid loss, terminating training", stdout.ToString());
        var fresh = Linear(); // the NaN step left NaN weights in the first model
        fresh.Compile(new SGD(0.1), new Losses.MeanSquaredError());
        var e = Assert.Throws<InvalidOperationException>(() =>
            fresh.Fit(x, y, batchSize: 2, verbose: 0, shuffle: false, callbacks: new Callback[] { new TerminateOnNaN(raiseError: true) }));
        Assert.StartsWith("NaN or Inf loss encountered at batch 1.", e.Message);
    }
}

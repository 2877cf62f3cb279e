using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using Keras.SavingLib;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' losses against their formulas written as plain loops over rows (keras/src/losses/losses.py), Keras' reductions
/// and sample weights (loss.py reduce_weighted_values), the float32 compute dtype, configs and names.
/// </summary>
public class LossTests : KerasTestBase
{
    private const double Eps = 1e-7;

    // Three samples of four values: regression targets (positive), one-hot class targets, predictions in (0, 1).
    private static readonly double[][] Regression = { new[] { 0.5, 2.0, 1.5, 3.0 }, new[] { 1.0, 0.2, 0.7, 2.5 }, new[] { 4.0, 0.1, 0.3, 1.2 } };
    private static readonly double[][] OneHot = { new[] { 0.0, 1, 0, 0 }, new[] { 1.0, 0, 0, 0 }, new[] { 0.0, 0, 0, 1 } };
    private static readonly double[][] Predictions = { new[] { 0.1, 0.6, 0.2, 0.1 }, new[] { 0.3, 0.3, 0.2, 0.2 }, new[] { 0.05, 0.15, 0.7, 0.1 } };

    private static torch.Tensor T(double[][] rows, torch.ScalarType type = torch.ScalarType.Float32) =>
        torch.tensor(rows.SelectMany(r => r).ToArray(), new long[] { rows.Length, rows[0].Length }).to_type(type);

    private static double Clip(double x, double lo, double hi) => Math.Max(lo, Math.Min(hi, x));
    private static double Mean(IEnumerable<double> values) => values.Average();
    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Keras' per-sample formula of each loss, as loops over one row.</summary>
    private static readonly Dictionary<string, (Func<Loss> Make, bool Classification, Func<double[], double[], double> Row)> Cases = new()
    {
        ["mse"] = (() => new Losses.MeanSquaredError(), false, (t, p) => Mean(t.Zip(p, (a, b) => (a - b) * (a - b)))),
        ["mae"] = (() => new Losses.MeanAbsoluteError(), false, (t, p) => Mean(t.Zip(p, (a, b) => Math.Abs(a - b)))),
        ["mape"] = (() => new Losses.MeanAbsolutePercentageError(), false, (t, p) => 100 * Mean(t.Zip(p, (a, b) => Math.Abs((a - b) / Math.Max(Math.Abs(a), Eps))))),
        ["msle"] = (() => new Losses.MeanSquaredLogarithmicError(), false,
            (t, p) => Mean(t.Zip(p, (a, b) => Math.Pow(Math.Log(Math.Max(b, Eps) + 1) - Math.Log(Math.Max(a, Eps) + 1), 2)))),
        ["log_cosh"] = (() => new LogCosh(), false, (t, p) => Mean(t.Zip(p, (a, b) => Math.Log(Math.Cosh(b - a))))),
        ["huber"] = (() => new Huber(delta: 0.5), false,
            (t, p) => Mean(t.Zip(p, (a, b) => Math.Abs(b - a) <= 0.5 ? 0.5 * (b - a) * (b - a) : 0.5 * Math.Abs(b - a) - 0.5 * 0.25))),
        ["poisson"] = (() => new Losses.Poisson(), false, (t, p) => Mean(t.Zip(p, (a, b) => b - a * Math.Log(b + Eps)))),
        ["cosine"] = (() => new Losses.CosineSimilarity(), false, (t, p) =>
            -t.Zip(p, (a, b) => a * b).Sum() / (Math.Sqrt(t.Sum(a => a * a)) * Math.Sqrt(p.Sum(b => b * b)))),
        ["kld"] = (() => new Losses.KLDivergence(), true, (t, p) => t.Zip(p, (a, b) => Clip(a, Eps, 1) * Math.Log(Clip(a, Eps, 1) / Clip(b, Eps, 1))).Sum()),
        ["hinge"] = (() => new Losses.Hinge(), true, (t, p) => Mean(t.Zip(p, (a, b) => Math.Max(1 - (2 * a - 1) * b, 0)))),
        ["squared_hinge"] = (() => new Losses.SquaredHinge(), true, (t, p) => Mean(t.Zip(p, (a, b) => Math.Pow(Math.Max(1 - (2 * a - 1) * b, 0), 2)))),
        ["categorical_hinge"] = (() => new Losses.CategoricalHinge(), true, (t, p) =>
            Math.Max(t.Zip(p, (a, b) => (1 - a) * b).Max() - t.Zip(p, (a, b) => a * b).Sum() + 1, 0)),
        ["bce"] = (() => new Losses.BinaryCrossentropy(), true, (t, p) => Mean(t.Zip(p, Bce))),
        ["bce_smoothing"] = (() => new Losses.BinaryCrossentropy(labelSmoothing: 0.2), true, (t, p) => Mean(t.Zip(p, (a, b) => Bce(a * 0.8 + 0.1, b)))),
        ["bce_logits"] = (() => new Losses.BinaryCrossentropy(fromLogits: true), true, (t, p) => Mean(t.Zip(p, (a, b) => Bce(a, Sigmoid(b))))),
        ["cce"] = (() => new Losses.CategoricalCrossentropy(), true, (t, p) => -t.Zip(Normalized(p), (a, b) => a * Math.Log(Clip(b, Eps, 1 - Eps))).Sum()),
        ["cce_smoothing"] = (() => new Losses.CategoricalCrossentropy(labelSmoothing: 0.1), true,
            (t, p) => -t.Zip(Normalized(p), (a, b) => (a * 0.9 + 0.1 / 4) * Math.Log(Clip(b, Eps, 1 - Eps))).Sum()),
        ["cce_logits"] = (() => new Losses.CategoricalCrossentropy(fromLogits: true), true,
            (t, p) => -t.Zip(p, (a, b) => a * (b - Math.Log(p.Sum(Math.Exp)))).Sum()),
        ["binary_focal"] = (() => new BinaryFocalCrossentropy(gamma: 2.0), true, (t, p) => Mean(t.Zip(p, (a, b) =>
        {
            double pt = a * b + (1 - a) * (1 - b);
            return Math.Pow(1 - pt, 2) * Bce(a, b);
        }))),
        ["binary_focal_balanced"] = (() => new BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0.3, gamma: 1.5), true, (t, p) => Mean(t.Zip(p, (a, b) =>
        {
            double pt = a * b + (1 - a) * (1 - b);
            return (a * 0.3 + (1 - a) * 0.7) * Math.Pow(1 - pt, 1.5) * Bce(a, b);
        }))),
        ["categorical_focal"] = (() => new CategoricalFocalCrossentropy(alpha: 0.25, gamma: 2.0), true, (t, p) =>
            t.Zip(Normalized(p), (a, b) => 0.25 * Math.Pow(1 - Clip(b, Eps, 1 - Eps), 2) * -a * Math.Log(Clip(b, Eps, 1 - Eps))).Sum()),
    };

    private static double Bce(double t, double p)
    {
        double c = Clip(p, Eps, 1 - Eps);
        return -(t * Math.Log(c) + (1 - t) * Math.Log(1 - c));
    }

    private static double[] Normalized(double[] p) => p.Select(v => v / p.Sum()).ToArray();

    public static IEnumerable<object[]> CaseNames() => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_loss_matches_its_Keras_formula_per_sample_and_averages_over_the_batch(string name)
    {
        var (make, classification, row) = Cases[name];
        var truth = classification ? OneHot : Regression;
        var pred = name.EndsWith("_logits") ? Predictions.Select(r => r.Select(v => Math.Log(v / (1 - v))).ToArray()).ToArray() : Predictions;
        var expected = truth.Zip(pred, row).ToArray();
        using var yTrue = T(truth);
        using var yPred = T(pred);
        using var perSample = (make() is var loss ? LossWithReduction(loss, "none") : null)!.Call(yTrue, yPred);
        Assert.Equal(new long[] { 3 }, perSample.shape);
        var values = perSample.data<float>().ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(expected[i], values[i], Math.Max(1e-4, Math.Abs(expected[i]) * 1e-5));
        using var reduced = make().Call(yTrue, yPred);
        Assert.Equal(expected.Average(), reduced.item<float>(), Math.Max(1e-4, Math.Abs(expected.Average()) * 1e-5));
    }

    /// <summary>The same loss with another reduction, through its config (every key kept).</summary>
    private static Loss LossWithReduction(Loss loss, string? reduction)
    {
        if (loss is Huber huber) return new Huber(huber.Delta, reduction); // Keras writes no delta in Huber's config
        var config = KerasObjects.Serialize(loss);
        config["config"]!["reduction"] = reduction;
        return KerasObjects.Deserialize<Loss>(config, "test");
    }

    [Fact]
    public void Losses_leave_no_tensor_behind_but_their_result()
    {
        using var regression = T(Regression);
        using var oneHot = T(OneHot);
        using var pred = T(Predictions);
        using var half = T(Predictions, torch.ScalarType.Float16);
        using var weights = torch.tensor(new float[] { 0.5f, 2, 0 });
        using var labels = torch.tensor(new long[] { 1, 3, 2 });
        using var ctcTrue = torch.tensor(new long[] { 1, 0 }, 1, 2);
        using var ctcPred = torch.tensor(new float[] { 0.3f, 1.1f, -0.4f, 0.5f }, 1, 2, 2);
        var calls = new List<Func<torch.Tensor>>();
        foreach (var (make, classification, _) in Cases.Values)
        {
            var truth = classification ? oneHot : regression;
            foreach (var reduction in Loss.Reductions)
            {
                var loss = LossWithReduction(make(), reduction);
                calls.Add(() => loss.Call(truth, pred, weights));
                calls.Add(() => loss.Call(truth, half));
            }
        }
        calls.Add(() => new Losses.SparseCategoricalCrossentropy(ignoreClass: 3).Call(labels, pred, weights));
        calls.Add(() => new Losses.SparseCategoricalCrossentropy(fromLogits: true).Call(labels, pred));
        calls.Add(() => new Dice(axis: new[] { 1 }).Call(oneHot, pred, weights));
        calls.Add(() => new Tversky().Call(oneHot, pred));
        calls.Add(() => new CTC().Call(ctcTrue, ctcPred));
        foreach (var call in calls) call().Dispose(); // first calls may cache
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        foreach (var call in calls) call().Dispose();
        Assert.Equal(before, torch.Tensor.TotalCount);
    }

    [Fact]
    public void Every_reduction_weighs_and_divides_as_Keras_reduce_weighted_values()
    {
        using var yTrue = T(Regression);
        using var yPred = T(Predictions);
        var perSample = Regression.Zip(Predictions, Cases["mse"].Row).ToArray();
        double[] w = { 0.5, 2.0, 0.0 };
        using var weights = torch.tensor(w.Select(v => (float)v).ToArray());
        double weightedSum = perSample.Zip(w, (a, b) => a * b).Sum();
        double Value(string? reduction)
        {
            using var v = new Losses.MeanSquaredError(reduction: reduction).Call(yTrue, yPred, weights);
            return v.item<float>();
        }
        Assert.Equal(weightedSum / 3, Value("sum_over_batch_size"), 4); // divided by the number of values, zero weights included
        Assert.Equal(weightedSum / 3, Value("mean"), 4);
        Assert.Equal(weightedSum, Value("sum"), 4);
        Assert.Equal(weightedSum / 2.5, Value("mean_with_sample_weight"), 4); // divided by the sum of the weights
        using var none = new Losses.MeanSquaredError(reduction: "none").Call(yTrue, yPred, weights);
        Assert.Equal(perSample.Zip(w, (a, b) => (float)(a * b)), none.data<float>().ToArray(), new FloatTolerance(1e-4f));
        using var unweighted = new Losses.MeanSquaredError(reduction: "mean_with_sample_weight").Call(yTrue, yPred);
        Assert.Equal(perSample.Average(), unweighted.item<float>(), 4); // without weights: the number of values
        using var column = torch.tensor(w.Select(v => (float)v).ToArray(), 3, 1); // (batch, 1) weights are squeezed
        using var fromColumn = new Losses.MeanSquaredError().Call(yTrue, yPred, column);
        Assert.Equal(weightedSum / 3, fromColumn.item<float>(), 4);
    }

    [Fact]
    public void An_unknown_reduction_and_unmatched_sample_weights_are_Keras_errors()
    {
        var e = Assert.Throws<KerasArgumentException>(() => new Losses.MeanSquaredError(reduction: "avg"));
        Assert.Contains("Invalid value for argument `reduction`", e.Message);
        using var yTrue = T(Regression);
        using var yPred = T(Predictions);
        using var wrong = torch.ones(5);
        Assert.Throws<KerasArgumentException>(() => new Losses.MeanSquaredError().Call(yTrue, yPred, wrong));
    }

    [Fact]
    public void Sparse_crossentropy_leaves_the_ignored_class_out_of_the_average()
    {
        using var probabilities = T(Predictions);
        using var labels = torch.tensor(new long[] { 1, 3, 2 });
        using var value = new Losses.SparseCategoricalCrossentropy(ignoreClass: 3).Call(labels, probabilities);
        double expected = -(Math.Log(0.6) + Math.Log(0.7 / 1.0)) / 2; // the row labelled 3 counts for nothing
        Assert.Equal(expected, value.item<float>(), 4);
        using var sum = new Losses.SparseCategoricalCrossentropy(ignoreClass: 3, reduction: "sum").Call(labels, probabilities);
        Assert.Equal(-(Math.Log(0.6) + Math.Log(0.7)), sum.item<float>(), 4);
    }

    [Fact]
    public void Crossentropies_take_the_class_axis_from_axis()
    {
        // Classes on axis 0: the same numbers as the rows' classes, transposed.
        using var yTrue = T(OneHot).t().contiguous();
        using var yPred = T(Predictions).t().contiguous();
        using var value = new Losses.CategoricalCrossentropy(axis: 0).Call(yTrue, yPred);
        double expected = OneHot.Zip(Predictions, Cases["cce"].Row).Average();
        Assert.Equal(expected, value.item<float>(), 4);
        using var labels = torch.tensor(new long[] { 1, 0, 3 });
        using var sparse = new Losses.SparseCategoricalCrossentropy(axis: 0).Call(labels, yPred);
        Assert.Equal(expected, sparse.item<float>(), 4);
    }

    [Fact]
    public void Dice_and_Tversky_sum_over_everything_without_an_axis_and_per_sample_with_one()
    {
        using var yTrue = T(OneHot);
        using var yPred = T(Predictions);
        double inter = 0, st = 0, sp = 0, fp = 0, fn = 0;
        var perRow = new List<double>();
        for (int i = 0; i < 3; i++)
        {
            double ri = 0, rt = 0, rp = 0;
            for (int j = 0; j < 4; j++)
            {
                double t = OneHot[i][j], p = Predictions[i][j];
                inter += t * p; st += t; sp += p; fp += (1 - p) * t; fn += p * (1 - t);
                ri += t * p; rt += t; rp += p;
            }
            perRow.Add(1 - 2 * ri / (rt + rp + Eps));
        }
        using var dice = new Dice().Call(yTrue, yPred);
        Assert.Equal(1 - 2 * inter / (st + sp + Eps), dice.item<float>(), 5);
        using var diceRows = new Dice(axis: new[] { 1 }).Call(yTrue, yPred);
        Assert.Equal(perRow.Average(), diceRows.item<float>(), 5);
        using var tversky = new Tversky(alpha: 0.7, beta: 0.3).Call(yTrue, yPred);
        Assert.Equal(1 - inter / (inter + 0.7 * fp + 0.3 * fn + Eps), tversky.item<float>(), 5);
    }

    [Fact]
    public void CTC_is_minus_the_log_of_the_probability_of_every_alignment_of_the_label()
    {
        // Two time steps, classes {blank=0, 1}; label [1] (padded with the blank 0). Alignments: 1 1, 0 1, 1 0.
        double[,] logits = { { 0.3, 1.1 }, { -0.4, 0.5 } };
        double P(int step, int c) => Math.Exp(logits[step, c]) / (Math.Exp(logits[step, 0]) + Math.Exp(logits[step, 1]));
        double expected = -Math.Log(P(0, 1) * P(1, 1) + P(0, 0) * P(1, 1) + P(0, 1) * P(1, 0));
        using var yPred = torch.tensor(new float[] { 0.3f, 1.1f, -0.4f, 0.5f }, 1, 2, 2);
        using var yTrue = torch.tensor(new long[] { 1, 0 }, 1, 2);
        using var value = new CTC().Call(yTrue, yPred);
        Assert.Equal(expected, value.item<float>(), 4);
        using var flat = torch.zeros(1, 2);
        Assert.Throws<KerasArgumentException>(() => new CTC().Call(yTrue, flat));
    }

    [Theory]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    public void Losses_compute_in_float32_whatever_the_predictions_dtype(string dtype)
    {
        var type = Interop.Dtypes.ToScalarType(dtype);
        using var yTrue = T(OneHot, type);
        using var yPred = T(Predictions, type);
        using var yPred32 = yPred.to_type(torch.ScalarType.Float32);
        using var yTrue32 = yTrue.to_type(torch.ScalarType.Float32);
        foreach (var loss in new Loss[] { new Losses.BinaryCrossentropy(), new Losses.CategoricalCrossentropy(), new Losses.MeanSquaredError(), new Huber(), new Dice() })
        {
            using var value = loss.Call(yTrue, yPred);
            Assert.Equal(torch.ScalarType.Float32, value.dtype);
            using var reference = loss.Call(yTrue32, yPred32); // the same (rounded) inputs in float32
            Assert.Equal(reference.item<float>(), value.item<float>());
        }
    }

    [Fact]
    public void A_mixed_float16_model_trains_with_a_float32_loss()
    {
        Config.SetDtypePolicy("mixed_float16");
        Utils.SetRandomSeed(4);
        var model = new Sequential(new Layer[] { new Dense(8, activation: "relu"), new Dense(3, activation: "softmax") });
        model.Compile(new Adam(0.01), new Losses.CategoricalCrossentropy(), new[] { Metrics.Metric.Get("accuracy") });
        using var g = new torch.Generator(3);
        using var x = torch.randn(new long[] { 64, 5 }, generator: g);
        using var labels = x.select(1, 0).gt(0).to_type(torch.ScalarType.Int64);
        using var y = torch.nn.functional.one_hot(labels, 3).to_type(torch.ScalarType.Float32);
        using (var p = model.PredictOnBatch(x)) Assert.Equal(torch.ScalarType.Float16, p.dtype);
        using (var p = model.PredictOnBatch(x))
        using (var value = model.Loss!.Call(y, p)) Assert.Equal(torch.ScalarType.Float32, value.dtype);
        var history = model.Fit(x, y, batchSize: 16, epochs: 8, verbose: 0);
        var losses = history.HistoryDict["loss"];
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"loss {losses[0]} → {losses[^1]}");
    }

    [Fact]
    public void Compiles_crossentropy_alias_picks_binary_sparse_or_categorical_from_the_shapes()
    {
        using var probabilities = T(Predictions);
        using var labels = torch.tensor(new long[] { 1, 0, 3 });
        using var oneHot = T(OneHot);
        using var binaryTrue = torch.tensor(new float[] { 1, 0, 1 }, 3, 1);
        using var binaryPred = torch.tensor(new float[] { 0.8f, 0.3f, 0.6f }, 3, 1);
        var model = new Sequential(new Layer[] { new Dense(4, activation: "softmax") });
        model.Compile("adam", "crossentropy");
        var ce = model.Loss!;
        Assert.Equal("crossentropy", ce.Name);
        double Value(Loss loss, torch.Tensor t, torch.Tensor p)
        {
            using var v = loss.Call(t, p);
            return v.item<float>();
        }
        Assert.Equal(Value(new Losses.SparseCategoricalCrossentropy(), labels, probabilities), Value(ce, labels, probabilities), 6);
        Assert.Equal(Value(new Losses.CategoricalCrossentropy(), oneHot, probabilities), Value(ce, oneHot, probabilities), 6);
        Assert.Equal(Value(new Losses.BinaryCrossentropy(), binaryTrue, binaryPred), Value(ce, binaryTrue, binaryPred), 6);
        model.Build(new long[] { -1, 2 });
        string path = Path.Combine(KerasHome, "ce.keras");
        model.Save(path);
        var loaded = Saving.LoadModel(path);
        Assert.True(loaded.Compiled);
        Assert.Equal("crossentropy", loaded.Loss!.Name); // saved as the string given, resolved again on load
        Assert.Throws<KerasArgumentException>(() => Loss.Get("crossentropy")); // keras.losses.get does not know it
    }

    public static IEnumerable<object[]> LossClasses() => KerasCatalog.All(typeof(Loss)).Select(e => new object[] { e.ClassName });

    [Theory]
    [MemberData(nameof(LossClasses))]
    public void Each_loss_config_round_trips_with_every_key(string className)
    {
        var made = Loss.Get(className);
        var config = KerasObjects.Serialize(made);
        Assert.Equal("keras.losses", (string?)config["module"]);
        Assert.Equal(className, (string?)config["class_name"]);
        var back = KerasObjects.Deserialize<Loss>(JsonNode.Parse(config.ToJsonString())!, "test");
        Assert.Equal(made.GetType(), back.GetType());
        Assert.Equal(config.ToJsonString(), KerasObjects.Serialize(back).ToJsonString());
        Assert.Equal("sum_over_batch_size", (string?)config["config"]!["reduction"]);
    }

    [Fact]
    public void Non_default_arguments_survive_the_config()
    {
        var loss = new Losses.BinaryFocalCrossentropy(applyClassBalancing: true, alpha: 0.4, gamma: 3, fromLogits: true, labelSmoothing: 0.1, axis: 1,
            reduction: "sum", name: "focal");
        var back = (Losses.BinaryFocalCrossentropy)KerasObjects.Deserialize<Loss>(KerasObjects.Serialize(loss), "test");
        Assert.Equal((true, 0.4, 3.0, true, 0.1, 1, "sum", "focal"),
            (back.ApplyClassBalancing, back.Alpha, back.Gamma, back.FromLogits, back.LabelSmoothing, back.Axis, back.Reduction, back.Name));
        var tversky = (Tversky)KerasObjects.Deserialize<Loss>(KerasObjects.Serialize(new Tversky(0.2, 0.8, axis: new[] { 1, 2 })), "test");
        Assert.Equal(new[] { 1, 2 }, tversky.Axis);
        var sparse = (Losses.SparseCategoricalCrossentropy)KerasObjects.Deserialize<Loss>(
            JsonNode.Parse("{\"class_name\": \"SparseCategoricalCrossentropy\", \"config\": {\"ignore_class\": 255, \"reduction\": null}}")!, "test");
        Assert.Equal((255, "none"), (sparse.IgnoreClass, sparse.Reduction));
    }

    [Fact]
    public void Every_name_Keras_resolves_makes_its_loss_named_as_Keras_names_it()
    {
        var table = Shared.KerasIdentifiers.Losses;
        foreach (var identifier in table.Identifiers)
        {
            string target = table.Resolve(identifier)!;
            var loss = Loss.Get(identifier);
            var entry = KerasCatalog.Find(typeof(Loss), target)!;
            Assert.Equal(entry.Type, loss.GetType());
            if (char.IsLower(target[0])) Assert.Equal(target, loss.Name); // a function's wrapper takes the function's name
        }
        Assert.Equal("mean_squared_error", Loss.Get("mse").Name);
        Assert.Equal("huber", Loss.Get("huber").Name);
        Assert.Equal("huber_loss", Loss.Get("Huber").Name);
        Assert.IsType<Losses.KLDivergence>(Loss.Get("kld"));
        var e = Assert.Throws<KerasArgumentException>(() => Loss.Get("mean_squred_error"));
        Assert.Contains("Did you mean 'mean_squared_error'", e.Message);
    }
}

/// <summary>Compares floats within an absolute tolerance.</summary>
internal sealed class FloatTolerance : IEqualityComparer<float>
{
    private readonly float _tolerance;

    public FloatTolerance(float tolerance) => _tolerance = tolerance;

    public bool Equals(float x, float y) => Math.Abs(x - y) <= _tolerance;

    public int GetHashCode(float obj) => 0;
}

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Metrics;
using Keras.SavingLib;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' metrics against their definitions computed in plain loops: streamed over several batches (the state adds up
/// exactly as one batch of everything), sample weights, thresholds, top_k, class_id, empty classes, ties, reset, configs
/// and names.
/// </summary>
public class MetricTests : KerasTestBase
{
    private static torch.Tensor F(params double[] values) => torch.tensor(values.Select(v => (float)v).ToArray());
    private static torch.Tensor F2(double[][] rows) => torch.tensor(rows.SelectMany(r => r).Select(v => (float)v).ToArray(), new long[] { rows.Length, rows[0].Length });

    private static readonly double[] Labels = { 1, 0, 1, 1, 0, 0, 1, 0, 1, 0 };
    private static readonly double[] Scores = { 0.9, 0.1, 0.35, 0.8, 0.65, 0.3, 0.55, 0.55, 0.2, 0.05 };

    /// <summary>Updates with the first <paramref name="split"/> samples, then the rest (streaming).</summary>
    private static void Stream(Metric m, double[] labels, double[] scores, int split, double[]? weights = null)
    {
        for (int part = 0; part < 2; part++)
        {
            int start = part == 0 ? 0 : split, length = part == 0 ? split : labels.Length - split;
            using var t = F(labels.Skip(start).Take(length).ToArray());
            using var p = F(scores.Skip(start).Take(length).ToArray());
            using var w = weights == null ? null : F(weights.Skip(start).Take(length).ToArray());
            m.UpdateState(t, p, w);
        }
    }

    /// <summary>Weighted confusion counts at one threshold (prediction positive when score &gt; threshold).</summary>
    private static (double Tp, double Fp, double Tn, double Fn) Counts(double[] labels, double[] scores, double threshold, double[]? weights = null)
    {
        double tp = 0, fp = 0, tn = 0, fn = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double w = weights?[i] ?? 1;
            bool pos = scores[i] > threshold, label = labels[i] != 0;
            if (pos && label) tp += w;
            else if (pos) fp += w;
            else if (label) fn += w;
            else tn += w;
        }
        return (tp, fp, tn, fn);
    }

    [Fact]
    public void Precision_and_recall_stream_weighted_counts_per_threshold()
    {
        double[] w = { 1, 2, 1, 0.5, 1, 1, 3, 1, 1, 2 };
        var precision = new Precision(thresholds: new[] { 0.3, 0.5, 0.7 });
        var recall = new Recall(thresholds: new[] { 0.3, 0.5, 0.7 });
        Stream(precision, Labels, Scores, 4, w);
        Stream(recall, Labels, Scores, 7, w);
        var expectedP = new[] { 0.3, 0.5, 0.7 }.Select(t => { var c = Counts(Labels, Scores, t, w); return c.Tp / (c.Tp + c.Fp); }).ToArray();
        var expectedR = new[] { 0.3, 0.5, 0.7 }.Select(t => { var c = Counts(Labels, Scores, t, w); return c.Tp / (c.Tp + c.Fn); }).ToArray();
        Assert.Equal(expectedP, precision.Results(), new DoubleTolerance(1e-6));
        Assert.Equal(expectedR, recall.Results(), new DoubleTolerance(1e-6));
        Assert.Equal(expectedP[0], precision.Result(), 6);
    }

    [Fact]
    public void Precision_is_zero_when_nothing_is_predicted_positive_and_recall_when_no_label_is()
    {
        var precision = new Precision();
        var recall = new Recall();
        Assert.Equal(0.0, precision.Result()); // before any update
        using var t = F(0, 0, 0);
        using var p = F(0.1, 0.2, 0.3);
        precision.UpdateState(t, p);
        recall.UpdateState(t, p);
        Assert.Equal(0.0, precision.Result());
        Assert.Equal(0.0, recall.Result());
    }

    [Fact]
    public void Precision_with_top_k_and_class_id_looks_only_at_those_predictions()
    {
        double[][] truth = { new double[] { 0, 1, 0, 1 }, new double[] { 1, 0, 0, 0 } };
        double[][] scores = { new[] { 0.1, 0.4, 0.3, 0.2 }, new[] { 0.6, 0.1, 0.2, 0.1 } };
        using var t = F2(truth);
        using var p = F2(scores);
        // top_k=2: row 0 keeps classes 1 and 2 (one right), row 1 keeps 0 and 2 (one right): 2 / 4
        var topK = new Precision(topK: 2);
        topK.UpdateState(t, p);
        Assert.Equal(0.5, topK.Result(), 6);
        // class_id=0 at 0.5: row 1 predicted and right, row 0 not predicted: precision 1, recall 1
        var classId = new Recall(classId: 0);
        classId.UpdateState(t, p);
        Assert.Equal(1.0, classId.Result(), 6);
        var classThree = new Recall(classId: 3, thresholds: new[] { 0.15 });
        classThree.UpdateState(t, p);
        Assert.Equal(1.0, classThree.Result(), 6); // 0.2 > 0.15 for the one positive of class 3
    }

    [Fact]
    public void Confusion_counts_add_up_over_batches_and_reset()
    {
        var metrics = new Metric[] { new TruePositives(), new FalsePositives(), new TrueNegatives(), new FalseNegatives(thresholds: new[] { 0.5, 0.25 }) };
        foreach (var m in metrics) Stream(m, Labels, Scores, 3);
        var c = Counts(Labels, Scores, 0.5);
        var c25 = Counts(Labels, Scores, 0.25);
        Assert.Equal(new[] { c.Tp, c.Fp, c.Tn, c.Fn }, metrics.Select(m => m.Result()));
        Assert.Equal(new[] { c.Fn, c25.Fn }, metrics[3].Results());
        metrics[0].ResetState();
        Assert.Equal(0.0, metrics[0].Result());
    }

    /// <summary>Keras' AUC in loops: thresholds -eps, i/(n-1), 1+eps; trapezoids over the (FPR, TPR) points.</summary>
    private static double RocReference(double[] labels, double[] scores, int n, double[]? weights = null)
    {
        var thresholds = new List<double> { -1e-7 };
        for (int i = 1; i < n - 1; i++) thresholds.Add(i * 1.0 / (n - 1));
        thresholds.Add(1 + 1e-7);
        var points = thresholds.Select(t =>
        {
            var c = Counts(labels, scores, t, weights);
            return (X: c.Fp + c.Tn == 0 ? 0 : c.Fp / (c.Fp + c.Tn), Y: c.Tp + c.Fn == 0 ? 0 : c.Tp / (c.Tp + c.Fn));
        }).ToArray();
        double area = 0;
        for (int i = 0; i < points.Length - 1; i++) area += (points[i].X - points[i + 1].X) * (points[i].Y + points[i + 1].Y) / 2;
        return area;
    }

    [Fact]
    public void AUC_ROC_streams_as_Keras_sums_trapezoids_and_approaches_the_rank_statistic()
    {
        var auc = new AUC();
        Stream(auc, Labels, Scores, 5);
        Assert.Equal(RocReference(Labels, Scores, 200), auc.Result(), 6);
        // With many thresholds the area is the probability that a positive outscores a negative (ties count half).
        var fine = new AUC(numThresholds: 2001);
        Stream(fine, Labels, Scores, 6);
        double wins = 0, pairs = 0;
        for (int i = 0; i < Labels.Length; i++)
            for (int j = 0; j < Labels.Length; j++)
                if (Labels[i] == 1 && Labels[j] == 0)
                {
                    pairs++;
                    wins += Scores[i] > Scores[j] ? 1 : Scores[i] == Scores[j] ? 0.5 : 0;
                }
        Assert.Equal(wins / pairs, fine.Result(), 3);
        double[] w = { 1, 2, 1, 0.5, 1, 1, 3, 1, 1, 2 };
        var weighted = new AUC(numThresholds: 50);
        Stream(weighted, Labels, Scores, 2, w);
        Assert.Equal(RocReference(Labels, Scores, 50, w), weighted.Result(), 6);
    }

    [Fact]
    public void AUC_of_identical_predictions_is_one_half_and_of_one_class_only_zero()
    {
        var tied = new AUC();
        using var t = F(1, 0, 1, 0);
        using var p = F(0.5, 0.5, 0.5, 0.5);
        tied.UpdateState(t, p);
        Assert.Equal(0.5, tied.Result(), 6);
        var onlyPositives = new AUC();
        using var ones = F(1, 1, 1);
        using var s = F(0.2, 0.6, 0.9);
        onlyPositives.UpdateState(ones, s);
        Assert.Equal(0.0, onlyPositives.Result(), 6); // no negatives: every FPR is 0, the curve has no width
    }

    [Fact]
    public void AUC_PR_minoring_and_majoring_and_multi_label_follow_Keras_sums()
    {
        int n = 11;
        var thresholds = new List<double> { -1e-7 };
        for (int i = 1; i < n - 1; i++) thresholds.Add(i * 1.0 / (n - 1));
        thresholds.Add(1 + 1e-7);
        var pts = thresholds.Select(th =>
        {
            var c = Counts(Labels, Scores, th);
            return (R: c.Tp / (c.Tp + c.Fn), P: c.Tp + c.Fp == 0 ? 0 : c.Tp / (c.Tp + c.Fp));
        }).ToArray();
        double minoring = 0, majoring = 0;
        for (int i = 0; i < n - 1; i++)
        {
            minoring += (pts[i].R - pts[i + 1].R) * Math.Min(pts[i].P, pts[i + 1].P);
            majoring += (pts[i].R - pts[i + 1].R) * Math.Max(pts[i].P, pts[i + 1].P);
        }
        var aucMin = new AUC(numThresholds: n, curve: "PR", summationMethod: "minoring");
        var aucMax = new AUC(numThresholds: n, curve: "PR", summationMethod: "majoring");
        Stream(aucMin, Labels, Scores, 5);
        Stream(aucMax, Labels, Scores, 5);
        Assert.Equal(minoring, aucMin.Result(), 6);
        Assert.Equal(majoring, aucMax.Result(), 6);
        var interpolated = new AUC(numThresholds: n, curve: "PR");
        Stream(interpolated, Labels, Scores, 5);
        Assert.InRange(interpolated.Result(), minoring - 1e-9, majoring + 1e-9);

        // Two label columns: the mean of each column's ROC area (label_weights weigh them).
        double[] flipped = Labels.Select(l => 1 - l).ToArray();
        using var t = torch.stack(new[] { F(Labels), F(flipped) }, 1);
        using var p = torch.stack(new[] { F(Scores), F(Scores) }, 1);
        var multi = new AUC(multiLabel: true);
        multi.UpdateState(t, p);
        double a = RocReference(Labels, Scores, 200), b = RocReference(flipped, Scores, 200);
        Assert.Equal((a + b) / 2, multi.Result(), 6);
        var weightedLabels = new AUC(multiLabel: true, labelWeights: new[] { 3.0, 1.0 });
        weightedLabels.UpdateState(t, p);
        Assert.Equal((3 * a + b) / 4, weightedLabels.Result(), 6);
        var logits = new AUC(fromLogits: true);
        using var z = F(Scores.Select(s => Math.Log(s / (1 - s))).ToArray());
        using var l = F(Labels);
        logits.UpdateState(l, z);
        Assert.Equal(RocReference(Labels, Scores, 200), logits.Result(), 5);
    }

    [Fact]
    public void Rate_at_rate_metrics_take_the_best_value_where_the_constraint_holds()
    {
        int n = 21;
        var thresholds = new List<double> { 0 };
        for (int i = 1; i < n - 1; i++) thresholds.Add(i * 1.0 / (n - 1));
        thresholds.Add(1);
        double Best(Func<(double Tp, double Fp, double Tn, double Fn), double> constrained, Func<(double Tp, double Fp, double Tn, double Fn), double> dependent, double value) =>
            thresholds.Select(t => Counts(Labels, Scores, t)).Where(c => constrained(c) >= value).Select(dependent).DefaultIfEmpty(0).Max();
        static double Div(double a, double b) => b == 0 ? 0 : a / b;
        Func<(double Tp, double Fp, double Tn, double Fn), double> sens = c => Div(c.Tp, c.Tp + c.Fn), spec = c => Div(c.Tn, c.Tn + c.Fp),
            prec = c => Div(c.Tp, c.Tp + c.Fp);
        var metrics = new (Metric Metric, double Expected)[]
        {
            (new SensitivityAtSpecificity(0.8, numThresholds: n), Best(spec, sens, 0.8)),
            (new SpecificityAtSensitivity(0.6, numThresholds: n), Best(sens, spec, 0.6)),
            (new PrecisionAtRecall(0.8, numThresholds: n), Best(sens, prec, 0.8)),
            (new RecallAtPrecision(0.75, numThresholds: n), Best(prec, sens, 0.75)),
        };
        foreach (var (metric, expected) in metrics)
        {
            Stream(metric, Labels, Scores, 4);
            Assert.Equal(expected, metric.Result(), 6);
        }
        Assert.Throws<KerasArgumentException>(() => new PrecisionAtRecall(1.5));
    }

    [Fact]
    public void F_scores_average_per_class_scores_as_Keras()
    {
        double[][] truth = { new double[] { 1, 0, 0 }, new double[] { 0, 1, 0 }, new double[] { 0, 1, 0 }, new double[] { 0, 0, 1 }, new double[] { 1, 0, 0 } };
        double[][] scores = { new[] { 0.7, 0.2, 0.1 }, new[] { 0.6, 0.3, 0.1 }, new[] { 0.1, 0.8, 0.1 }, new[] { 0.2, 0.2, 0.6 }, new[] { 0.3, 0.4, 0.3 } };
        const double eps = 1e-7;
        // argmax predictions: 0, 0, 1, 2, 1
        int[] predicted = { 0, 0, 1, 2, 1 };
        var tp = new double[3];
        var fp = new double[3];
        var fn = new double[3];
        var support = new double[3];
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 3; c++)
            {
                bool p = predicted[i] == c, t = truth[i][c] == 1;
                if (p && t) tp[c]++;
                if (p && !t) fp[c]++;
                if (!p && t) fn[c]++;
                if (t) support[c]++;
            }
        double Fb(double tpv, double fpv, double fnv, double beta)
        {
            double pr = tpv / (tpv + fpv + eps), rc = tpv / (tpv + fnv + eps);
            return pr * rc / (beta * beta * pr + rc + eps) * (1 + beta * beta);
        }
        var perClass = Enumerable.Range(0, 3).Select(c => Fb(tp[c], fp[c], fn[c], 1)).ToArray();
        using var t2 = F2(truth);
        using var p2 = F2(scores);
        using var t3 = t2.narrow(0, 0, 2);
        using var p3 = p2.narrow(0, 0, 2);
        using var t4 = t2.narrow(0, 2, 3);
        using var p4 = p2.narrow(0, 2, 3);
        Metric Streamed(Metric m)
        {
            m.UpdateState(t3, p3);
            m.UpdateState(t4, p4);
            return m;
        }
        Assert.Equal(perClass, Streamed(new F1Score()).Results(), new DoubleTolerance(1e-6));
        Assert.Equal(perClass.Average(), Streamed(new F1Score(average: "macro")).Result(), 6);
        Assert.Equal(perClass.Zip(support, (f, s) => f * s / (support.Sum() + eps)).Sum(), Streamed(new F1Score(average: "weighted")).Result(), 6);
        Assert.Equal(Fb(tp.Sum(), fp.Sum(), fn.Sum(), 1), Streamed(new F1Score(average: "micro")).Result(), 6);
        Assert.Equal(Enumerable.Range(0, 3).Select(c => Fb(tp[c], fp[c], fn[c], 2)).Average(), Streamed(new FBetaScore(average: "macro", beta: 2)).Result(), 6);
        // threshold: positive where the score is above it (several per row possible)
        var thresholded = Streamed(new F1Score(average: "micro", threshold: 0.35));
        double ttp = 0, tfp = 0, tfn = 0;
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 3; c++)
            {
                bool p = scores[i][c] > 0.35, t = truth[i][c] == 1;
                if (p && t) ttp++;
                if (p && !t) tfp++;
                if (!p && t) tfn++;
            }
        Assert.Equal(Fb(ttp, tfp, tfn, 1), thresholded.Result(), 6);
        Assert.Throws<KerasArgumentException>(() => new FBetaScore(beta: 0));
        Assert.Throws<KerasArgumentException>(() => new F1Score(average: "samples"));
    }

    [Fact]
    public void Top_k_accuracies_count_a_hit_when_the_class_is_among_the_k_best()
    {
        double[][] scores = { new[] { 0.1, 0.5, 0.4, 0.0 }, new[] { 0.7, 0.1, 0.15, 0.05 }, new[] { 0.3, 0.1, 0.2, 0.5 } };
        using var p = F2(scores);
        using var labels = torch.tensor(new long[] { 2, 2, 1 });
        using var oneHot = torch.nn.functional.one_hot(labels, 4).to_type(torch.ScalarType.Float32);
        var sparse = new SparseTopKCategoricalAccuracy(k: 2);
        sparse.UpdateState(labels, p);
        Assert.Equal(2.0 / 3, sparse.Result(), 6); // rows 0 and 1: class 2 is second best; row 2: class 1 is last
        var dense = new TopKCategoricalAccuracy(k: 1);
        dense.UpdateState(oneHot, p);
        Assert.Equal(0.0, dense.Result(), 6);
        var wide = new TopKCategoricalAccuracy(k: 3);
        wide.UpdateState(oneHot, p);
        Assert.Equal(2.0 / 3, wide.Result(), 6);
        using var ids = torch.tensor(new float[] { 2, 1, 0, 1, 3, 2 }, 3, 2); // sorted ids: the first k are the top k
        var sortedIds = new SparseTopKCategoricalAccuracy(k: 1, fromSortedIds: true);
        sortedIds.UpdateState(labels, ids);
        Assert.Equal(1.0 / 3, sortedIds.Result(), 6);
    }

    [Fact]
    public void Regression_metrics_are_weighted_means_streamed_over_batches()
    {
        double[] t = { 1, 2, 3, 4, 5 }, p = { 1.5, 1.0, 3.5, 5.0, 4.0 }, w = { 1, 0.5, 2, 0, 1 };
        double Weighted(Func<double, double, double> f) => t.Zip(p, f).Zip(w, (v, x) => v * x).Sum() / w.Sum();
        var checks = new (Metric Metric, double Expected)[]
        {
            (new Metrics.MeanSquaredError(), Weighted((a, b) => (a - b) * (a - b))),
            (new Metrics.MeanAbsoluteError(), Weighted((a, b) => Math.Abs(a - b))),
            (new RootMeanSquaredError(), Math.Sqrt(Weighted((a, b) => (a - b) * (a - b)))),
            (new Metrics.MeanAbsolutePercentageError(), Weighted((a, b) => 100 * Math.Abs(a - b) / a)),
            (new Metrics.MeanSquaredLogarithmicError(), Weighted((a, b) => Math.Pow(Math.Log(b + 1) - Math.Log(a + 1), 2))),
            (new LogCoshError(), Weighted((a, b) => Math.Log(Math.Cosh(b - a)))),
            (new Metrics.Poisson(), Weighted((a, b) => b - a * Math.Log(b + 1e-7))),
        };
        foreach (var (metric, expected) in checks)
        {
            for (int start = 0; start < 5; start += 2)
            {
                int n = Math.Min(2, 5 - start);
                using var tt = F(t.Skip(start).Take(n).ToArray()).reshape(n, 1);
                using var pp = F(p.Skip(start).Take(n).ToArray()).reshape(n, 1);
                using var ww = F(w.Skip(start).Take(n).ToArray());
                metric.UpdateState(tt, pp, ww);
            }
            Assert.Equal(expected, metric.Result(), 4);
            metric.ResetState();
            Assert.Equal(0.0, metric.Result());
        }
    }

    [Fact]
    public void Probabilistic_and_hinge_metrics_average_their_loss_functions()
    {
        double[][] truth = { new double[] { 0, 1 }, new double[] { 1, 0 } };
        double[][] pred = { new[] { 0.3, 0.7 }, new[] { 0.6, 0.4 } };
        using var t = F2(truth);
        using var p = F2(pred);
        double Bce(double a, double b) => -(a * Math.Log(b) + (1 - a) * Math.Log(1 - b));
        var checks = new (Metric Metric, double Expected)[]
        {
            (new Metrics.BinaryCrossentropy(), (Bce(0, 0.3) + Bce(1, 0.7) + Bce(1, 0.6) + Bce(0, 0.4)) / 4),
            (new Metrics.CategoricalCrossentropy(), -(Math.Log(0.7) + Math.Log(0.6)) / 2),
            (new Metrics.KLDivergence(), -(Math.Log(0.7) + Math.Log(0.6)) / 2 + 0), // y·log(y/p) with y in {1e-7 clip, 1}
            (new Metrics.Hinge(), ((1 + 0.3) + (1 - 0.7) + (1 - 0.6) + (1 + 0.4)) / 4 / 1),
            (new Metrics.SquaredHinge(), (1.3 * 1.3 + 0.3 * 0.3 + 0.4 * 0.4 + 1.4 * 1.4) / 4),
            (new Metrics.CategoricalHinge(), (Math.Max(0.3 - 0.7 + 1, 0) + Math.Max(0.4 - 0.6 + 1, 0)) / 2),
            (new Metrics.CosineSimilarity(), (0.7 / Math.Sqrt(0.58) + 0.6 / Math.Sqrt(0.52)) / 2),
            (new CategoricalAccuracy(), 1.0),
            (new Metrics.Accuracy(), 0.0),
            (new BinaryAccuracy(threshold: 0.5), 1.0),
        };
        foreach (var (metric, expected) in checks)
        {
            metric.UpdateState(t, p);
            Assert.Equal(expected, metric.Result(), 3);
        }
    }

    [Fact]
    public void R2_score_streams_sums_per_column_and_aggregates()
    {
        double[][] t = { new double[] { 1, 10 }, new double[] { 2, 20 }, new double[] { 3, 30 }, new double[] { 4, 35 } };
        double[][] p = { new[] { 1.2, 12 }, new[] { 1.8, 18 }, new[] { 3.3, 29 }, new[] { 3.9, 36 } };
        double R2(int c, out double total)
        {
            double mean = t.Average(r => r[c]);
            total = t.Sum(r => (r[c] - mean) * (r[c] - mean));
            double residual = t.Zip(p, (a, b) => (a[c] - b[c]) * (a[c] - b[c])).Sum();
            return 1 - residual / total;
        }
        double r0 = R2(0, out var tot0), r1 = R2(1, out var tot1);
        using var tt = F2(t);
        using var pp = F2(p);
        Metric Streamed(Metric m)
        {
            using var a = tt.narrow(0, 0, 1);
            using var b = pp.narrow(0, 0, 1);
            using var c = tt.narrow(0, 1, 3);
            using var d = pp.narrow(0, 1, 3);
            m.UpdateState(a, b);
            m.UpdateState(c, d);
            return m;
        }
        Assert.Equal((r0 + r1) / 2, Streamed(new R2Score()).Result(), 6);
        Assert.Equal((tot0 * r0 + tot1 * r1) / (tot0 + tot1), Streamed(new R2Score(classAggregation: "variance_weighted_average")).Result(), 6);
        Assert.Equal(new[] { r0, r1 }, Streamed(new R2Score(classAggregation: null)).Results(), new DoubleTolerance(1e-6));
        double n = 8, k = 1; // adjusted R2: samples counted as values (Keras' ops.size(y_true))
        Assert.Equal(1 - (1 - (r0 + r1) / 2) * (n - 1) / (n - k - 1), Streamed(new R2Score(numRegressors: 1)).Result(), 6);
        using var flat = F(1, 2, 3);
        Assert.Throws<KerasArgumentException>(() => new R2Score().UpdateState(flat, flat));
    }

    [Fact]
    public void IoU_metrics_count_a_confusion_matrix_and_skip_absent_classes()
    {
        // true: 0 0 1 1 2; predicted: 0 1 1 1 0 → cm rows true, columns predicted
        using var t = torch.tensor(new long[] { 0, 0, 1, 1, 2 });
        using var p = torch.tensor(new long[] { 0, 1, 1, 1, 0 });
        const double eps = 1e-7;
        double iou0 = 1 / (2.0 + 2 - 1 + eps), iou1 = 2 / (3.0 + 2 - 2 + eps), iou2 = 0 / (0.0 + 1 - 0 + eps);
        var mean = new MeanIoU(3);
        mean.UpdateState(t, p);
        Assert.Equal((iou0 + iou1 + iou2) / (3 + eps), mean.Result(), 6);
        var some = new IoU(4, new[] { 1, 3 }); // class 3 never occurs: it is left out of the average
        some.UpdateState(t, p);
        Assert.Equal(iou1 / (1 + eps), some.Result(), 6);
        var ignoring = new MeanIoU(3, ignoreClass: 2);
        ignoring.UpdateState(t, p);
        Assert.Equal((1 / (2.0 + 1 - 1 + eps) + 2 / (3.0 + 2 - 2 + eps)) / (2 + eps), ignoring.Result(), 6);
        var binary = new BinaryIoU(targetClassIds: new[] { 1 }, threshold: 0.5);
        using var bt = F(1, 0, 1, 1);
        using var bp = F(0.7, 0.6, 0.2, 0.5);
        binary.UpdateState(bt, bp);
        Assert.Equal(2 / (3.0 + 3 - 2 + eps), binary.Result(), 6); // predicted 1: samples 0, 1, 3
        var oneHot = new OneHotMeanIoU(3);
        using var ot = torch.nn.functional.one_hot(t, 3).to_type(torch.ScalarType.Float32);
        using var op = torch.nn.functional.one_hot(p, 3).to_type(torch.ScalarType.Float32);
        oneHot.UpdateState(ot, op);
        Assert.Equal(mean.Result(), oneHot.Result(), 9);
    }

    [Fact]
    public void Mean_and_sum_weigh_values_and_a_wrapper_streams_any_function()
    {
        var mean = new Mean();
        using var v = F(1, 2, 3, 4);
        using var w = F(1, 0, 1, 2);
        mean.UpdateValues(v, w);
        using var v2 = F(10);
        mean.UpdateValues(v2);
        Assert.Equal((1 + 3 + 8 + 10) / 5.0, mean.Result(), 6);
        var sum = new Sum();
        sum.UpdateValues(v, w);
        sum.UpdateValues(v2);
        Assert.Equal(22.0, sum.Result(), 6);
        var wrapper = new MeanMetricWrapper((t, p) => t.sub(p).abs(), name: "absolute");
        using var a = F(1, 2);
        using var b = F(2, 4);
        wrapper.UpdateState(a, b);
        Assert.Equal(1.5, wrapper.Result(), 6);
    }

    [Fact]
    public void Metric_updates_leave_no_tensor_behind()
    {
        using var t = F2(new[] { new double[] { 0, 1, 0 }, new double[] { 1, 0, 0 } });
        using var p = F2(new[] { new[] { 0.2, 0.7, 0.1 }, new[] { 0.5, 0.3, 0.2 } });
        using var w = F(1, 2);
        var metrics = new Metric[]
        {
            new AUC(), new AUC(multiLabel: true), new Precision(topK: 2), new Recall(classId: 1), new F1Score(), new R2Score(), new OneHotMeanIoU(3),
            new RootMeanSquaredError(), new Metrics.MeanSquaredError(), Metric.Get("accuracy"), new TopKCategoricalAccuracy(k: 2), new SensitivityAtSpecificity(0.5),
        };
        foreach (var m in metrics) m.UpdateState(t, p, w);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int i = 0; i < 5; i++)
            foreach (var m in metrics)
            {
                m.UpdateState(t, p, w);
                m.Result();
            }
        Assert.Equal(before, torch.Tensor.TotalCount);
    }

    /// <summary>One instance of every metric class, with the arguments it needs.</summary>
    public static IEnumerable<object[]> MetricInstances() => new Metric[]
    {
        new Mean(), new Sum(), new Metrics.MeanSquaredError(), new RootMeanSquaredError(), new Metrics.MeanAbsoluteError(),
        new Metrics.MeanAbsolutePercentageError(), new Metrics.MeanSquaredLogarithmicError(), new Metrics.CosineSimilarity(), new LogCoshError(),
        new R2Score(classAggregation: "variance_weighted_average", numRegressors: 2), new AUC(numThresholds: 50, curve: "PR", thresholds: null),
        new AUC(thresholds: new[] { 0.2, 0.7 }, multiLabel: true, numLabels: 2, labelWeights: new[] { 1.0, 2.0 }), new FalseNegatives(thresholds: new[] { 0.3 }),
        new FalsePositives(), new TrueNegatives(thresholds: new[] { 0.3, 0.6 }), new TruePositives(), new Precision(topK: 2, classId: 1), new Recall(thresholds: new[] { 0.4 }),
        new PrecisionAtRecall(0.4, numThresholds: 10, classId: 1), new RecallAtPrecision(0.3), new SensitivityAtSpecificity(0.5), new SpecificityAtSensitivity(0.2),
        new Metrics.Hinge(), new Metrics.SquaredHinge(), new Metrics.CategoricalHinge(), new Metrics.KLDivergence(), new Metrics.Poisson(),
        new Metrics.BinaryCrossentropy(fromLogits: true, labelSmoothing: 0.1), new Metrics.CategoricalCrossentropy(axis: 1),
        new Metrics.SparseCategoricalCrossentropy(fromLogits: true), new Metrics.Accuracy(), new BinaryAccuracy(threshold: 0.3), new CategoricalAccuracy(),
        new SparseCategoricalAccuracy(), new TopKCategoricalAccuracy(k: 3), new SparseTopKCategoricalAccuracy(k: 2, fromSortedIds: true),
        new F1Score(average: "macro", threshold: 0.4), new FBetaScore(beta: 2), new IoU(3, new[] { 0, 2 }, ignoreClass: 1), new BinaryIoU(threshold: 0.3),
        new MeanIoU(4), new OneHotIoU(3, new[] { 1 }), new OneHotMeanIoU(5),
    }.Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(MetricInstances))]
    public void Each_metric_config_round_trips_with_every_key(Metric metric)
    {
        var config = KerasObjects.Serialize(metric);
        Assert.Equal("keras.metrics", (string?)config["module"]);
        var back = KerasObjects.Deserialize<Metric>(JsonNode.Parse(config.ToJsonString())!, "test");
        Assert.Equal(metric.GetType(), back.GetType());
        Assert.Equal(config.ToJsonString(), KerasObjects.Serialize(back).ToJsonString());
    }

    [Fact]
    public void Every_metric_class_is_in_the_catalog_and_every_name_Keras_resolves_finds_it()
    {
        var classes = MetricInstances().Select(o => o[0].GetType()).Distinct().ToArray();
        Assert.Equal(classes.Length, KerasCatalog.All(typeof(Metric)).Count(e => !e.Type.IsAbstract && e.Type != typeof(MeanMetricWrapper)));
        var table = Shared.KerasIdentifiers.Metrics;
        foreach (var identifier in table.Identifiers)
        {
            if (identifier.ToLowerInvariant() is "accuracy" or "acc")
            {
                Assert.IsType<CompileAccuracy>(Metric.Get(identifier)); // compile's accuracy, resolved from the data's shapes
                continue;
            }
            var entry = KerasCatalog.Find(typeof(Metric), table.Resolve(identifier)!);
            Assert.NotNull(entry);
            if (entry!.Type.GetConstructors().SelectMany(c => c.GetParameters()).Any(p => !p.HasDefaultValue && p.ParameterType != typeof(Func<torch.Tensor, torch.Tensor, torch.Tensor>)))
            {
                // Keras' get calls the class without arguments: classes that need some fail there too.
                Assert.ThrowsAny<Exception>(() => Metric.Get(identifier));
                continue;
            }
            if (entry.Type == typeof(MeanMetricWrapper)) continue; // needs its fn
            var metric = Metric.Get(identifier);
            Assert.Equal(entry.Type, metric.GetType());
            Assert.Equal(identifier, metric.Name); // compile names a metric after the string it was given
        }
        Assert.IsType<AUC>(Metric.Get("auc"));
        Assert.IsType<RootMeanSquaredError>(Metric.Get("root_mean_squared_error"));
        Assert.Equal("up", Metric.Get("ACC").Direction);
        var e = Assert.Throws<KerasArgumentException>(() => Metric.Get("precission"));
        Assert.StartsWith("Could not interpret metric identifier: precission", e.Message);
    }
}

/// <summary>Compares doubles within an absolute tolerance.</summary>
internal sealed class DoubleTolerance : IEqualityComparer<double>
{
    private readonly double _tolerance;

    public DoubleTolerance(double tolerance) => _tolerance = tolerance;

    public bool Equals(double x, double y) => Math.Abs(x - y) <= _tolerance;

    public int GetHashCode(double obj) => 0;
}

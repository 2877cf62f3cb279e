using System;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.FBetaScore(average=None, beta=1.0, threshold=None)</c> on 2D (batch, classes) inputs: per class
    /// (or pooled for "micro") weighted TP, FP, FN streamed over the batches; precision P = TP / (TP + FP + eps), recall
    /// R = TP / (TP + FN + eps), F = (1 + β²)·P·R / (β²·P + R + eps), averaged by "macro", by support for "weighted",
    /// one per class for null. Without a threshold each row's largest prediction is the positive one.
    /// </summary>
    [KerasClass("FBetaScore")]
    public class FBetaScore : Metric
    {
        private double[]? _tp, _fp, _fn, _support;

        /// <summary>Creates the metric.</summary>
        public FBetaScore(string? average = null, double beta = 1.0, double? threshold = null, string name = "fbeta_score", string? dtype = null) : base(name, dtype)
        {
            if (average is not (null or "micro" or "macro" or "weighted"))
                throw new KerasArgumentException(
                    "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. Received: average=" + average, nameof(average));
            if (!(beta > 0)) throw new KerasArgumentException($"Invalid `beta` argument value. It should be > 0. Received: beta={beta}", nameof(beta));
            if (threshold is double t && !(t > 0 && t <= 1))
                throw new KerasArgumentException($"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. Received: threshold={t}", nameof(threshold));
            Average = average;
            Beta = beta;
            Threshold = threshold;
        }

        /// <summary>average.</summary>
        public string? Average { get; }

        /// <summary>beta.</summary>
        public double Beta { get; }

        /// <summary>threshold (null: each row's maximum).</summary>
        public double? Threshold { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        {
            if (yTrue.dim() != 2 || yPred.dim() != 2)
                throw new KerasArgumentException(
                    $"FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=({string.Join(", ", yPred.shape)}) " +
                    $"and y_true.shape=({string.Join(", ", yTrue.shape)}).");
            var p = yPred.to_type(ScalarType.Float32);
            var t = yTrue.to_type(ScalarType.Float32);
            Tensor predicted = Threshold is double th ? p.gt(th) : p.ge(p.amax(new long[] { -1 }, keepdim: true)).logical_and(p.abs().gt(1e-9));
            predicted = predicted.to_type(ScalarType.Float32);
            Tensor Sum(Tensor v)
            {
                if (sampleWeight is not null) v = v.mul(sampleWeight.to(ScalarType.Float32, v.device).unsqueeze(1));
                return Average == "micro" ? v.sum().reshape(1) : v.sum(new long[] { 0 });
            }
            var notPredicted = predicted.neg().add(1.0);
            Add(ref _tp, Sum(predicted.mul(t)));
            Add(ref _fp, Sum(predicted.mul(t.neg().add(1.0))));
            Add(ref _fn, Sum(notPredicted.mul(t)));
            Add(ref _support, Sum(t));
        }

        private static void Add(ref double[]? state, Tensor values)
        {
            var host = Host(values);
            if (state == null) state = new double[host.Length];
            else if (state.Length != host.Length) throw new KerasArgumentException($"FBetaScore was updated with {state.Length} classes before and now receives {host.Length}.");
            for (int i = 0; i < host.Length; i++) state[i] += host[i];
        }

        /// <inheritdoc />
        public override double[] Results()
        {
            if (_tp == null) return new[] { 0.0 };
            double eps = Config.Epsilon(), b2 = Beta * Beta;
            int n = _tp.Length;
            var f = new double[n];
            for (int i = 0; i < n; i++)
            {
                double precision = _tp[i] / (_tp[i] + _fp![i] + eps);
                double recall = _tp[i] / (_tp[i] + _fn![i] + eps);
                f[i] = precision * recall / (b2 * precision + recall + eps) * (1 + b2);
            }
            if (Average == "weighted")
            {
                double total = 0, score = 0;
                foreach (var s in _support!) total += s;
                for (int i = 0; i < n; i++) score += f[i] * _support[i] / (total + eps);
                return new[] { score };
            }
            if (Average != null)
            {
                double mean = 0;
                foreach (var v in f) mean += v;
                return new[] { mean / n };
            }
            return f;
        }

        /// <inheritdoc />
        public override void ResetState() => _tp = _fp = _fn = _support = null;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["average"] = Average;
            c["beta"] = Beta;
            c["threshold"] = Threshold;
            return c;
        }

        internal static FBetaScore FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "fbeta_score");
            return new FBetaScore(c.OptionalString("average"), c.Double("beta", 1.0), c.OptionalDouble("threshold"), a.Name, a.Dtype);
        }
    }
}

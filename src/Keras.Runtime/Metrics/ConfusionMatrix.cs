using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// Keras' <c>metrics_utils.update_confusion_matrix_variables</c>: per threshold t, a prediction is positive when
    /// p &gt; t and a label when it is non-zero; each (label, prediction) pair adds its sample weight (1 without) to the
    /// true/false positive/negative count of every threshold. <c>top_k</c> keeps only each row's k largest predictions,
    /// <c>class_id</c> one column; multi-label keeps one count per label column.
    /// </summary>
    internal sealed class ConfusionCounts
    {
        internal ConfusionCounts(double[] thresholds, bool multiLabel = false)
        {
            Thresholds = thresholds;
            MultiLabel = multiLabel;
        }

        internal double[] Thresholds { get; }
        internal bool MultiLabel { get; }

        /// <summary>Counts per threshold (multi-label: [threshold * labels + label]); null before the first update.</summary>
        internal double[]? TruePositives, FalsePositives, TrueNegatives, FalseNegatives;

        internal int Labels { get; private set; } = 1;

        internal void Reset() => TruePositives = FalsePositives = TrueNegatives = FalseNegatives = null;

        /// <summary>Adds one batch (inside the caller's dispose scope).</summary>
        internal void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight, int? topK = null, int? classId = null, double[]? labelWeights = null)
        {
            var pred = yPred.to_type(ScalarType.Float32);
            var truth = yTrue.to_type(ScalarType.Float32);
            (pred, truth) = Losses.Loss.SameRank(pred, truth);
            Tensor? weight = null;
            if (sampleWeight is not null)
            {
                weight = sampleWeight.to(ScalarType.Float32, pred.device).unsqueeze(-1);
                (_, weight) = Losses.Loss.SameRank(truth, weight, expandRank1: false);
            }
            if (topK is int k)
            {
                var (_, index) = pred.topk(Math.Min(k, (int)pred.shape[pred.dim() - 1]), dim: -1);
                var keep = torch.zeros_like(pred, dtype: ScalarType.Bool).scatter_(-1, index, torch.ones_like(index, dtype: ScalarType.Bool));
                pred = torch.where(keep, pred, torch.full_like(pred, double.NegativeInfinity));
            }
            if (classId is int id)
            {
                if (pred.dim() == 1)
                    throw new KerasArgumentException(
                        $"When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), found shape: ({string.Join(", ", pred.shape)})");
                truth = truth.narrow(-1, id, 1);
                pred = pred.narrow(-1, id, 1);
            }
            if (weight is not null) weight = weight.broadcast_to(pred.shape);
            if (labelWeights != null && !MultiLabel)
            {
                var lw = torch.tensor(labelWeights, device: pred.device).to_type(ScalarType.Float32).broadcast_to(pred.shape);
                weight = weight is null ? lw : weight.mul(lw);
            }
            var thresholds = torch.tensor(Thresholds, device: pred.device).to_type(ScalarType.Float32);
            Tensor predIsPos, labelIsPos, w;
            long[] sumAxes;
            if (MultiLabel)
            {
                if (pred.dim() != 2)
                    throw new KerasArgumentException($"`y_pred` must have rank 2 when `multi_label=True`. Found rank {pred.dim()}. Full shape received for `y_pred`: ({string.Join(", ", pred.shape)})");
                Labels = (int)pred.shape[1];
                predIsPos = pred.unsqueeze(0).gt(thresholds.reshape(-1, 1, 1));   // [T, N, L]
                labelIsPos = truth.ne(0).unsqueeze(0);
                w = weight is null ? torch.ones_like(pred).unsqueeze(0) : weight.unsqueeze(0);
                sumAxes = new long[] { 1 };
            }
            else
            {
                predIsPos = pred.reshape(1, -1).gt(thresholds.reshape(-1, 1));    // [T, N·L]
                labelIsPos = truth.ne(0).reshape(1, -1);
                w = weight is null ? torch.ones(new long[] { 1, predIsPos.shape[1] }, ScalarType.Float32, device: pred.device) : weight.reshape(1, -1);
                sumAxes = new long[] { 1 };
            }
            var predIsNeg = predIsPos.logical_not();
            var labelIsNeg = labelIsPos.logical_not();
            Add(ref TruePositives, predIsPos.logical_and(labelIsPos).mul(w).sum(sumAxes, type: ScalarType.Float64));
            Add(ref FalsePositives, predIsPos.logical_and(labelIsNeg).mul(w).sum(sumAxes, type: ScalarType.Float64));
            Add(ref TrueNegatives, predIsNeg.logical_and(labelIsNeg).mul(w).sum(sumAxes, type: ScalarType.Float64));
            Add(ref FalseNegatives, predIsNeg.logical_and(labelIsPos).mul(w).sum(sumAxes, type: ScalarType.Float64));
        }

        private void Add(ref double[]? state, Tensor counts)
        {
            var values = counts.cpu().data<double>().ToArray();
            if (state == null || state.Length != values.Length)
            {
                if (state != null)
                    throw new KerasArgumentException($"The metric was updated with {state.Length / Thresholds.Length} labels before and now receives {values.Length / Thresholds.Length}.");
                state = new double[values.Length];
            }
            for (int i = 0; i < values.Length; i++) state[i] += values[i];
        }

        /// <summary>Keras' <c>parse_init_thresholds</c>: the given thresholds (each in [0, 1]) or the default.</summary>
        internal static double[] Parse(double[]? thresholds, double defaultThreshold)
        {
            if (thresholds == null) return new[] { defaultThreshold };
            foreach (var t in thresholds)
                if (t < 0 || t > 1)
                    throw new KerasArgumentException($"Threshold values must be in [0, 1]. Received: {t}", nameof(thresholds));
            return (double[])thresholds.Clone();
        }

        /// <summary>A config's thresholds: null, a number or a list of numbers.</summary>
        internal static double[]? Read(ConfigReader c, string key = "thresholds") => c.Raw(key) switch
        {
            null => null,
            JsonArray a => Array.ConvertAll(a.ToArray(), n => n is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number
                ? v.GetValue<double>() : throw c.Error(key, "a number or a list of numbers")),
            _ => new[] { c.Double(key) },
        };

        /// <summary>How Keras writes thresholds given at construction: as given (a number stays a number).</summary>
        internal static JsonNode? Write(double[]? thresholds, bool single) =>
            thresholds == null ? null : single && thresholds.Length == 1 ? JsonValue.Create(thresholds[0])
                : new JsonArray(Array.ConvertAll(thresholds, t => (JsonNode?)JsonValue.Create(t)));
    }
}

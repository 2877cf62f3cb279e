using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.AUC(num_thresholds=200, curve="ROC", summation_method="interpolation", thresholds=None,
    /// multi_label=False, num_labels=None, label_weights=None, from_logits=False)</c>: the area under the ROC, PR or
    /// PR-gain curve from confusion counts streamed over the batches at thresholds -epsilon, 1/(n-1), ..., 1 + epsilon
    /// (or the given ones between -epsilon and 1 + epsilon), by Riemann sums (trapezoids, minoring or majoring) or, for
    /// PR with interpolation, Davis and Goadrich's interpolation. Multi-label: one curve per label column, averaged
    /// (weighted by label_weights when given).
    /// </summary>
    [KerasClass("AUC")]
    public sealed class AUC : Metric
    {
        private readonly ConfusionCounts _counts;
        private readonly double[]? _initThresholds;

        /// <summary>Creates the metric.</summary>
        public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc", string? dtype = null,
            double[]? thresholds = null, bool multiLabel = false, int? numLabels = null, double[]? labelWeights = null, bool fromLogits = false)
            : base(name, dtype)
        {
            Curve = curve switch
            {
                "pr" or "PR" => "PR",
                "roc" or "ROC" => "ROC",
                "prgain" or "PRGAIN" => "PRGAIN",
                _ => throw new KerasArgumentException($"Invalid AUC curve value: \"{curve}\". Expected values are [\"PR\", \"ROC\", \"PRGAIN\"]", nameof(curve)),
            };
            SummationMethod = summationMethod switch
            {
                "interpolation" or "Interpolation" => "interpolation",
                "majoring" or "Majoring" => "majoring",
                "minoring" or "Minoring" => "minoring",
                _ => throw new KerasArgumentException(
                    $"Invalid AUC summation method value: \"{summationMethod}\". Expected values are [\"interpolation\", \"majoring\", \"minoring\"]", nameof(summationMethod)),
            };
            double eps = Config.Epsilon();
            double[] inner;
            if (thresholds != null)
            {
                inner = thresholds.OrderBy(t => t).ToArray();
                _initThresholds = inner;
                NumThresholds = inner.Length + 2;
            }
            else
            {
                if (numThresholds <= 1)
                    throw new KerasArgumentException($"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={numThresholds}", nameof(numThresholds));
                NumThresholds = numThresholds;
                inner = new double[numThresholds - 2];
                for (int i = 0; i < inner.Length; i++) inner[i] = (i + 1) * 1.0 / (numThresholds - 1);
            }
            if (!multiLabel && numLabels != null)
                throw new KerasArgumentException("`num_labels` is needed only when `multi_label` is True.", nameof(numLabels));
            MultiLabel = multiLabel;
            NumLabels = numLabels;
            LabelWeights = labelWeights;
            FromLogits = fromLogits;
            _counts = new ConfusionCounts(new[] { -eps }.Concat(inner).Concat(new[] { 1 + eps }).ToArray(), multiLabel);
        }

        /// <summary>The number of thresholds (the given ones plus the two ends).</summary>
        public int NumThresholds { get; }

        /// <summary>"ROC", "PR" or "PRGAIN".</summary>
        public string Curve { get; }

        /// <summary>"interpolation", "minoring" or "majoring".</summary>
        public string SummationMethod { get; }

        /// <summary>Every threshold, both ends included.</summary>
        public double[] Thresholds => (double[])_counts.Thresholds.Clone();

        /// <summary>multi_label.</summary>
        public bool MultiLabel { get; }

        /// <summary>num_labels.</summary>
        public int? NumLabels { get; }

        /// <summary>label_weights.</summary>
        public double[]? LabelWeights { get; }

        /// <summary>from_logits: predictions go through a sigmoid first.</summary>
        public bool FromLogits { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override void Update(torch.Tensor yTrue, torch.Tensor yPred, torch.Tensor? sampleWeight)
        {
            var pred = FromLogits ? yPred.to_type(torch.ScalarType.Float32).sigmoid() : yPred;
            _counts.Update(yTrue, pred, sampleWeight, labelWeights: MultiLabel ? null : LabelWeights);
        }

        /// <inheritdoc />
        public override double[] Results()
        {
            if (_counts.TruePositives == null) return new[] { 0.0 };
            int t = NumThresholds, labels = _counts.TruePositives.Length / t;
            var byLabel = new double[labels];
            for (int l = 0; l < labels; l++)
            {
                double Get(double[] a, int i) => a[i * labels + l];
                var tp = new double[t];
                var fp = new double[t];
                var tn = new double[t];
                var fn = new double[t];
                for (int i = 0; i < t; i++)
                {
                    tp[i] = Get(_counts.TruePositives, i);
                    fp[i] = Get(_counts.FalsePositives!, i);
                    tn[i] = Get(_counts.TrueNegatives!, i);
                    fn[i] = Get(_counts.FalseNegatives!, i);
                }
                byLabel[l] = Curve == "PR" && SummationMethod == "interpolation" ? InterpolatePr(tp, fp, fn) : Riemann(tp, fp, tn, fn);
            }
            if (!MultiLabel) return new[] { byLabel[0] };
            if (LabelWeights == null) return new[] { byLabel.Average() };
            double weighted = 0, total = 0;
            for (int l = 0; l < labels; l++)
            {
                weighted += byLabel[l] * LabelWeights[l];
                total += LabelWeights[l];
            }
            return new[] { DivideNoNan(weighted, total) };
        }

        private double InterpolatePr(double[] tp, double[] fp, double[] fn)
        {
            double sum = 0;
            for (int i = 0; i < NumThresholds - 1; i++)
            {
                double dtp = tp[i] - tp[i + 1];
                double p0 = tp[i] + fp[i], p1 = tp[i + 1] + fp[i + 1];
                double dp = p0 - p1;
                double slope = DivideNoNan(dtp, Math.Max(dp, 0));
                double intercept = tp[i + 1] - slope * p1;
                double ratio = p0 > 0 && p1 > 0 ? DivideNoNan(p0, Math.Max(p1, 0)) : 1;
                sum += DivideNoNan(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(tp[i + 1] + fn[i + 1], 0));
            }
            return sum;
        }

        private double Riemann(double[] tp, double[] fp, double[] tn, double[] fn)
        {
            int t = NumThresholds;
            var x = new double[t];
            var y = new double[t];
            for (int i = 0; i < t; i++)
            {
                double recall = DivideNoNan(tp[i], tp[i] + fn[i]);
                switch (Curve)
                {
                    case "ROC":
                        x[i] = DivideNoNan(fp[i], fp[i] + tn[i]);
                        y[i] = recall;
                        break;
                    case "PR":
                        x[i] = recall;
                        y[i] = DivideNoNan(tp[i], tp[i] + fp[i]);
                        break;
                    default:
                        double scale = DivideNoNan(tp[i] + fn[i], tn[i] + fp[i]);
                        double recallGain = tp[i] == 0 ? 0 : 1 - scale * DivideNoNan(fn[i], tp[i]);
                        double precisionGain = tp[i] == 0 ? 1 : 1 - scale * DivideNoNan(fp[i], tp[i]);
                        x[i] = Math.Max(recallGain, 0);
                        y[i] = precisionGain;
                        break;
                }
            }
            double sum = 0;
            for (int i = 0; i < t - 1; i++)
            {
                double height = SummationMethod switch
                {
                    "interpolation" => (y[i] + y[i + 1]) / 2,
                    "minoring" => Math.Min(y[i], y[i + 1]),
                    _ => Math.Max(y[i], y[i + 1]),
                };
                sum += (x[i] - x[i + 1]) * height;
            }
            return sum;
        }

        /// <inheritdoc />
        public override void ResetState() => _counts.Reset();

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_thresholds"] = NumThresholds;
            c["curve"] = Curve;
            c["summation_method"] = SummationMethod;
            c["multi_label"] = MultiLabel;
            c["num_labels"] = NumLabels;
            c["label_weights"] = LabelWeights == null ? null : new JsonArray(LabelWeights.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray());
            c["from_logits"] = FromLogits;
            if (_initThresholds != null) c["thresholds"] = new JsonArray(_initThresholds.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
            return c;
        }

        internal static AUC FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "auc");
            return new AUC(c.Int("num_thresholds", 200), c.String("curve", "ROC"), c.String("summation_method", "interpolation"), a.Name, a.Dtype,
                ConfusionCounts.Read(c), c.Bool("multi_label", false), c.OptionalInt("num_labels", min: 1), ConfusionCounts.Read(c, "label_weights"),
                c.Bool("from_logits", false));
        }
    }
}

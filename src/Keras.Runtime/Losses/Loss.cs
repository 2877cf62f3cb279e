using System;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.Loss</c>: per-sample values (Keras' <c>call</c>) weighted by the sample weights and reduced with
    /// one of Keras' reductions: "sum_over_batch_size" (the default) and "mean" divide the weighted sum by the number of
    /// values, "mean_with_sample_weight" by the sum of the sample weights, "sum" sums, "none" returns the values.
    /// As Keras, a loss computes in its dtype (<c>floatx</c>, float32 unless set), whatever the predictions' dtype: a
    /// mixed-precision model's float16/bfloat16 outputs are cast to float32 first and the loss is float32.
    /// </summary>
    [KerasKind("keras.losses", "loss")]
    public abstract class Loss : IKerasConfigurable
    {
        /// <summary>Keras' allowed reductions (and null, which is "none").</summary>
        public static readonly string[] Reductions = { "sum_over_batch_size", "sum", "none", "mean", "mean_with_sample_weight" };

        /// <summary>Creates the loss.</summary>
        protected Loss(string name, string? reduction, string? dtype = null)
        {
            if (reduction != null && Array.IndexOf(Reductions, reduction) < 0)
                throw new KerasArgumentException(
                    "Invalid value for argument `reduction`. Expected one of {'sum_over_batch_size', 'sum', None, 'none', 'mean', 'mean_with_sample_weight'}. " +
                    "Received: reduction=" + reduction, nameof(reduction));
            if (dtype != null && dtype is not ("float16" or "bfloat16" or "float32" or "float64"))
                throw new KerasArgumentException($"A loss computes in a float dtype (float16, bfloat16, float32, float64). Received: dtype={dtype}", nameof(dtype));
            Name = name;
            Reduction = reduction ?? "none";
            _reductionIsNull = reduction == null;
            Dtype = dtype;
        }

        private readonly bool _reductionIsNull;

        /// <summary>The loss name used in logs' metric names.</summary>
        public string Name { get; internal set; }

        /// <summary>The reduction.</summary>
        public string Reduction { get; }

        /// <summary>The dtype given to the constructor (null: Keras' floatx).</summary>
        public string? Dtype { get; }

        /// <summary>The dtype the loss computes in: its dtype, else <c>keras.config.floatx()</c>.</summary>
        public ScalarType ComputeType => Interop.Dtypes.ToScalarType(Dtype ?? Config.Floatx());

        /// <summary>
        /// Whether y_true and y_pred are brought to the same rank first (Keras' <c>LossFunctionWrapper</c> does it with
        /// <c>squeeze_or_expand_to_same_rank</c> for every built-in loss).
        /// </summary>
        protected virtual bool MatchRanks => true;

        /// <summary>Whether y_true is cast to the loss dtype (sparse labels stay integers).</summary>
        protected virtual bool CastTargets => true;

        /// <summary>Per-sample losses (Keras' <c>call</c>): y_true and y_pred arrive in <see cref="ComputeType"/>.</summary>
        protected abstract Tensor PerSample(Tensor yTrue, Tensor yPred);

        /// <summary>Like <see cref="PerSample"/>, also returning a mask of the values that count (SparseCategoricalCrossentropy's ignore_class).</summary>
        protected virtual Tensor PerSampleMasked(Tensor yTrue, Tensor yPred, out Tensor? mask)
        {
            mask = null;
            return PerSample(yTrue, yPred);
        }

        /// <summary>Computes the reduced loss (Keras' <c>loss(y_true, y_pred)</c>).</summary>
        public Tensor Call(Tensor yTrue, Tensor yPred) => Call(yTrue, yPred, null);

        /// <summary>Keras' <c>loss(y_true, y_pred, sample_weight)</c>: the values weighted per sample, then reduced.</summary>
        public Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        {
            // Unweighted averages may take the loss' fused kernel: the same value, fewer ops per training step.
            bool plainMean = sampleWeight is null && Reduction is "sum_over_batch_size" or "mean";
            var values = Evaluate(yTrue, yPred, plainMean, out var mask, out bool reduced);
            if (reduced) return values;
            using (mask) return Reduce(values, sampleWeight, mask, Reduction);
        }

        /// <summary>
        /// The mean of the loss over every value, in one fused kernel, for inputs already cast and rank-matched; null where the
        /// loss has no such kernel for these inputs (the general path then computes and reduces the values). Only called
        /// without sample weights for the "sum_over_batch_size"/"mean" reductions: it must equal the mean of
        /// <see cref="PerSample"/> with no mask.
        /// </summary>
        protected virtual Tensor? FusedMean(Tensor yTrue, Tensor yPred) => null;

        /// <summary>Keras' <c>call</c> after the dtype casts and rank matching: the values before weighting and reduction.</summary>
        internal Tensor Unreduced(Tensor yTrue, Tensor yPred, out Tensor? mask) => Evaluate(yTrue, yPred, false, out mask, out _);

        private Tensor Evaluate(Tensor yTrue, Tensor yPred, bool fusedMean, out Tensor? mask, out bool reduced)
        {
            reduced = false;
            Tensor Values(Tensor t, Tensor p, out Tensor? m, ref bool r)
            {
                if (fusedMean && FusedMean(t, p) is { } mean)
                {
                    m = null;
                    r = true;
                    return mean;
                }
                return PerSampleMasked(t, p, out m);
            }
            var type = ComputeType;
            var pred = yPred.dtype == type ? yPred : yPred.to_type(type);
            var target = !CastTargets || yTrue.dtype == type ? yTrue : yTrue.to_type(type);
            try
            {
                if (!MatchRanks) return Values(target, pred, out mask, ref reduced);
                var (t, p) = SameRank(target, pred);
                try
                {
                    return Values(t, p, out mask, ref reduced);
                }
                finally
                {
                    if (!ReferenceEquals(t, target)) t.Dispose();
                    if (!ReferenceEquals(p, pred)) p.Dispose();
                }
            }
            finally
            {
                if (!ReferenceEquals(pred, yPred)) pred.Dispose();
                if (!ReferenceEquals(target, yTrue)) target.Dispose();
            }
        }

        /// <summary>
        /// Keras' <c>reduce_weighted_values</c>: the mask folded into the weights (scaled so "mean"/"sum_over_batch_size"
        /// average over the valid values), the weights brought to the values' rank and multiplied in, then reduced.
        /// Takes ownership of <paramref name="values"/>.
        /// </summary>
        internal static Tensor Reduce(Tensor values, Tensor? sampleWeight, Tensor? mask, string reduction)
        {
            Tensor? weight = null;
            try
            {
                if (mask is not null)
                {
                    using var floatMask = mask.to_type(values.dtype);
                    if (reduction is "mean" or "sum_over_batch_size")
                    {
                        using var valid = floatMask.sum();
                        double count = valid.ToDouble(), total = mask.numel();
                        weight = floatMask.mul(count == 0 ? 0 : total / count);
                    }
                    else
                    {
                        weight = floatMask.alias();
                    }
                }
                if (sampleWeight is not null)
                {
                    using var sw = sampleWeight.to(values.dtype, values.device);
                    if (weight is null)
                    {
                        weight = sw.alias();
                    }
                    else
                    {
                        var product = MaskTimesWeights(weight, sw);
                        weight.Dispose();
                        weight = product;
                    }
                }
                if (weight is not null) values = Weighted(values, weight, sampleWeight);
                return ReduceValues(values, weight, reduction);
            }
            finally
            {
                weight?.Dispose();
            }
        }

        private static Tensor Weighted(Tensor values, Tensor weight, Tensor? sampleWeight)
        {
            var (v, w) = SameRank(values, weight);
            try
            {
                var broadcast = OverRows(w, v);
                try
                {
                    if (!Broadcastable(v.shape, broadcast.shape))
                        throw new KerasArgumentException(
                            $"Sample weights of shape [{string.Join(", ", (sampleWeight ?? weight).shape)}] cannot be applied to loss values of shape " +
                            $"[{string.Join(", ", values.shape)}]: give one weight per sample (or one per loss value).", "sample_weight");
                    return v.mul(broadcast);
                }
                finally
                {
                    broadcast.Dispose();
                }
            }
            finally
            {
                if (!ReferenceEquals(v, values)) v.Dispose();
                if (!ReferenceEquals(w, weight)) w.Dispose();
                values.Dispose();
            }
        }

        private static bool Broadcastable(long[] a, long[] b)
        {
            for (int i = 1; i <= Math.Min(a.Length, b.Length); i++)
            {
                long x = a[a.Length - i], y = b[b.Length - i];
                if (x != y && x != 1 && y != 1) return false;
            }
            return true;
        }

        private static Tensor ReduceValues(Tensor values, Tensor? weight, string reduction)
        {
            if (reduction == "none" || values.dim() == 0) return values;
            if (values.numel() == 0)
            {
                var zero = torch.zeros(Array.Empty<long>(), values.dtype, values.device);
                values.Dispose();
                return zero;
            }
            var sum = values.sum();
            if (reduction == "sum")
            {
                values.Dispose();
                return sum;
            }
            double divisor;
            if (reduction == "mean_with_sample_weight" && weight is not null)
            {
                using var total = weight.sum();
                divisor = total.ToDouble();
            }
            else
            {
                divisor = values.numel();
            }
            values.Dispose();
            if (divisor == 0) return sum.zero_(); // Keras' divide_no_nan
            return sum.div_(divisor);
        }

        /// <summary>
        /// One weight per sample on values with more axes (per timestep): <paramref name="weight"/> reshaped so that it
        /// covers its sample's row of <paramref name="like"/>; otherwise the weight itself (an alias). The caller owns the result.
        /// </summary>
        internal static Tensor OverRows(Tensor weight, Tensor like)
        {
            if (weight.dim() == 0 || weight.dim() >= like.dim() || weight.shape[0] != like.shape[0]) return weight.alias();
            var shape = new long[like.dim()];
            for (int i = 0; i < shape.Length; i++) shape[i] = i < weight.dim() ? weight.shape[i] : 1;
            return weight.reshape(shape);
        }

        /// <summary>
        /// Keras' apply_mask with sample weights: the mask's weights times the sample weights, the ranks matched as Keras
        /// matches them and per-sample weights spread over each sample's steps. The caller owns the result.
        /// </summary>
        internal static Tensor MaskTimesWeights(Tensor maskWeight, Tensor sampleWeight)
        {
            var (m, s) = SameRank(maskWeight, sampleWeight);
            try
            {
                using var spread = OverRows(s, m);
                return m.mul(spread);
            }
            finally
            {
                if (!ReferenceEquals(m, maskWeight)) m.Dispose();
                if (!ReferenceEquals(s, sampleWeight)) s.Dispose();
            }
        }

        /// <summary>Keras' <c>squeeze_or_expand_to_same_rank(x1, x2)</c>: a trailing axis of 1 squeezed (or a rank-1 x expanded).</summary>
        internal static (Tensor X1, Tensor X2) SameRank(Tensor x1, Tensor x2, bool expandRank1 = true)
        {
            long r1 = x1.dim(), r2 = x2.dim();
            if (r1 == r2 + 1 && x1.shape[r1 - 1] == 1)
                return r2 == 1 && expandRank1 ? (x1, x2.unsqueeze(-1)) : (x1.squeeze(-1), x2);
            if (r2 == r1 + 1 && x2.shape[r2 - 1] == 1)
                return r1 == 1 && expandRank1 ? (x1.unsqueeze(-1), x2) : (x1, x2.squeeze(-1));
            return (x1, x2);
        }

        /// <summary>Clipping bound (Keras' backend epsilon) for probabilities.</summary>
        protected static double Eps => Config.Epsilon();

        /// <summary>Keras' <c>get_config()</c>: name and reduction (each class adds its own arguments).</summary>
        public virtual JsonObject GetConfig() => new JsonObject
        {
            ["name"] = Name,
            ["reduction"] = _reductionIsNull ? null : Reduction,
        };

        /// <summary>The name, reduction and dtype every loss config may carry, read for a class' FromConfig.</summary>
        internal readonly struct CommonArguments
        {
            internal CommonArguments(ConfigReader c, string defaultName)
            {
                Name = c.String("name", defaultName);
                Reduction = c.Config.ContainsKey("reduction") && c.Raw("reduction") is null ? null : c.String("reduction", "sum_over_batch_size");
                Dtype = c.Raw("dtype") switch
                {
                    null => null,
                    JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => Keras.DTypePolicy.Parse((string)v!).Compute,
                    JsonObject o when (string?)o["config"]?["name"] is { } policy => Keras.DTypePolicy.Parse(policy).Compute,
                    _ => throw c.Error("dtype", "a dtype name or a DTypePolicy"),
                };
            }

            internal string Name { get; }
            internal string? Reduction { get; }
            internal string? Dtype { get; }
        }

        /// <summary>
        /// <c>keras.losses.get(identifier)</c>: a class name ("MeanSquaredError") makes the class with its defaults; a
        /// function name or alias ("mse", "mean_squared_error", "huber") makes the class that wraps that function, named
        /// after the function (Keras' LossFunctionWrapper takes the function's name).
        /// </summary>
        public static Loss Get(string identifier)
        {
            var table = Shared.KerasIdentifiers.Losses;
            string target = table.Resolve(identifier) ?? throw new KerasArgumentException(table.UnknownMessage(identifier ?? "None"));
            return FromName(target) ?? throw new KerasArgumentException(table.UnknownMessage(identifier));
        }

        /// <summary>The loss a Keras class or function name stands for (a function's loss is named after the function), or null.</summary>
        internal static Loss? FromName(string target)
        {
            var entry = KerasCatalog.Find(typeof(Loss), target);
            if (entry?.FromConfig == null) return null;
            bool function = char.IsLower(target[0]);
            var reader = new ConfigReader(function ? new JsonObject { ["name"] = target } : new JsonObject(), entry.ClassName, "keras.losses.get") { Kind = "loss" };
            var loss = (Loss)entry.FromConfig(reader);
            reader.Finish();
            return loss;
        }
    }
}

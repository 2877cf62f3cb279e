using System;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.MeanMetricWrapper(fn)</c>: the running weighted mean (as <see cref="Mean"/>) of the per-sample values
    /// of a function of (y_true, y_pred). The built-in wrappers (MeanSquaredError, BinaryAccuracy, ...) override
    /// <see cref="Values"/>; a saved wrapper's <c>fn</c> names a Keras loss or metric function.
    /// </summary>
    [KerasClass("MeanMetricWrapper")]
    public class MeanMetricWrapper : Mean
    {
        private readonly Func<Tensor, Tensor, Tensor>? _fn;
        private readonly string? _fnName;

        /// <summary>Wraps <paramref name="fn"/> (per-sample values of a batch; the caller's tensors stay the caller's).</summary>
        public MeanMetricWrapper(Func<Tensor, Tensor, Tensor> fn, string name = "mean_metric_wrapper", string? dtype = null) : base(name, dtype) =>
            _fn = fn ?? throw new KerasArgumentException("MeanMetricWrapper needs a function of (y_true, y_pred).", nameof(fn));

        /// <summary>For the built-in wrappers, which override <see cref="Values"/>.</summary>
        protected MeanMetricWrapper(string name, string? dtype) : base(name, dtype) { }

        private MeanMetricWrapper(string fnName, Func<Tensor, Tensor, Tensor> fn, string name, string? dtype) : base(name, dtype)
        {
            _fn = fn;
            _fnName = fnName;
        }

        /// <summary>The per-sample values of one batch.</summary>
        protected virtual Tensor Values(Tensor yTrue, Tensor yPred) =>
            _fn?.Invoke(yTrue, yPred) ?? throw new InvalidOperationException("MeanMetricWrapper has no function.");

        /// <inheritdoc />
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) => Accumulate(Values(yTrue, yPred), sampleWeight);

        /// <summary>
        /// Keras' MeanMetricWrapper.update_state with a mask: apply_mask(sample_weight, mask, reduction="sum"), that is the
        /// mask (times the sample weights) weights the values, unscaled.
        /// </summary>
        private protected override void UpdateMasked(Tensor yTrue, Tensor yPred, Tensor? sampleWeight, Tensor mask)
        {
            var values = Values(yTrue, yPred);
            var weight = mask.to_type(values.dtype);
            if (sampleWeight is not null) weight = Losses.Loss.MaskTimesWeights(weight, sampleWeight.to(values.dtype, values.device));
            Accumulate(values, weight);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            if (GetType() == typeof(MeanMetricWrapper))
            {
                if (_fnName == null)
                    throw new KerasTypeException($"The metric '{Name}' wraps a .NET function, which cannot be saved in a Keras config.");
                c["fn"] = new JsonObject { ["module"] = "builtins", ["class_name"] = "function", ["config"] = _fnName, ["registered_name"] = "function" };
            }
            return c;
        }

        internal static new MeanMetricWrapper FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "mean_metric_wrapper");
            string fnName = c.Raw("fn") switch
            {
                JsonValue v when v.GetValueKind() == JsonValueKind.String => (string)v!,
                JsonObject o when (string?)o["config"] is { } name => name,
                _ => throw c.Error("fn", "the name of a Keras loss or metric function"),
            };
            var fn = Function(fnName) ?? throw new KerasTypeException($"Could not locate function '{fnName}' for the metric '{a.Name}'.");
            return new MeanMetricWrapper(fnName, fn, a.Name, a.Dtype);
        }

        /// <summary>A Keras metric or loss function by name (the per-sample values of the loss of that name; accuracy functions).</summary>
        internal static Func<Tensor, Tensor, Tensor>? Function(string name)
        {
            switch (name)
            {
                case "accuracy": return Accuracy.Compute;
                case "binary_accuracy": return (t, p) => BinaryAccuracy.Compute(t, p, 0.5);
                case "categorical_accuracy": return CategoricalAccuracy.Compute;
                case "sparse_categorical_accuracy": return SparseCategoricalAccuracy.Compute;
                case "top_k_categorical_accuracy": return (t, p) => { using var labels = t.argmax(-1); return SparseTopKCategoricalAccuracy.Compute(labels, p, 5); };
                case "sparse_top_k_categorical_accuracy": return (t, p) => SparseTopKCategoricalAccuracy.Compute(t, p, 5);
            }
            string? target = Shared.KerasIdentifiers.Losses.Resolve(name);
            if (target == null || !char.IsLower(target[0])) return null;
            var loss = Losses.Loss.FromName(target);
            if (loss == null) return null;
            return (t, p) => loss.Unreduced(t, p, out var mask).DisposeMaskAndReturn(mask);
        }
    }

    internal static class TensorMaskExtensions
    {
        internal static Tensor DisposeMaskAndReturn(this Tensor values, Tensor? mask)
        {
            mask?.Dispose();
            return values;
        }
    }
}

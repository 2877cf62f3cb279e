using System;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.Metric</c>: state accumulated over the batches of an epoch by <see cref="UpdateState(Tensor, Tensor, Tensor)"/>,
    /// read by <see cref="Result"/> and cleared by <see cref="ResetState"/> (Fit and Evaluate reset every metric at the
    /// start of each epoch and evaluation). The state lives on the host in float64; each update reduces its batch on the
    /// batch's device and adds the few sums it keeps.
    /// </summary>
    [KerasKind("keras.metrics", "metric")]
    public abstract class Metric : IKerasConfigurable
    {
        /// <summary>Creates the metric.</summary>
        protected Metric(string name, string? dtype = null)
        {
            Name = name ?? throw new KerasArgumentException("A metric needs a name.", nameof(name));
            Dtype = dtype ?? "float32";
        }

        /// <summary>The key used in logs and History (Compile renames a metric given by string to that string).</summary>
        public string Name { get; internal set; }

        /// <summary>The metric's dtype (float32 unless given).</summary>
        public string Dtype { get; }

        /// <summary>"up" when larger is better (accuracy), "down" otherwise (errors); EarlyStopping's mode="auto" uses it.</summary>
        public virtual string Direction => "down";

        /// <summary>Accumulates one batch.</summary>
        public void UpdateState(Tensor yTrue, Tensor yPred) => UpdateState(yTrue, yPred, null);

        /// <summary>Keras' <c>update_state(y_true, y_pred, sample_weight)</c>: accumulates one batch.</summary>
        public void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) => UpdateState(yTrue, yPred, sampleWeight, null);

        /// <summary>
        /// Accumulates one batch whose predictions carry Keras' mask <paramref name="mask"/> (the output mask of a masked
        /// model, e.g. (batch, time)); metrics that Keras masks (the mean-wrapped ones) skip the masked values, the others
        /// ignore the mask, as in Keras.
        /// </summary>
        public void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight, Tensor? mask)
        {
            using var _ = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            if (mask is null) Update(yTrue, yPred, sampleWeight);
            else UpdateMasked(yTrue, yPred, sampleWeight, mask);
        }

        /// <summary>An update with the predictions' mask; by default the mask is ignored (Keras' confusion-matrix metrics do).</summary>
        private protected virtual void UpdateMasked(Tensor yTrue, Tensor yPred, Tensor? sampleWeight, Tensor mask) => Update(yTrue, yPred, sampleWeight);

        /// <summary>One batch's update (runs without gradients, inside a dispose scope: temporaries need no disposal).</summary>
        protected abstract void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight);

        /// <summary>The value so far (a scalar metric); metrics with several values return the first (see <see cref="Results"/>).</summary>
        public double Result()
        {
            var values = Results();
            return values.Length == 0 ? 0 : values[0];
        }

        /// <summary>Every value of the result (one for most metrics; one per threshold or class where Keras returns a vector).</summary>
        public abstract double[] Results();

        /// <summary>Starts over (every epoch).</summary>
        public abstract void ResetState();

        /// <summary>Keras' <c>get_config()</c>: name and dtype, then each class' arguments.</summary>
        public virtual JsonObject GetConfig() => new JsonObject { ["name"] = Name, ["dtype"] = Dtype };

        /// <summary>The tensor in a float dtype (float32 unless it is float64).</summary>
        private protected Tensor AsFloat(Tensor x) => x.dtype == ScalarType.Float32 || x.dtype == ScalarType.Float64 ? x : x.to_type(ScalarType.Float32);

        /// <summary>A float64 copy of a small tensor on the host.</summary>
        private protected static double[] Host(Tensor t)
        {
            using var d = t.to_type(ScalarType.Float64).cpu();
            return d.data<double>().ToArray();
        }

        /// <summary>Keras' divide_no_nan.</summary>
        private protected static double DivideNoNan(double a, double b) => b == 0 ? 0 : a / b;

        /// <summary>The name, dtype read for a class' FromConfig.</summary>
        internal readonly struct CommonArguments
        {
            internal CommonArguments(ConfigReader c, string defaultName)
            {
                Name = c.String("name", defaultName);
                Dtype = c.Raw("dtype") switch
                {
                    null => null,
                    JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => Keras.DTypePolicy.Parse((string)v!).Compute,
                    JsonObject o when (string?)o["config"]?["name"] is { } policy => Keras.DTypePolicy.Parse(policy).Compute,
                    _ => throw c.Error("dtype", "a dtype name or a DTypePolicy"),
                };
            }

            internal string Name { get; }
            internal string? Dtype { get; }
        }

        /// <summary>
        /// Resolves a metric name given to Compile (Keras' <c>keras.metrics.get</c>: class names, their snake_case and
        /// Keras' aliases); the metric is named after the string as Compile names it. "accuracy"/"acc" become an
        /// <see cref="Accuracy"/> that picks binary, sparse or categorical accuracy from the first batch's shapes, as
        /// Keras' compile does.
        /// </summary>
        public static Metric Get(string identifier)
        {
            var table = Shared.KerasIdentifiers.Metrics;
            if (identifier != null && identifier.ToLowerInvariant() is "accuracy" or "acc") return new CompileAccuracy(identifier);
            string target = table.Resolve(identifier) ?? throw new KerasArgumentException(table.UnknownMessage(identifier ?? "None"));
            Metric metric;
            try
            {
                metric = FromClassName(target) ?? throw new KerasArgumentException(table.UnknownMessage(identifier!));
            }
            catch (KerasConfigException e) when (e.Key != null)
            {
                // Keras' TypeError: the class resolves, but cannot be made from its name alone.
                throw new KerasTypeException(
                    $"{target}.__init__() missing required argument: '{e.Key}'. Create the metric in C# (new {target}(...)) and pass the " +
                    "object to Compile.", e);
            }
            metric.Name = identifier!;
            return metric;
        }

        /// <summary>The metric class Keras calls <paramref name="className"/> with its defaults, or null.</summary>
        internal static Metric? FromClassName(string className)
        {
            var entry = KerasCatalog.Find(typeof(Metric), className);
            if (entry?.FromConfig == null) return null;
            var reader = new ConfigReader(new JsonObject(), entry.ClassName, "keras.metrics.get") { Kind = "metric" };
            var metric = (Metric)entry.FromConfig(reader);
            reader.Finish();
            return metric;
        }
    }
}

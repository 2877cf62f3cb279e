using System;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.Metric</c>: a running value over the batches of an epoch.</summary>
    public abstract class Metric
    {
        private double _total;
        private double _count;

        /// <summary>Creates the metric.</summary>
        protected Metric(string name) => Name = name;

        /// <summary>The key used in logs and History.</summary>
        public string Name { get; }

        /// <summary>"up" when larger is better (accuracy), "down" otherwise (errors); EarlyStopping's mode="auto" uses it.</summary>
        public virtual string Direction => "down";

        /// <summary>Per-sample values for one batch.</summary>
        protected abstract Tensor Values(Tensor yTrue, Tensor yPred);

        /// <summary>Accumulates one batch.</summary>
        public void UpdateState(Tensor yTrue, Tensor yPred)
        {
            using var _ = torch.no_grad();
            using var values = Values(yTrue, yPred);
            using var asDouble = values.to_type(ScalarType.Float64);
            using var sum = asDouble.sum();
            _total += sum.item<double>();
            _count += values.numel();
        }

        /// <summary>Adds a value with a weight (the loss tracker adds each batch's mean loss weighted by its size).</summary>
        internal void UpdateState(double value, double weight)
        {
            _total += value * weight;
            _count += weight;
        }

        /// <summary>The mean so far (0 before any update, as Keras' divide_no_nan).</summary>
        public double Result() => _count == 0 ? 0 : _total / _count;

        /// <summary>Starts over (every epoch).</summary>
        public void ResetState()
        {
            _total = 0;
            _count = 0;
        }

        /// <summary>Resolves a metric name given to Compile; "accuracy" is resolved against the loss and output shape later.</summary>
        /// <remarks>Names resolve through the shared table KERAS301 checks against; a name given as a string is the metric's log name.</remarks>
        public static Metric Get(string identifier) => Shared.KerasIdentifiers.Metrics.Resolve(identifier) switch
        {
            "accuracy" => new Accuracy(identifier),
            "BinaryAccuracy" => new BinaryAccuracy(),
            "CategoricalAccuracy" => new CategoricalAccuracy(),
            "SparseCategoricalAccuracy" => new SparseCategoricalAccuracy(),
            "MeanAbsoluteError" => identifier == "MeanAbsoluteError" ? new MeanAbsoluteError() : new MeanAbsoluteError(identifier),
            "MeanSquaredError" => identifier == "MeanSquaredError" ? new MeanSquaredError() : new MeanSquaredError(identifier),
            _ => throw new KerasArgumentException(Shared.KerasIdentifiers.Metrics.UnknownMessage(identifier ?? "None")),
        };
    }

    /// <summary>The running mean of a scalar (the "loss" entry of the logs).</summary>
    public sealed class Mean : Metric
    {
        /// <summary>Creates the metric.</summary>
        public Mean(string name) : base(name) { }

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => yPred.alias();
    }

    /// <summary>
    /// "accuracy" as Keras resolves it at compile time: binary accuracy for one output unit, categorical accuracy for
    /// one-hot targets, sparse categorical accuracy for integer labels.
    /// </summary>
    public sealed class Accuracy : Metric
    {
        /// <summary>Creates the metric.</summary>
        public Accuracy(string name = "accuracy") : base(name) { }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred)
        {
            long classes = yPred.shape[yPred.dim() - 1];
            if (classes == 1) return BinaryAccuracy.Compute(yTrue, yPred, 0.5);
            bool oneHot = yTrue.dim() == yPred.dim() && yTrue.shape[yTrue.dim() - 1] == classes;
            return oneHot ? CategoricalAccuracy.Compute(yTrue, yPred) : SparseCategoricalAccuracy.Compute(yTrue, yPred);
        }
    }

    /// <summary><c>keras.metrics.BinaryAccuracy(threshold=0.5)</c>.</summary>
    public sealed class BinaryAccuracy : Metric
    {
        /// <summary>Creates the metric.</summary>
        public BinaryAccuracy(string name = "binary_accuracy", double threshold = 0.5) : base(name) => Threshold = threshold;

        /// <summary>The threshold.</summary>
        public double Threshold { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred, Threshold);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred, double threshold)
        {
            using var above = yPred.gt(threshold);
            using var predicted = above.to_type(ScalarType.Float32);
            using var targetValues = yTrue.to_type(ScalarType.Float32);
            using var target = targetValues.reshape(predicted.shape);
            using var same = predicted.eq(target);
            using var equal = same.to_type(ScalarType.Float32);
            return equal.mean(new long[] { -1 });
        }
    }

    /// <summary><c>keras.metrics.CategoricalAccuracy</c> (one-hot targets).</summary>
    public sealed class CategoricalAccuracy : Metric
    {
        /// <summary>Creates the metric.</summary>
        public CategoricalAccuracy(string name = "categorical_accuracy") : base(name) { }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var predicted = yPred.argmax(-1);
            using var target = yTrue.argmax(-1);
            using var same = predicted.eq(target);
            return same.to_type(ScalarType.Float32);
        }
    }

    /// <summary><c>keras.metrics.SparseCategoricalAccuracy</c> (integer labels).</summary>
    public sealed class SparseCategoricalAccuracy : Metric
    {
        /// <summary>Creates the metric.</summary>
        public SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : base(name) { }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred);

        internal static Tensor Compute(Tensor yTrue, Tensor yPred)
        {
            using var predicted = yPred.argmax(-1);
            using var labels = Losses.SparseCategoricalCrossentropy.Labels(yTrue, yPred);
            using var same = predicted.eq(labels);
            return same.to_type(ScalarType.Float32);
        }
    }

    /// <summary><c>keras.metrics.MeanAbsoluteError</c>: the mean of the loss of the same name's per-sample values.</summary>
    public sealed class MeanAbsoluteError : Metric
    {
        private readonly Losses.Loss _perSample = new Losses.MeanAbsoluteError(reduction: "none");

        /// <summary>Creates the metric.</summary>
        public MeanAbsoluteError(string name = "mean_absolute_error") : base(name) { }

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => _perSample.Call(yTrue, yPred);
    }

    /// <summary><c>keras.metrics.MeanSquaredError</c>: the mean of the loss of the same name's per-sample values.</summary>
    public sealed class MeanSquaredError : Metric
    {
        private readonly Losses.Loss _perSample = new Losses.MeanSquaredError(reduction: "none");

        /// <summary>Creates the metric.</summary>
        public MeanSquaredError(string name = "mean_squared_error") : base(name) { }

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => _perSample.Call(yTrue, yPred);
    }
}

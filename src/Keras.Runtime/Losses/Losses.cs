using System;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.Loss</c>: per-sample values reduced with Keras' "sum_over_batch_size" (sum of the per-sample
    /// losses divided by their number), the default, or "sum" / "none".
    /// </summary>
    public abstract class Loss
    {
        /// <summary>Creates the loss.</summary>
        protected Loss(string name, string reduction)
        {
            if (reduction is not ("sum_over_batch_size" or "sum" or "mean" or "none"))
                throw new KerasArgumentException(
                    "Invalid value for argument `reduction`. Expected one of {'sum_over_batch_size', 'sum', 'mean', 'none'}. Received: reduction=" + reduction,
                    nameof(reduction));
            Name = name;
            Reduction = reduction;
        }

        /// <summary>The loss name used in logs' metric names.</summary>
        public string Name { get; }

        /// <summary>The reduction.</summary>
        public string Reduction { get; }

        /// <summary>Per-sample losses (the last axis reduced), shape (batch,) for the usual inputs.</summary>
        protected abstract Tensor PerSample(Tensor yTrue, Tensor yPred);

        /// <summary>Computes the reduced loss (Keras' <c>loss(y_true, y_pred)</c>).</summary>
        public Tensor Call(Tensor yTrue, Tensor yPred)
        {
            var values = PerSample(yTrue, yPred);
            switch (Reduction)
            {
                case "none": return values;
                case "sum":
                {
                    var sum = values.sum();
                    values.Dispose();
                    return sum;
                }
                default:
                {
                    var mean = values.numel() == 0 ? torch.zeros(Array.Empty<long>(), values.dtype, values.device) : values.mean();
                    values.Dispose();
                    return mean;
                }
            }
        }

        /// <summary>Clipping bound (Keras' backend epsilon) for probabilities.</summary>
        protected static double Eps => Config.Epsilon();

        /// <summary><c>keras.losses.get(identifier)</c> for the names this runtime knows.</summary>
        /// <remarks>Names (with Keras' aliases such as "mse", "bce") resolve through the shared table KERAS301 checks against.</remarks>
        public static Loss Get(string identifier) => Shared.KerasIdentifiers.Losses.Resolve(identifier) switch
        {
            "mean_squared_error" or "MeanSquaredError" => new MeanSquaredError(),
            "mean_absolute_error" or "MeanAbsoluteError" => new MeanAbsoluteError(),
            "binary_crossentropy" or "BinaryCrossentropy" => new BinaryCrossentropy(),
            "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropy(),
            "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(),
            _ => throw new KerasArgumentException(Shared.KerasIdentifiers.Losses.UnknownMessage(identifier ?? "None")),
        };
    }

    /// <summary><c>keras.losses.MeanSquaredError</c>: mean over the last axis of (y_true - y_pred)².</summary>
    public sealed class MeanSquaredError : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanSquaredError(string reduction = "sum_over_batch_size", string name = "mean_squared_error") : base(name, reduction) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var target = yTrue.to_type(yPred.dtype);
            using var diff = yPred.sub(target);
            using var square = diff.square();
            return square.mean(new long[] { -1 });
        }
    }

    /// <summary><c>keras.losses.MeanAbsoluteError</c>: mean over the last axis of |y_true - y_pred|.</summary>
    public sealed class MeanAbsoluteError : Loss
    {
        /// <summary>Creates the loss.</summary>
        public MeanAbsoluteError(string reduction = "sum_over_batch_size", string name = "mean_absolute_error") : base(name, reduction) { }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var target = yTrue.to_type(yPred.dtype);
            using var diff = yPred.sub(target);
            using var abs = diff.abs();
            return abs.mean(new long[] { -1 });
        }
    }

    /// <summary><c>keras.losses.BinaryCrossentropy(from_logits=False)</c>.</summary>
    public sealed class BinaryCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public BinaryCrossentropy(bool fromLogits = false, string reduction = "sum_over_batch_size", string name = "binary_crossentropy")
            : base(name, reduction) => FromLogits = fromLogits;

        /// <summary>Whether predictions are logits.</summary>
        public bool FromLogits { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var target = yTrue.to_type(yPred.dtype);
            using var elementwise = FromLogits
                ? nn.functional.binary_cross_entropy_with_logits(yPred, target, reduction: nn.Reduction.None)
                : Clipped(yPred, target);
            return elementwise.mean(new long[] { -1 });
        }

        private static Tensor Clipped(Tensor yPred, Tensor target)
        {
            using var p = yPred.clamp(Eps, 1 - Eps);
            using var logP = p.log();
            using var oneMinusP = p.neg().add_(1).log_();
            using var oneMinusT = target.neg().add_(1);
            using var a = target.mul(logP);
            using var b = oneMinusT.mul(oneMinusP);
            var sum = a.add(b); // a new tensor: the caller owns it
            return sum.neg_();
        }
    }

    /// <summary><c>keras.losses.CategoricalCrossentropy(from_logits=False)</c> on one-hot targets.</summary>
    public sealed class CategoricalCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CategoricalCrossentropy(bool fromLogits = false, string reduction = "sum_over_batch_size", string name = "categorical_crossentropy")
            : base(name, reduction) => FromLogits = fromLogits;

        /// <summary>Whether predictions are logits.</summary>
        public bool FromLogits { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var target = yTrue.to_type(yPred.dtype);
            using var logP = LogProbabilities(yPred, FromLogits);
            using var product = target.mul(logP);
            return product.sum(new long[] { -1 }).neg_();
        }

        /// <summary>log-probabilities as Keras computes them: log_softmax for logits; normalise then clip otherwise.</summary>
        internal static Tensor LogProbabilities(Tensor yPred, bool fromLogits)
        {
            if (fromLogits) return yPred.log_softmax(-1);
            using var total = yPred.sum(new long[] { -1 }, keepdim: true);
            using var normalised = yPred.div(total);
            using var clipped = normalised.clamp(Eps, 1 - Eps);
            return clipped.log();
        }
    }

    /// <summary><c>keras.losses.SparseCategoricalCrossentropy(from_logits=False)</c> on integer labels.</summary>
    public sealed class SparseCategoricalCrossentropy : Loss
    {
        /// <summary>Creates the loss.</summary>
        public SparseCategoricalCrossentropy(bool fromLogits = false, string reduction = "sum_over_batch_size", string name = "sparse_categorical_crossentropy")
            : base(name, reduction) => FromLogits = fromLogits;

        /// <summary>Whether predictions are logits.</summary>
        public bool FromLogits { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var labels = Labels(yTrue, yPred);
            if (FromLogits && yPred.dim() == 2)
                return nn.functional.cross_entropy(yPred, labels, reduction: nn.Reduction.None); // fused log_softmax + nll
            using var logP = CategoricalCrossentropy.LogProbabilities(yPred, FromLogits);
            using var index = labels.unsqueeze(-1);
            using var picked = logP.gather(-1, index);
            return picked.squeeze(-1).neg_();
        }

        /// <summary>Integer labels shaped like the predictions without their last axis.</summary>
        internal static Tensor Labels(Tensor yTrue, Tensor yPred)
        {
            var labels = yTrue.dtype == ScalarType.Int64 ? yTrue.alias() : yTrue.to_type(ScalarType.Int64);
            if (labels.dim() == yPred.dim() && labels.shape[labels.dim() - 1] == 1)
            {
                var squeezed = labels.squeeze(-1);
                labels.Dispose();
                return squeezed;
            }
            return labels;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>
    /// The argument and data checks of Fit, Evaluate and Predict: bad values get an error saying what and what to do,
    /// never a hang, an empty loop that reports zeros, or a native error with C++ frames.
    /// </summary>
    internal static class InputChecks
    {
        /// <summary>batch_size must be positive (Keras would loop forever or fail deep in its data adapter).</summary>
        internal static void BatchSize(int? batchSize)
        {
            if (batchSize is int b && Shared.KerasArgumentRules.BatchSize.Problem(b) is { } problem)
                throw new KerasArgumentException(problem, "batchSize");
        }

        /// <summary>steps_per_epoch / steps must be positive when given.</summary>
        internal static void Steps(int? steps, string name)
        {
            if (steps is int s && Shared.KerasArgumentRules.StepsPerEpoch.Problem(s, name) is { } problem)
                throw new KerasArgumentException(problem, name);
        }

        /// <summary>validation_split is a fraction in [0, 1): NaN and infinities are not.</summary>
        internal static void ValidationSplit(double split)
        {
            if (Shared.KerasArgumentRules.ValidationSplit.Problem(split) is { } problem)
                throw new KerasArgumentException(problem, "validationSplit");
        }

        /// <summary>epochs and initial_epoch are not negative.</summary>
        internal static void Epochs(int epochs, int initialEpoch)
        {
            if (Shared.KerasArgumentRules.Epochs.Problem(epochs) is { } epochsProblem) throw new KerasArgumentException(epochsProblem, "epochs");
            if (Shared.KerasArgumentRules.InitialEpoch.Problem(initialEpoch) is { } initialProblem) throw new KerasArgumentException(initialProblem, "initialEpoch");
        }

        /// <summary>There is something to compute on: at least one sample.</summary>
        internal static void NotEmpty(long samples, string api)
        {
            if (samples == 0)
                throw new KerasArgumentException(
                    $"{api} received 0 samples: there is nothing to {(api == "Predict" ? "predict" : api == "Fit" ? "train on" : "measure")}. " +
                    "Pass at least one sample (check the data loading and any filtering before this call).");
        }

        /// <summary>
        /// Rewrites a failure of the loss (or a metric) on one batch into an error that names the loss, the batch, the
        /// shapes and dtypes, and what to do; the native message is kept without its C++ frames.
        /// </summary>
        internal static Exception LossFailure(Exception e, string what, int batch, Tensor yTrue, Tensor yPred)
        {
            if (e is IKerasException) return e;
            string native = FirstLine(e.Message);
            string hint = DescribeMismatch(yTrue, yPred);
            return new KerasArgumentException(
                $"{what} failed on batch {batch}: y_true has shape {Shape(yTrue)} and dtype {Interop.Dtypes.FromScalarType(yTrue.dtype)}, y_pred (the " +
                $"model's output) has shape {Shape(yPred)} and dtype {Interop.Dtypes.FromScalarType(yPred.dtype)}. {hint}TorchSharp reported: {native}", e);
        }

        private static string DescribeMismatch(Tensor yTrue, Tensor yPred)
        {
            bool integerLabels = !Interop.Dtypes.IsFloating(yTrue.dtype);
            long classes = yPred.dim() > 0 ? yPred.shape[yPred.dim() - 1] : 1;
            if (integerLabels && yTrue.numel() > 0 && yTrue.device_type == TorchSharp.DeviceType.CPU)
            {
                using var min = yTrue.min();
                using var max = yTrue.max();
                long lo = min.to_type(ScalarType.Int64).item<long>(), hi = max.to_type(ScalarType.Int64).item<long>();
                if (lo < 0 || hi >= classes)
                    return $"Integer labels must be class indices in [0, {classes}) for a model with {classes} outputs, but this batch has labels from " +
                           $"{lo} to {hi}: check the labels, or give the last layer as many units as there are classes. ";
            }
            if (yTrue.dim() > 0 && yPred.dim() > 0 && yTrue.shape[0] != yPred.shape[0])
                return "The batch sizes differ: pass as many targets as inputs. ";
            if (!integerLabels && yTrue.dim() == yPred.dim() && !yTrue.shape.SequenceEqual(yPred.shape))
                return "The targets' shape must match the model's output (one-hot targets need as many columns as the last layer has units; for " +
                       "integer class labels use sparse_categorical_crossentropy). ";
            if (yTrue.dim() != yPred.dim())
                return $"The targets have rank {yTrue.dim()} and the outputs rank {yPred.dim()}: reshape the targets to the model's output. ";
            return "";
        }

        private static string Shape(Tensor t) => "(" + string.Join(", ", t.shape) + (t.dim() == 1 ? ",)" : ")");

        internal static string FirstLine(string message)
        {
            int end = message.IndexOfAny(new[] { '\n', '\r' });
            string first = end >= 0 ? message.Substring(0, end) : message;
            // LibTorch appends the C++ source location: "... (check_foo at /path/to/file.cpp:123)".
            int cpp = first.IndexOf(" (", StringComparison.Ordinal);
            return cpp > 0 && first.EndsWith(")", StringComparison.Ordinal) && first.IndexOf(".cpp", cpp, StringComparison.Ordinal) > 0
                ? first.Substring(0, cpp)
                : first;
        }
    }
}

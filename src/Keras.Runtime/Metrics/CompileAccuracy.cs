using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// "accuracy" / "acc" given to Compile: Keras' compile picks, from the targets' and predictions' shapes, binary accuracy
    /// (one prediction per sample), sparse categorical accuracy (integer labels: y_true of lower rank, or a last axis of 1
    /// against several classes) or categorical accuracy (one-hot targets). It is saved as the string it was given.
    /// </summary>
    internal sealed class CompileAccuracy : MeanMetricWrapper
    {
        internal CompileAccuracy(string name) : base(name, null) { }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred)
        {
            long predLast = yPred.shape[yPred.dim() - 1], trueLast = yTrue.dim() == 0 ? 1 : yTrue.shape[yTrue.dim() - 1];
            if (predLast == 1) return BinaryAccuracy.Compute(yTrue, yPred, 0.5);
            bool sparse = yTrue.dim() < yPred.dim() || (trueLast == 1 && predLast > 1);
            return sparse ? SparseCategoricalAccuracy.Compute(yTrue, yPred) : CategoricalAccuracy.Compute(yTrue, yPred);
        }
    }
}

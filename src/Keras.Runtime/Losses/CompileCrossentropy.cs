using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// "crossentropy" / "ce" given to Compile (Keras' compile_utils.get_loss): binary cross-entropy for one prediction
    /// per sample, sparse categorical cross-entropy for integer labels (y_true of lower rank, or a last axis of 1
    /// against several classes), categorical cross-entropy otherwise; chosen from each batch's shapes and named after
    /// the string given. It is saved as that string.
    /// </summary>
    internal sealed class CompileCrossentropy : Loss
    {
        private readonly BinaryCrossentropy _binary = new BinaryCrossentropy();
        private readonly SparseCategoricalCrossentropy _sparse = new SparseCategoricalCrossentropy();
        private readonly CategoricalCrossentropy _categorical = new CategoricalCrossentropy();

        internal CompileCrossentropy(string name) : base(name, "sum_over_batch_size") { }

        /// <inheritdoc />
        protected override bool MatchRanks => false;

        /// <inheritdoc />
        protected override bool CastTargets => false;

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Pick(yTrue, yPred).Unreduced(yTrue, yPred, out _);

        private Loss Pick(Tensor yTrue, Tensor yPred)
        {
            long predLast = yPred.shape[yPred.dim() - 1], trueLast = yTrue.dim() == 0 ? 1 : yTrue.shape[yTrue.dim() - 1];
            if (predLast == 1) return _binary;
            return yTrue.dim() < yPred.dim() || (trueLast == 1 && predLast > 1) ? _sparse : _categorical;
        }

        /// <summary>Compile's loss names: "crossentropy"/"ce" (any case) resolved by shapes, else <see cref="Loss.Get"/>.</summary>
        internal static Loss ForCompile(string identifier) =>
            identifier?.ToLowerInvariant() is "crossentropy" or "ce" ? new CompileCrossentropy(identifier) : Get(identifier!);
    }
}

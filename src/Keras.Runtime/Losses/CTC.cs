using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.CTC()</c>: the connectionist temporal classification loss per sample. y_true: integer labels
    /// (batch, max_length) padded with 0, which is also the blank class; y_pred: logits (batch, time, classes). Every
    /// sample uses all time steps; its label length is the number of non-zero labels.
    /// </summary>
    [KerasClass("CTC", "ctc")]
    public sealed class CTC : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CTC(string? reduction = "sum_over_batch_size", string name = "ctc", string? dtype = null) : base(name, reduction, dtype) { }

        /// <inheritdoc />
        protected override bool CastTargets => false;

        /// <inheritdoc />
        protected override bool MatchRanks => false;

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            if (yTrue.dim() != 2)
                throw new KerasArgumentException(
                    "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in integer format. " +
                    $"Received: y_true.shape=({string.Join(", ", yTrue.shape)})");
            if (yPred.dim() != 3)
                throw new KerasArgumentException(
                    "Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, num_classes)`. " +
                    $"Received: y_pred.shape=({string.Join(", ", yPred.shape)})");
            long batch = yPred.shape[0], time = yPred.shape[1];
            using var labels = yTrue.to_type(ScalarType.Int64);
            using var nonBlank = labels.ne(0);
            using var labelLengths = nonBlank.sum(new long[] { -1 }, type: ScalarType.Int64);
            using var inputLengths = torch.full(new[] { batch }, time, ScalarType.Int64, device: yPred.device);
            using var timeFirst = yPred.transpose(0, 1);
            using var logProbabilities = timeFirst.log_softmax(-1);
            return nn.functional.ctc_loss(logProbabilities, labels, inputLengths, labelLengths, blank: 0, reduction: nn.Reduction.None);
        }

        internal static CTC FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "ctc");
            return new CTC(a.Reduction, a.Name, a.Dtype);
        }
    }
}

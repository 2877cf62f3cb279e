using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.CosineSimilarity(axis=-1)</c>: minus the cosine similarity of y_true and y_pred along
    /// <see cref="Axis"/>, each L2-normalized first (Keras' normalize: x / sqrt(max(sum x², 1e-12))).
    /// </summary>
    [KerasClass("CosineSimilarity", "cosine_similarity")]
    public sealed class CosineSimilarity : Loss
    {
        /// <summary>Creates the loss.</summary>
        public CosineSimilarity(int axis = -1, string? reduction = "sum_over_batch_size", string name = "cosine_similarity", string? dtype = null)
            : base(name, reduction, dtype) => Axis = axis;

        /// <summary>The axis the similarity is computed along.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => Compute(yTrue, yPred, Axis).neg_();

        /// <summary>The cosine similarity (not negated) along <paramref name="axis"/>.</summary>
        internal static Tensor Compute(Tensor yTrue, Tensor yPred, int axis)
        {
            using var t = Normalize(yTrue, axis);
            using var p = Normalize(yPred, axis);
            using var product = t.mul(p);
            return product.sum(new long[] { axis });
        }

        /// <summary>Keras' <c>normalize(x, axis, order=2)</c>: x divided by its L2 norm, the squared norm floored at 1e-12.</summary>
        internal static Tensor Normalize(Tensor x, int axis)
        {
            using var squares = x.square();
            using var sum = squares.sum(new long[] { axis }, keepdim: true);
            using var inverse = sum.clamp_min_(1e-12).rsqrt_();
            return x.mul(inverse);
        }

        // Keras' CosineSimilarity.get_config writes only name and reduction: the axis is not saved.

        internal static CosineSimilarity FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "cosine_similarity");
            return new CosineSimilarity(c.Int("axis", -1), a.Reduction, a.Name, a.Dtype);
        }
    }
}

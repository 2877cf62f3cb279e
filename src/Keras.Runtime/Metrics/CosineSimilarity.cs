using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.CosineSimilarity</c>: the running mean of the cosine similarity of y_true and y_pred along the axis (not negated).</summary>
    [KerasClass("CosineSimilarity")]
    public sealed class CosineSimilarity : MeanMetricWrapper
    {
        /// <summary>Creates the metric.</summary>
        public CosineSimilarity(string name = "cosine_similarity", string? dtype = null, int axis = -1) : base(name, dtype)
        {
            Axis = axis;
        }

        /// <summary>axis.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <inheritdoc />
        protected override Tensor Values(Tensor yTrue, Tensor yPred) => Losses.CosineSimilarity.Compute(AsFloat(yTrue), AsFloat(yPred), Axis);

        internal static new CosineSimilarity FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "cosine_similarity");
            return new CosineSimilarity(a.Name, a.Dtype, c.Int("axis", -1));
        }
    }
}

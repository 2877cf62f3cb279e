using System.Text.Json.Nodes;
using Keras.Initializers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.AdditiveAttention(use_scale=True, dropout=0.0)</c>: Bahdanau-style attention, scores
    /// Σ scale·tanh(query + key) over the features, with a learned <c>scale</c> vector (features; glorot-uniform) when
    /// <c>use_scale</c>; masks, dropout and <c>use_causal_mask</c> as <see cref="Attention"/>.
    /// </summary>
    [KerasClass("AdditiveAttention")]
    public sealed class AdditiveAttention : Attention
    {
        /// <summary>Creates the layer.</summary>
        public AdditiveAttention(bool useScale = true, double dropout = 0.0, int? seed = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(useScale, "dot", dropout, seed, name, trainable, dtype)
        {
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("score_mode"); // Keras' AdditiveAttention drops it
            return c;
        }

        internal static new AdditiveAttention FromConfig(ConfigReader c)
        {
            c.Ignore("score_mode"); // Attention's key, without effect here
            return new AdditiveAttention(c.Bool("use_scale", true), ReadDropout(c), c.OptionalInt("seed", min: 0), c.Name);
        }

        private protected override void CreateWeights(long[] queryShape)
        {
            if (UseScale) Scale = AddWeight("scale", new[] { queryShape[queryShape.Length - 1] }, new GlorotUniform());
        }

        private protected override Tensor Scores(Tensor query, Tensor key)
        {
            using var q4 = query.unsqueeze(-2); // (..., Tq, 1, d)
            using var k4 = key.unsqueeze(-3);   // (..., 1, Tv, d)
            using var sum = q4.add(k4);
            using var tanh = sum.tanh();
            if (Scale == null) return tanh.sum(-1);
            using var scale = Scale.Value.to_type(query.dtype);
            using var scaled = tanh.mul(scale);
            return scaled.sum(-1);
        }
    }
}

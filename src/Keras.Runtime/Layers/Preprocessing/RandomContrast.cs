using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.RandomContrast(factor, value_range=(0, 255), seed=None)</c>: while training, each image's
    /// contrast is scaled, <c>y = clip((x - mean)·c + mean, value_range)</c> with the per-channel mean over height and
    /// width and c drawn uniformly in [1 - lower, 1 + upper) of <c>factor</c> (bounds [0, 1]: a number f gives
    /// (0, f), as Keras 3.15 computes it); the identity with training=false.
    /// </summary>
    [KerasClass("RandomContrast")]
    public sealed class RandomContrast : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public RandomContrast(Factor factor, (double Low, double High)? valueRange = null, int? seed = null, string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(dataFormat, true, seed, name, trainable, dtype)
        {
            Range = BaseFactor(factor, 0, 1);
            ValueRange = valueRange ?? (0, 255);
            if (!(ValueRange.Low <= ValueRange.High))
                throw new KerasArgumentException($"`value_range` must be (low, high) with low <= high. Received: value_range=({ValueRange.Low}, {ValueRange.High})", nameof(valueRange));
        }

        /// <summary>The (lower, upper) factor range.</summary>
        public (double Lower, double Upper) Range { get; }
        /// <summary>The value range outputs are clipped to.</summary>
        public (double Low, double High) ValueRange { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["factor"] = new JsonArray(JsonValue.Create(Range.Lower), JsonValue.Create(Range.Upper));
            c["value_range"] = new JsonArray(JsonValue.Create(ValueRange.Low), JsonValue.Create(ValueRange.High));
            c["seed"] = Seed;
            return c;
        }

        internal static RandomContrast FromConfig(ConfigReader c)
        {
            var factor = Factor.Read(c, "factor");
            (double, double)? range = null;
            var node = c.Raw("value_range");
            if (node is JsonArray a && a.Count == 2 && a[0] is JsonValue l && l.GetValueKind() == JsonValueKind.Number && a[1] is JsonValue h &&
                h.GetValueKind() == JsonValueKind.Number)
                range = (l.GetValue<double>(), h.GetValue<double>());
            else if (node != null) throw c.Error("value_range", "a list of two numbers");
            return new RandomContrast(factor, range, c.OptionalInt("seed"), ImageFormats.Read(c), c.Name);
        }

        /// <summary>Applies the contrast factors (batch,) to a batch.</summary>
        internal Tensor Adjust(Tensor batch, Tensor factors)
        {
            var (hAxis, wAxis) = SpatialAxes;
            using var mean = batch.mean(new long[] { hAxis, wAxis }, keepdim: true);
            using var f = factors.to_type(batch.dtype).view(-1, 1, 1, 1);
            using var centered = batch.sub(mean);
            using var scaled = centered.mul(f).add_(mean);
            return scaled.clamp(ValueRange.Low, ValueRange.High);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var x = AsBatch(inputs, out bool single);
            if (training == false) return Unbatch(x, single);
            using (x)
            {
                using var factors = Uniform(new[] { x.shape[0] }, 1.0 - Range.Lower, 1.0 + Range.Upper, x);
                return Unbatch(Adjust(x, factors), single);
            }
        }
    }
}

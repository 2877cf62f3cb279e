using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.Dice(axis=None)</c>: 1 - 2·sum(y_true·y_pred) / (sum(y_true) + sum(y_pred) + epsilon), the sums over
    /// <see cref="Axis"/> (every axis when null: one value for the batch).
    /// </summary>
    [KerasClass("Dice", "dice")]
    public sealed class Dice : Loss
    {
        /// <summary>Creates the loss.</summary>
        public Dice(string? reduction = "sum_over_batch_size", string name = "dice", int[]? axis = null, string? dtype = null)
            : base(name, reduction, dtype) => Axis = axis;

        /// <summary>The axes summed over (null: all).</summary>
        public int[]? Axis { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var product = yTrue.mul(yPred);
            using var intersection = SumOver(product, Axis);
            using var trueSum = SumOver(yTrue, Axis);
            using var predSum = SumOver(yPred, Axis);
            using var denominator = trueSum.add(predSum).add_(Eps);
            using var dice = intersection.mul(2.0).div_(denominator);
            return dice.neg().add_(1.0);
        }

        internal static Tensor SumOver(Tensor x, int[]? axis) => axis == null ? x.sum() : x.sum(System.Array.ConvertAll(axis, a => (long)a));

        internal static JsonNode? AxisConfig(int[]? axis) => axis == null ? null
            : axis.Length == 1 ? JsonValue.Create(axis[0]) : new JsonArray(System.Array.ConvertAll(axis, a => (JsonNode?)JsonValue.Create(a)));

        internal static int[]? ReadAxis(ConfigReader c) => c.Raw("axis") switch
        {
            null => null,
            JsonArray => c.IntList("axis"),
            _ => new[] { c.Int("axis") },
        };

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = AxisConfig(Axis);
            return c;
        }

        internal static Dice FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "dice");
            return new Dice(a.Reduction, a.Name, ReadAxis(c), a.Dtype);
        }
    }
}

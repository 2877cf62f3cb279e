using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Losses
{
    /// <summary>
    /// <c>keras.losses.Tversky(alpha=0.5, beta=0.5, axis=None)</c>: 1 - TP / (TP + alpha·FP + beta·FN + epsilon) with
    /// TP = sum(y_true·y_pred), FP = sum((1 - y_pred)·y_true), FN = sum(y_pred·(1 - y_true)) over <see cref="Axis"/>
    /// (Keras' own naming of the two error terms).
    /// </summary>
    [KerasClass("Tversky", "tversky")]
    public sealed class Tversky : Loss
    {
        /// <summary>Creates the loss.</summary>
        public Tversky(double alpha = 0.5, double beta = 0.5, string? reduction = "sum_over_batch_size", string name = "tversky", int[]? axis = null,
            string? dtype = null)
            : base(name, reduction, dtype)
        {
            Alpha = alpha;
            Beta = beta;
            Axis = axis;
        }

        /// <summary>alpha.</summary>
        public double Alpha { get; }

        /// <summary>beta.</summary>
        public double Beta { get; }

        /// <summary>The axes summed over (null: all).</summary>
        public int[]? Axis { get; }

        /// <inheritdoc />
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
        {
            using var product = yTrue.mul(yPred);
            using var intersection = Dice.SumOver(product, Axis);
            using var oneMinusPred = yPred.neg().add_(1.0);
            using var fpTerms = oneMinusPred.mul(yTrue);
            using var fp = Dice.SumOver(fpTerms, Axis);
            using var oneMinusTrue = yTrue.neg().add_(1.0);
            using var fnTerms = yPred.mul(oneMinusTrue);
            using var fn = Dice.SumOver(fnTerms, Axis);
            using var weightedFp = fp.mul(Alpha);
            using var weightedFn = fn.mul(Beta);
            using var denominator = intersection.add(weightedFp).add_(weightedFn).add_(Eps);
            using var index = intersection.div(denominator);
            return index.neg().add_(1.0);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["alpha"] = Alpha;
            c["beta"] = Beta;
            c["axis"] = Dice.AxisConfig(Axis);
            return c;
        }

        internal static Tversky FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "tversky");
            return new Tversky(c.Double("alpha", 0.5), c.Double("beta", 0.5), a.Reduction, a.Name, Dice.ReadAxis(c), a.Dtype);
        }
    }
}

using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.RootMeanSquaredError</c>: sqrt of the running weighted mean of (y_true - y_pred)².</summary>
    [KerasClass("RootMeanSquaredError")]
    public sealed class RootMeanSquaredError : Mean
    {
        /// <summary>Creates the metric.</summary>
        public RootMeanSquaredError(string name = "root_mean_squared_error", string? dtype = null) : base(name, dtype) { }

        /// <inheritdoc />
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        {
            var (t, p) = Losses.Loss.SameRank(AsFloat(yTrue), AsFloat(yPred));
            Accumulate(t.sub(p).square(), sampleWeight);
        }

        /// <inheritdoc />
        public override double[] Results() => new[] { System.Math.Sqrt(base.Results()[0]) };

        internal static new RootMeanSquaredError FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "root_mean_squared_error");
            return new RootMeanSquaredError(a.Name, a.Dtype);
        }
    }
}

using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Metrics
{
    /// <summary><c>keras.metrics.F1Score(average=None, threshold=None)</c>: <see cref="FBetaScore"/> with beta = 1.</summary>
    [KerasClass("F1Score")]
    public sealed class F1Score : FBetaScore
    {
        /// <summary>Creates the metric.</summary>
        public F1Score(string? average = null, double? threshold = null, string name = "f1_score", string? dtype = null)
            : base(average, 1.0, threshold, name, dtype) { }

        /// <summary>Keras' F1Score config has no beta.</summary>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("beta");
            return c;
        }

        internal static new F1Score FromConfig(ConfigReader c)
        {
            var a = new CommonArguments(c, "f1_score");
            return new F1Score(c.OptionalString("average"), c.OptionalDouble("threshold"), a.Name, a.Dtype);
        }
    }
}

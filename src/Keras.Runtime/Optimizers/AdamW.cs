using Keras.Errors;
using Keras.SavingLib;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-07,
    /// amsgrad=False, ...)</c>: Adam with decoupled weight decay (<c>w *= 1 - weight_decay * lr</c> before each update).
    /// </summary>
    [KerasClass("AdamW")]
    public sealed class AdamW : Adam
    {
        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public AdamW(LearningRateSetting? learningRate = null, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
            bool amsgrad = false, double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false,
            double emaMomentum = 0.99, int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null,
            string? name = null)
            : base(learningRate ?? 0.001, beta1, beta2, epsilon, amsgrad, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum,
                emaOverwriteFrequency, lossScaleFactor, gradientAccumulationSteps, name)
        {
        }

        internal static new AdamW FromConfig(ConfigReader c)
        {
            if (c.Config.ContainsKey("weight_decay") && !c.Has("weight_decay"))
                throw new KerasArgumentException("Argument `weight_decay` must be a float. Received: weight_decay=None");
            var b = new CommonArguments(c, 0.001);
            return new AdamW(b.LearningRate, b.WeightDecay ?? 0.004, c.Double("beta_1", 0.9), c.Double("beta_2", 0.999), c.Double("epsilon", 1e-7),
                c.Bool("amsgrad", false), b.Clipnorm, b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor,
                b.GradientAccumulationSteps, b.Name);
        }
    }
}

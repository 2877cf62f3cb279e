using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Lion(learning_rate=0.001, beta_1=0.9, beta_2=0.99, ...)</c>:
    /// <c>w -= lr·sign(beta_1·m + (1 - beta_1)·g); m = beta_2·m + (1 - beta_2)·g</c>.
    /// </summary>
    [KerasClass("Lion")]
    public sealed class Lion : Optimizer
    {
        private Tensor[] _momentums = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Lion(LearningRateSetting? learningRate = null, double beta1 = 0.9, double beta2 = 0.99, double? weightDecay = null, double? clipnorm = null,
            double? clipvalue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null,
            double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            if (beta1 <= 0 || beta1 > 1)
                throw new KerasArgumentException(
                    "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. Received: " +
                    $"beta_1={Shared.KerasFacts.PythonFloat(beta1)}.", nameof(beta1));
        }

        /// <summary>beta_1.</summary>
        public double Beta1 { get; }

        /// <summary>beta_2.</summary>
        public double Beta2 { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables) => _momentums = AddOptimizerVariables(variables, "momentum")[0];

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            var m = _momentums[VariableIndex(variable)];
            using var direction = m.mul(Beta1).add_(gradient, alpha: 1 - Beta1).sign_();
            variable.Value.add_(direction, alpha: -learningRate);
            m.mul_(Beta2).add_(gradient, alpha: 1 - Beta2);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["beta_1"] = Beta1;
            c["beta_2"] = Beta2;
            return c;
        }

        internal static Lion FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Lion(b.LearningRate, c.Double("beta_1", 0.9), c.Double("beta_2", 0.99), b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm,
                b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

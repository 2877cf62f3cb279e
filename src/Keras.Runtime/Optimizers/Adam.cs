using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, amsgrad=False, ...)</c>:
    /// <c>m += (g - m)(1 - beta_1); v += (g² - v)(1 - beta_2); w -= lr·sqrt(1 - beta_2^t)/(1 - beta_1^t) · m / (sqrt(v) + epsilon)</c>
    /// (Keras' epsilon after the square root), with AMSGrad's running maximum of v when <c>amsgrad</c>.
    /// </summary>
    [KerasClass("Adam")]
    public class Adam : Optimizer
    {
        private Tensor[] _momentums = Array.Empty<Tensor>();
        private Tensor[] _velocities = Array.Empty<Tensor>();
        private Tensor[] _velocityHats = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Adam(LearningRateSetting? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
            double? weightDecay = null, double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false,
            double emaMomentum = 0.99, int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null,
            string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
            Amsgrad = amsgrad;
        }

        /// <summary>beta_1.</summary>
        public double Beta1 { get; }

        /// <summary>beta_2.</summary>
        public double Beta2 { get; }

        /// <summary>epsilon (Keras' 1e-7, added after the square root).</summary>
        public double Epsilon { get; }

        /// <summary>amsgrad.</summary>
        public bool Amsgrad { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            var slots = AddOptimizerVariables(variables, new[] { "momentum", "velocity" });
            _momentums = slots[0];
            _velocities = slots[1];
            if (Amsgrad) _velocityHats = AddOptimizerVariables(variables, "velocity_hat")[0];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            long t = Iterations + 1;
            double alpha = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t));
            var m = _momentums[i];
            var v = _velocities[i];
            m.mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            if (Amsgrad)
            {
                var vHat = _velocityHats[i];
                vHat.copy_(torch.maximum(vHat, v));
                v = vHat;
            }
            using var denominator = v.sqrt().add_(Epsilon);
            // w -= alpha * m / denominator, fused into one kernel.
            variable.Value.addcdiv_(m, denominator, value: -alpha);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["beta_1"] = Beta1;
            c["beta_2"] = Beta2;
            c["epsilon"] = Epsilon;
            c["amsgrad"] = Amsgrad;
            return c;
        }

        internal static Adam FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Adam(b.LearningRate, c.Double("beta_1", 0.9), c.Double("beta_2", 0.999), c.Double("epsilon", 1e-7), c.Bool("amsgrad", false),
                b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor,
                b.GradientAccumulationSteps, b.Name);
        }
    }
}

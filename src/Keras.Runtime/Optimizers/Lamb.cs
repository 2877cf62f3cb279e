using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Lamb(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, ...)</c>: Adam's
    /// bias-corrected step <c>r = m̂ / (sqrt(v̂) + epsilon)</c> scaled per variable by the trust ratio
    /// <c>‖w‖ / ‖r‖</c> (1 when either norm is 0): <c>w -= ratio·lr·r</c>.
    /// </summary>
    [KerasClass("Lamb")]
    public sealed class Lamb : Optimizer
    {
        private Tensor[] _momentums = Array.Empty<Tensor>();
        private Tensor[] _velocities = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Lamb(LearningRateSetting? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? weightDecay = null,
            double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99,
            int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
        }

        /// <summary>beta_1.</summary>
        public double Beta1 { get; }

        /// <summary>beta_2.</summary>
        public double Beta2 { get; }

        /// <summary>epsilon.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            var slots = AddOptimizerVariables(variables, new[] { "momentum", "velocity" });
            _momentums = slots[0];
            _velocities = slots[1];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            long t = Iterations + 1;
            var m = _momentums[i];
            var v = _velocities[i];
            m.mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            var mHat = m.div(1.0 - Math.Pow(Beta1, t));
            var vSqrt = v.div(1.0 - Math.Pow(Beta2, t)).sqrt_().add_(Epsilon);
            var update = mHat.div_(vSqrt);
            var w = variable.Value;
            var wNorm = w.square().sum().sqrt_();
            var gNorm = update.square().sum().sqrt_();
            using var one = torch.ones_like(wNorm);
            var ratio = torch.where(wNorm.gt(0), torch.where(gNorm.gt(0), wNorm.div(gNorm), one), one);
            w.sub_(update.mul_(ratio).mul_(learningRate));
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["beta_1"] = Beta1;
            c["beta_2"] = Beta2;
            c["epsilon"] = Epsilon;
            return c;
        }

        internal static Lamb FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Lamb(b.LearningRate, c.Double("beta_1", 0.9), c.Double("beta_2", 0.999), c.Double("epsilon", 1e-7), b.WeightDecay, b.Clipnorm,
                b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

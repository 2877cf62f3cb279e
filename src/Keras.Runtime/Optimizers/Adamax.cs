using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, ...)</c>: Adam with the
    /// infinity norm: <c>m += (g - m)(1 - beta_1); u = max(beta_2·u, |g|); w -= lr·m / ((1 - beta_1^t)(u + epsilon))</c>.
    /// </summary>
    [KerasClass("Adamax")]
    public sealed class Adamax : Optimizer
    {
        private Tensor[] _m = Array.Empty<Tensor>();
        private Tensor[] _u = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Adamax(LearningRateSetting? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? weightDecay = null,
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
            var slots = AddOptimizerVariables(variables, new[] { "momentum", "norm" });
            _m = slots[0];
            _u = slots[1];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            long t = Iterations + 1;
            double beta1Power = Math.Pow(Beta1, t);
            var m = _m[i];
            var u = _u[i];
            m.mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            using (var abs = gradient.abs()) u.mul_(Beta2).copy_(torch.maximum(u, abs));
            using var denominator = u.add(Epsilon).mul_(1 - beta1Power);
            variable.Value.addcdiv_(m, denominator, value: -learningRate);
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

        internal static Adamax FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Adamax(b.LearningRate, c.Double("beta_1", 0.9), c.Double("beta_2", 0.999), c.Double("epsilon", 1e-7), b.WeightDecay, b.Clipnorm,
                b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

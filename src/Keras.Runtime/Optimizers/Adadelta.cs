using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-07, ...)</c>:
    /// <c>E[g²] = rho·E[g²] + (1 - rho)·g²; Δ = -sqrt(E[Δ²] + eps)·g / sqrt(E[g²] + eps); E[Δ²] = rho·E[Δ²] + (1 - rho)·Δ²; w += lr·Δ</c>.
    /// </summary>
    [KerasClass("Adadelta")]
    public sealed class Adadelta : Optimizer
    {
        private Tensor[] _accumulatedGrads = Array.Empty<Tensor>();
        private Tensor[] _accumulatedDeltaVars = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Adadelta(LearningRateSetting? learningRate = null, double rho = 0.95, double epsilon = 1e-7, double? weightDecay = null,
            double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99,
            int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            Rho = rho;
            Epsilon = epsilon;
        }

        /// <summary>rho.</summary>
        public double Rho { get; }

        /// <summary>epsilon.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            var slots = AddOptimizerVariables(variables, new[] { "accumulated_grad", "accumulated_delta_var" });
            _accumulatedGrads = slots[0];
            _accumulatedDeltaVars = slots[1];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            var accumulatedGrad = _accumulatedGrads[i];
            var accumulatedDelta = _accumulatedDeltaVars[i];
            accumulatedGrad.mul_(Rho).addcmul_(gradient, gradient, value: 1 - Rho);
            using var rmsDelta = accumulatedDelta.add(Epsilon).sqrt_();
            using var rmsGrad = accumulatedGrad.add(Epsilon).sqrt_();
            using var delta = rmsDelta.mul(gradient).div_(rmsGrad).neg_();
            accumulatedDelta.mul_(Rho).addcmul_(delta, delta, value: 1 - Rho);
            variable.Value.add_(delta, alpha: learningRate);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rho"] = Rho;
            c["epsilon"] = Epsilon;
            return c;
        }

        internal static Adadelta FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Adadelta(b.LearningRate, c.Double("rho", 0.95), c.Double("epsilon", 1e-7), b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm,
                b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

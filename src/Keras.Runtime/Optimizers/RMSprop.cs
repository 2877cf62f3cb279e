using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False, ...)</c>:
    /// <c>velocity = rho·velocity + (1 - rho)·g²; w -= lr·g / sqrt(velocity + epsilon)</c> (centered: minus the squared
    /// running mean of g under the root; with momentum the increment feeds a momentum buffer).
    /// </summary>
    [KerasClass("RMSprop")]
    public sealed class RMSprop : Optimizer
    {
        private Tensor[] _velocities = Array.Empty<Tensor>();
        private Tensor[] _momentums = Array.Empty<Tensor>();
        private Tensor[] _averageGradients = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public RMSprop(LearningRateSetting? learningRate = null, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false,
            double? weightDecay = null, double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false,
            double emaMomentum = 0.99, int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null,
            string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            Rho = rho;
            Momentum = momentum;
            Epsilon = epsilon;
            Centered = centered;
        }

        /// <summary>rho.</summary>
        public double Rho { get; }

        /// <summary>momentum.</summary>
        public double Momentum { get; }

        /// <summary>epsilon.</summary>
        public double Epsilon { get; }

        /// <summary>centered.</summary>
        public bool Centered { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            // Keras' blocks: all velocities, then all momentums, then all average gradients.
            _velocities = AddOptimizerVariables(variables, "velocity")[0];
            if (Momentum > 0) _momentums = AddOptimizerVariables(variables, "momentum")[0];
            if (Centered) _averageGradients = AddOptimizerVariables(variables, "average_gradient")[0];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            var velocity = _velocities[i];
            velocity.mul_(Rho).addcmul_(gradient, gradient, value: 1 - Rho);
            using var denominator = velocity.add(Epsilon);
            if (Centered)
            {
                var average = _averageGradients[i];
                average.mul_(Rho).add_(gradient, alpha: 1 - Rho);
                denominator.addcmul_(average, average, value: -1);
            }
            denominator.sqrt_();
            using var increment = gradient.mul(learningRate).div_(denominator);
            if (Momentum > 0)
            {
                var m = _momentums[i];
                m.mul_(Momentum).add_(increment);
                variable.Value.sub_(m);
            }
            else
            {
                variable.Value.sub_(increment);
            }
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["rho"] = Rho;
            c["momentum"] = Momentum;
            c["epsilon"] = Epsilon;
            c["centered"] = Centered;
            return c;
        }

        internal static RMSprop FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new RMSprop(b.LearningRate, c.Double("rho", 0.9), c.Double("momentum", 0.0), c.Double("epsilon", 1e-7), c.Bool("centered", false),
                b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor,
                b.GradientAccumulationSteps, b.Name);
        }
    }
}

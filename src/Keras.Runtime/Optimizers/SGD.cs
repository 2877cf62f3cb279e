using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False, ...)</c>: <c>w -= lr * g</c>; with
    /// momentum <c>velocity = momentum * velocity - lr * g; w += velocity</c> (Nesterov: <c>w += momentum * velocity - lr * g</c>).
    /// </summary>
    [KerasClass("SGD")]
    public sealed class SGD : Optimizer
    {
        private Tensor[] _momentums = System.Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.01.</summary>
        public SGD(LearningRateSetting? learningRate = null, double momentum = 0.0, bool nesterov = false, double? weightDecay = null,
            double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99,
            int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.01, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            if (Shared.KerasArgumentRules.SgdMomentum.Problem(momentum) is { } problem) throw new KerasArgumentException(problem, nameof(momentum));
            Momentum = momentum;
            Nesterov = nesterov;
        }

        /// <summary>momentum.</summary>
        public double Momentum { get; }

        /// <summary>nesterov.</summary>
        public bool Nesterov { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            if (Momentum != 0) _momentums = AddOptimizerVariables(variables, "momentum")[0];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            var w = variable.Value;
            if (Momentum == 0)
            {
                w.add_(gradient, alpha: -learningRate);
                return;
            }
            var m = _momentums[VariableIndex(variable)];
            m.mul_(Momentum).add_(gradient, alpha: -learningRate);
            if (Nesterov) w.add_(gradient, alpha: -learningRate).add_(m, alpha: Momentum);
            else w.add_(m);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["momentum"] = Momentum;
            c["nesterov"] = Nesterov;
            return c;
        }

        internal static SGD FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.01);
            return new SGD(b.LearningRate, c.Double("momentum", 0.0), c.Bool("nesterov", false), b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm,
                b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

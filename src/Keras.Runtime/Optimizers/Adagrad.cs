using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-07, ...)</c>:
    /// <c>accumulator += g²; w -= lr·g / sqrt(accumulator + epsilon)</c>, the accumulator starting at
    /// <c>initial_accumulator_value</c>.
    /// </summary>
    [KerasClass("Adagrad")]
    public sealed class Adagrad : Optimizer
    {
        private Tensor[] _accumulators = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Adagrad(LearningRateSetting? learningRate = null, double initialAccumulatorValue = 0.1, double epsilon = 1e-7, double? weightDecay = null,
            double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99,
            int? emaOverwriteFrequency = null, double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            InitialAccumulatorValue = initialAccumulatorValue;
            Epsilon = epsilon;
        }

        /// <summary>initial_accumulator_value.</summary>
        public double InitialAccumulatorValue { get; }

        /// <summary>epsilon.</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables) =>
            _accumulators = AddOptimizerVariables(variables, "accumulator", InitialAccumulatorValue)[0];

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            var accumulator = _accumulators[VariableIndex(variable)];
            accumulator.addcmul_(gradient, gradient, value: 1);
            using var denominator = accumulator.add(Epsilon).sqrt_();
            variable.Value.addcdiv_(gradient, denominator, value: -learningRate);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["initial_accumulator_value"] = InitialAccumulatorValue;
            c["epsilon"] = Epsilon;
            return c;
        }

        internal static Adagrad FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Adagrad(b.LearningRate, c.Double("initial_accumulator_value", 0.1), c.Double("epsilon", 1e-7), b.WeightDecay, b.Clipnorm,
                b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

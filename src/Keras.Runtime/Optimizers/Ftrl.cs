using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Ftrl(learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
    /// l1_regularization_strength=0.0, l2_regularization_strength=0.0, l2_shrinkage_regularization_strength=0.0,
    /// beta=0.0, ...)</c>: Follow The Regularized Leader, with Keras' accumulator and linear slots.
    /// </summary>
    [KerasClass("Ftrl")]
    public sealed class Ftrl : Optimizer
    {
        private Tensor[] _accumulators = Array.Empty<Tensor>();
        private Tensor[] _linears = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Ftrl(LearningRateSetting? learningRate = null, double learningRatePower = -0.5, double initialAccumulatorValue = 0.1,
            double l1RegularizationStrength = 0.0, double l2RegularizationStrength = 0.0, double l2ShrinkageRegularizationStrength = 0.0,
            double beta = 0.0, double? weightDecay = null, double? clipnorm = null, double? clipvalue = null, double? globalClipnorm = null,
            bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null, double? lossScaleFactor = null,
            int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            static string F(double v) => Shared.KerasFacts.PythonFloat(v);
            if (initialAccumulatorValue < 0.0)
                throw new KerasArgumentException(
                    $"`initial_accumulator_value` needs to be positive or zero. Received: initial_accumulator_value={F(initialAccumulatorValue)}.",
                    nameof(initialAccumulatorValue));
            if (learningRatePower > 0.0)
                throw new KerasArgumentException(
                    $"`learning_rate_power` needs to be negative or zero. Received: learning_rate_power={F(learningRatePower)}.", nameof(learningRatePower));
            if (l1RegularizationStrength < 0.0)
                throw new KerasArgumentException(
                    $"`l1_regularization_strength` needs to be positive or zero. Received: l1_regularization_strength={F(l1RegularizationStrength)}.",
                    nameof(l1RegularizationStrength));
            if (l2RegularizationStrength < 0.0)
                throw new KerasArgumentException(
                    $"`l2_regularization_strength` needs to be positive or zero. Received: l2_regularization_strength={F(l2RegularizationStrength)}.",
                    nameof(l2RegularizationStrength));
            if (l2ShrinkageRegularizationStrength < 0.0)
                throw new KerasArgumentException(
                    "`l2_shrinkage_regularization_strength` needs to be positive or zero. Received: l2_shrinkage_regularization_strength" +
                    $"={F(l2ShrinkageRegularizationStrength)}.", nameof(l2ShrinkageRegularizationStrength));
            LearningRatePower = learningRatePower;
            InitialAccumulatorValue = initialAccumulatorValue;
            L1RegularizationStrength = l1RegularizationStrength;
            L2RegularizationStrength = l2RegularizationStrength;
            L2ShrinkageRegularizationStrength = l2ShrinkageRegularizationStrength;
            Beta = beta;
        }

        /// <summary>learning_rate_power.</summary>
        public double LearningRatePower { get; }

        /// <summary>initial_accumulator_value.</summary>
        public double InitialAccumulatorValue { get; }

        /// <summary>l1_regularization_strength.</summary>
        public double L1RegularizationStrength { get; }

        /// <summary>l2_regularization_strength.</summary>
        public double L2RegularizationStrength { get; }

        /// <summary>l2_shrinkage_regularization_strength.</summary>
        public double L2ShrinkageRegularizationStrength { get; }

        /// <summary>beta.</summary>
        public double Beta { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            var slots = AddOptimizerVariables(variables, new[] { "accumulator", "linear" }, new[] { InitialAccumulatorValue, 0.0 });
            _accumulators = slots[0];
            _linears = slots[1];
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            var w = variable.Value;
            var accumulator = _accumulators[i];
            var linear = _linears[i];
            double power = -LearningRatePower;
            double l2 = L2RegularizationStrength + Beta / (2.0 * learningRate);
            var gradToUse = gradient.add(w, alpha: 2 * L2ShrinkageRegularizationStrength);
            var newAccumulator = accumulator.addcmul(gradient, gradient, value: 1);
            var sigma = newAccumulator.pow(power).sub_(accumulator.pow(power)).div_(learningRate).mul_(w);
            linear.add_(gradToUse.sub_(sigma));
            var quadratic = newAccumulator.pow(power).div_(learningRate).add_(2 * l2);
            var clipped = linear.clamp(-L1RegularizationStrength, L1RegularizationStrength);
            w.copy_(clipped.sub_(linear).div_(quadratic));
            accumulator.copy_(newAccumulator);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["learning_rate_power"] = LearningRatePower;
            c["initial_accumulator_value"] = InitialAccumulatorValue;
            c["l1_regularization_strength"] = L1RegularizationStrength;
            c["l2_regularization_strength"] = L2RegularizationStrength;
            c["l2_shrinkage_regularization_strength"] = L2ShrinkageRegularizationStrength;
            c["beta"] = Beta;
            return c;
        }

        internal static Ftrl FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Ftrl(b.LearningRate, c.Double("learning_rate_power", -0.5), c.Double("initial_accumulator_value", 0.1),
                c.Double("l1_regularization_strength", 0.0), c.Double("l2_regularization_strength", 0.0), c.Double("l2_shrinkage_regularization_strength", 0.0),
                c.Double("beta", 0.0), b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency,
                b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

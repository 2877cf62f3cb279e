using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07, ...)</c>: Adam with
    /// Nesterov momentum and Keras' momentum schedule <c>u_t = beta_1 (1 - 0.5 · 0.96^t)</c>, whose running product is an
    /// optimizer variable (<c>u_product</c>, saved after the slots).
    /// </summary>
    [KerasClass("Nadam")]
    public sealed class Nadam : Optimizer
    {
        private Tensor[] _momentums = Array.Empty<Tensor>();
        private Tensor[] _velocities = Array.Empty<Tensor>();
        private float _uProduct = 1f;
        private double _ut, _ut1, _uProductT, _uProductT1;

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Nadam(LearningRateSetting? learningRate = null, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? weightDecay = null,
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
            // Keras: a float variable of the first variable's dtype, created after the slots.
            var dtype = variables.Count > 0 ? variables[0].Value.dtype : ScalarType.Float32;
            AddScalarVariable("u_product", dtype, () => _uProduct, v => _uProduct = (float)v);
        }

        /// <inheritdoc />
        protected override void BackendUpdateStep(IReadOnlyList<Tensor> gradients, IReadOnlyList<KerasVariable> variables, double learningRate)
        {
            // Once per step, as Keras' torch Nadam: u_product *= u_t.
            long t = Iterations + 1;
            _ut = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, t));
            _ut1 = Beta1 * (1.0 - 0.5 * Math.Pow(0.96, t + 1));
            _uProduct = (float)(_uProduct * _ut);
            _uProductT = _uProduct;
            _uProductT1 = _uProductT * _ut1;
            base.BackendUpdateStep(gradients, variables, learningRate);
        }

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            long t = Iterations + 1;
            double beta2Power = Math.Pow(Beta2, t);
            var m = _momentums[i];
            var v = _velocities[i];
            m.mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            using var mHat = m.mul(_ut1 / (1 - _uProductT1)).add_(gradient, alpha: (1 - _ut) / (1 - _uProductT));
            using var denominator = v.div(1 - beta2Power).sqrt_().add_(Epsilon);
            variable.Value.addcdiv_(mHat, denominator, value: -learningRate);
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

        internal static Nadam FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Nadam(b.LearningRate, c.Double("beta_1", 0.9), c.Double("beta_2", 0.999), c.Double("epsilon", 1e-7), b.WeightDecay, b.Clipnorm,
                b.Clipvalue, b.GlobalClipnorm, b.UseEma, b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Adafactor(learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3,
    /// clip_threshold=1.0, relative_step=True, ...)</c>: second moments factored into row (<c>r</c>) and column
    /// (<c>c</c>) averages over the last two dimensions (variables of rank below 2 keep a full <c>v</c> and hold scalar
    /// placeholders for r and c, as Keras), updates clipped by their RMS and scaled by the weights' RMS.
    /// </summary>
    [KerasClass("Adafactor")]
    public sealed class Adafactor : Optimizer
    {
        private Tensor[] _r = Array.Empty<Tensor>();
        private Tensor[] _c = Array.Empty<Tensor>();
        private Tensor[] _v = Array.Empty<Tensor>();

        /// <summary>Creates the optimizer; <paramref name="learningRate"/> null means Keras' default 0.001.</summary>
        public Adafactor(LearningRateSetting? learningRate = null, double beta2Decay = -0.8, double epsilon1 = 1e-30, double epsilon2 = 1e-3,
            double clipThreshold = 1.0, bool relativeStep = true, double? weightDecay = null, double? clipnorm = null, double? clipvalue = null,
            double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null,
            double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
            : base(learningRate ?? 0.001, weightDecay, clipnorm, clipvalue, globalClipnorm, useEma, emaMomentum, emaOverwriteFrequency, lossScaleFactor,
                gradientAccumulationSteps, name)
        {
            Beta2Decay = beta2Decay;
            Epsilon1 = epsilon1;
            Epsilon2 = epsilon2;
            ClipThreshold = clipThreshold;
            RelativeStep = relativeStep;
        }

        /// <summary>beta_2_decay.</summary>
        public double Beta2Decay { get; }

        /// <summary>epsilon_1 (added to the squared gradient).</summary>
        public double Epsilon1 { get; }

        /// <summary>epsilon_2 (lower bound of the weights' RMS).</summary>
        public double Epsilon2 { get; }

        /// <summary>clip_threshold.</summary>
        public double ClipThreshold { get; }

        /// <summary>relative_step.</summary>
        public bool RelativeStep { get; }

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            int n = variables.Count;
            _r = new Tensor[n];
            _c = new Tensor[n];
            _v = new Tensor[n];
            for (int i = 0; i < n; i++)
            {
                var variable = variables[i];
                var shape = variable.Shape;
                if (shape.Length < 2)
                {
                    // Keras' placeholders: float scalars named after the variable.
                    _r[i] = AddVariable(Array.Empty<long>(), ScalarType.Float32, variable.Value.device, variable.Name);
                    _c[i] = AddVariable(Array.Empty<long>(), ScalarType.Float32, variable.Value.device, variable.Name);
                }
                else
                {
                    var rShape = shape[..^1];
                    var cShape = new long[shape.Length - 1];
                    Array.Copy(shape, cShape, shape.Length - 2);
                    cShape[^1] = shape[^1];
                    _r[i] = AddVariable(rShape, variable.Value.dtype, variable.Value.device, variable.Name);
                    _c[i] = AddVariable(cShape, variable.Value.dtype, variable.Value.device, variable.Name);
                }
                _v[i] = AddVariableFromReference(variable, "velocity");
            }
        }

        private static Tensor Rms(Tensor x) => x.square().mean().sqrt_();

        /// <inheritdoc />
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate)
        {
            int i = VariableIndex(variable);
            var w = variable.Value;
            double t = Iterations + 1;
            double lr = learningRate;
            if (Schedule == null && RelativeStep) lr = Math.Min(lr, 1 / Math.Sqrt(t));
            double rho = Math.Min(lr, 1 / Math.Sqrt(t));
            var alpha = Rms(w).clamp_min(Epsilon2).mul_(rho);
            var regulated = gradient.square().add_(Epsilon1);
            double beta2t = 1 - Math.Pow(t, Beta2Decay);
            var v = _v[i];
            if (w.dim() >= 2)
            {
                var r = _r[i];
                var c = _c[i];
                r.mul_(beta2t).add_(regulated.mean(new long[] { -1 }), alpha: 1 - beta2t);
                c.mul_(beta2t).add_(regulated.mean(new long[] { -2 }), alpha: 1 - beta2t);
                var rowFactor = r.div(r.mean(new long[] { -1 }, keepdim: true)).unsqueeze(-1);
                v.copy_(rowFactor.mul(c.unsqueeze(-2)));
            }
            else
            {
                v.mul_(beta2t).add_(regulated, alpha: 1 - beta2t);
            }
            var u = gradient.div(v.sqrt());
            var clip = Rms(u).div_(ClipThreshold).clamp_min(1.0);
            w.sub_(u.div_(clip).mul_(alpha));
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["beta_2_decay"] = Beta2Decay;
            c["epsilon_1"] = Epsilon1;
            c["epsilon_2"] = Epsilon2;
            c["clip_threshold"] = ClipThreshold;
            c["relative_step"] = RelativeStep;
            return c;
        }

        internal static Adafactor FromConfig(ConfigReader c)
        {
            var b = new CommonArguments(c, 0.001);
            return new Adafactor(b.LearningRate, c.Double("beta_2_decay", -0.8), c.Double("epsilon_1", 1e-30), c.Double("epsilon_2", 1e-3),
                c.Double("clip_threshold", 1.0), c.Bool("relative_step", true), b.WeightDecay, b.Clipnorm, b.Clipvalue, b.GlobalClipnorm, b.UseEma,
                b.EmaMomentum, b.EmaOverwriteFrequency, b.LossScaleFactor, b.GradientAccumulationSteps, b.Name);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Optimizers.Schedules;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.LossScaleOptimizer(inner_optimizer, initial_scale=2.0**15, dynamic_growth_steps=2000)</c>
    /// (keras/src/optimizers/loss_scale_optimizer.py), Keras' dynamic loss scaling for float16 training: the training
    /// step multiplies the loss by the current scale (<see cref="ScaleLoss"/>); <see cref="Apply(IReadOnlyList{Tensor}, IReadOnlyList{KerasVariable})"/>
    /// then checks the gradients. If any is not finite the step is skipped, the scale halved and the counter reset;
    /// otherwise the gradients are divided by the scale and handed to the inner optimizer, and after
    /// <c>dynamic_growth_steps</c> consecutive finite steps the scale doubles. <c>Compile(..., autoScaleLoss: true)</c>
    /// wraps the optimizer in one for a model whose dtype policy is mixed_float16.
    /// Its variables (weight files) are iteration, learning_rate (0.0, unused), step_counter and dynamic_scale, followed by
    /// the inner optimizer's; the inner optimizer is also saved on its own under <c>optimizer/inner_optimizer</c>.
    /// </summary>
    [KerasClass("LossScaleOptimizer")]
    public sealed class LossScaleOptimizer : Optimizer
    {
        private long _stepCounter;
        private float _dynamicScale;

        /// <summary>Wraps <paramref name="innerOptimizer"/>; its own <c>loss_scale_factor</c> is cleared (the wrapper scales).</summary>
        public LossScaleOptimizer(Optimizer innerOptimizer, double initialScale = 32768.0, int dynamicGrowthSteps = 2000, string? name = null)
            : base(0.0, name: name)
        {
            InnerOptimizer = innerOptimizer ?? throw new KerasArgumentException("`inner_optimizer` must be an optimizer.", nameof(innerOptimizer));
            if (innerOptimizer is LossScaleOptimizer)
                throw new KerasArgumentException("The inner optimizer of a LossScaleOptimizer must not itself be a LossScaleOptimizer.", nameof(innerOptimizer));
            if (dynamicGrowthSteps < 1)
                throw new KerasArgumentException($"`dynamic_growth_steps` must be a positive integer. Received: dynamic_growth_steps={dynamicGrowthSteps}",
                    nameof(dynamicGrowthSteps));
            InitialScale = initialScale;
            DynamicGrowthSteps = dynamicGrowthSteps;
            _dynamicScale = (float)initialScale;
            // Disable the inner optimizer's loss scaling, otherwise gradients would be scaled twice.
            innerOptimizer.LossScaleFactor = null;
        }

        /// <summary>The wrapped optimizer, which applies the unscaled gradients.</summary>
        public Optimizer InnerOptimizer { get; }

        /// <summary>initial_scale.</summary>
        public double InitialScale { get; }

        /// <summary>dynamic_growth_steps: finite steps in a row after which the scale doubles.</summary>
        public int DynamicGrowthSteps { get; }

        /// <summary>The current loss scale (Keras' <c>dynamic_scale</c> variable, float32); <see cref="InitialScale"/> before building.</summary>
        public double DynamicScale => _dynamicScale;

        /// <summary>Finite steps since the scale last changed (Keras' <c>step_counter</c> variable).</summary>
        public long StepCounter => _stepCounter;

        /// <summary>The inner optimizer's learning rate (Keras delegates it).</summary>
        public override double LearningRate
        {
            get => InnerOptimizer.LearningRate;
            set => InnerOptimizer.LearningRate = value;
        }

        /// <summary>The inner optimizer's schedule.</summary>
        public override LearningRateSchedule? Schedule => InnerOptimizer.Schedule;

        /// <summary>The inner optimizer's iterations (a skipped step does not count).</summary>
        public override long Iterations => InnerOptimizer.Iterations;

        /// <inheritdoc />
        protected override void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
            // Keras' int "step_counter" and float32 "dynamic_scale" come before the inner optimizer's variables.
            AddScalarVariable("step_counter", ScalarType.Int64, () => _stepCounter, v => _stepCounter = (long)v);
            AddScalarVariable("dynamic_scale", ScalarType.Float32, () => _dynamicScale, v => _dynamicScale = (float)v);
            InnerOptimizer.Build(variables);
        }

        /// <inheritdoc />
        internal override IReadOnlyList<(string Name, Tensor Value)> StateTensors() => base.StateTensors().Concat(InnerOptimizer.StateTensors()).ToArray();

        /// <inheritdoc />
        internal override int StateCount => base.StateCount + InnerOptimizer.StateCount;

        private protected override IEnumerable<(string Name, long[] Shape)> StateShapes() => base.StateShapes().Concat(InnerOptimizer.StateShapesOf());

        private protected override int LoadEntries(IReadOnlyList<Tensor> values, int offset) =>
            InnerOptimizer.LoadEntriesOf(values, base.LoadEntries(values, offset));

        /// <inheritdoc />
        internal override IEnumerable<(string Attribute, Optimizer Child)> SavedChildren() => new[] { ("inner_optimizer", InnerOptimizer) };

        /// <summary>Keras' <c>scale_loss</c>: the loss times the current scale (the initial scale before building).</summary>
        public override Tensor ScaleLoss(Tensor loss) => loss.mul(Built ? _dynamicScale : InitialScale);

        /// <summary>
        /// Keras' <c>apply</c>: skips the step and halves the scale when a gradient is not finite; otherwise unscales the
        /// gradients, lets the inner optimizer apply them and counts the finite step (doubling the scale every
        /// <see cref="DynamicGrowthSteps"/>).
        /// </summary>
        public override void Apply(IReadOnlyList<Tensor?> gradients, IReadOnlyList<KerasVariable> variables)
        {
            if (gradients is null) throw new KerasArgumentException("`grads` must be a list of gradients.", nameof(gradients));
            if (variables is null) throw new KerasArgumentException("`trainable_variables` must be a list of variables.", nameof(variables));
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            if (!Built) Build(variables);
            if (!AllFinite(gradients))
            {
                _stepCounter = 0;
                _dynamicScale *= 0.5f;
                return;
            }
            float scale = _dynamicScale;
            var unscaled = gradients.Select(g => g?.div(scale)).ToArray();
            InnerOptimizer.Apply(unscaled, variables);
            if (_stepCounter == DynamicGrowthSteps - 1)
            {
                _stepCounter = 0;
                _dynamicScale *= 2f;
            }
            else
            {
                _stepCounter++;
            }
        }

        /// <summary>Keras' <c>check_finite</c>: every gradient element is finite (one host read for all of them).</summary>
        private static bool AllFinite(IReadOnlyList<Tensor?> gradients)
        {
            var checks = gradients.Where(g => g is not null).Select(g => g!.isfinite().all()).ToArray();
            if (checks.Length == 0) return true;
            return torch.stack(checks).all().item<bool>();
        }

        /// <summary>The inner optimizer's update rule is used through <see cref="Apply(IReadOnlyList{Tensor}, IReadOnlyList{KerasVariable})"/>; never called.</summary>
        protected override void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate) =>
            throw new InvalidOperationException("LossScaleOptimizer applies gradients through its inner optimizer.");

        /// <inheritdoc />
        public override void FinalizeVariableValues(IReadOnlyList<KerasVariable> varList) => InnerOptimizer.FinalizeVariableValues(varList);

        /// <summary>Keras' config: only name, the serialized inner optimizer, initial_scale and dynamic_growth_steps.</summary>
        public override JsonObject GetConfig() => new JsonObject
        {
            ["name"] = Name,
            ["inner_optimizer"] = KerasObjects.Serialize(InnerOptimizer),
            ["initial_scale"] = InitialScale,
            ["dynamic_growth_steps"] = DynamicGrowthSteps,
        };

        internal static LossScaleOptimizer FromConfig(ConfigReader c)
        {
            if (c.Raw("dynamic") is JsonValue dynamic && dynamic.GetValueKind() == JsonValueKind.False)
                throw new KerasArgumentException(
                    "LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set `loss_scale_factor` directly on the `inner_optimizer`.");
            // Older Keras wrote the base optimizer's arguments too; their defaults are accepted, anything else refused as Keras does.
            foreach (var key in new[] { "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
                         "loss_scale_factor", "gradient_accumulation_steps" })
            {
                if (!c.Config.ContainsKey(key)) continue;
                var value = c.Raw(key);
                bool isDefault = key switch
                {
                    "use_ema" => value is JsonValue b && b.GetValueKind() == JsonValueKind.False,
                    "ema_momentum" => value is JsonValue m && m.GetValueKind() == JsonValueKind.Number && m.GetValue<double>() == 0.99,
                    _ => value is null,
                };
                if (!isDefault)
                    throw new KerasArgumentException($"LossScaleOptimizer does not support `{key}`. Instead, set `{key}` on the `inner_optimizer`.");
            }
            var inner = c.OptionalObject<Optimizer>("inner_optimizer")
                        ?? throw c.Error("inner_optimizer", "the serialized inner optimizer (LossScaleOptimizer wraps another optimizer)");
            return new LossScaleOptimizer(inner, c.Double("initial_scale", 32768.0), c.Int("dynamic_growth_steps", 2000, min: 1), c.Name);
        }
    }
}

using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.CosineDecay(initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
    /// warmup_target=None, warmup_steps=0)</c>: without <c>warmup_target</c>, cosine decay from
    /// <c>initial_learning_rate</c> to <c>initial_learning_rate * alpha</c> over <c>decay_steps</c>; with it, a linear
    /// warmup from <c>initial_learning_rate</c> to <c>warmup_target</c> over <c>warmup_steps</c>, then cosine decay from
    /// <c>warmup_target</c>. The value stays at its end after the last step.
    /// </summary>
    [KerasClass("CosineDecay")]
    public sealed class CosineDecay : LearningRateSchedule
    {
        /// <summary>Creates the schedule; <paramref name="decaySteps"/> must be positive.</summary>
        public CosineDecay(double initialLearningRate, double decaySteps, double alpha = 0.0, string name = "CosineDecay", double? warmupTarget = null,
            double warmupSteps = 0)
        {
            InitialLearningRate = initialLearningRate;
            DecaySteps = Positive(decaySteps, "decay_steps");
            Alpha = alpha;
            Name = name;
            WarmupTarget = warmupTarget;
            WarmupSteps = warmupSteps;
        }

        /// <summary>initial_learning_rate.</summary>
        public double InitialLearningRate { get; }

        /// <summary>decay_steps.</summary>
        public double DecaySteps { get; }

        /// <summary>alpha: the final rate as a fraction of the rate the decay starts from.</summary>
        public double Alpha { get; }

        /// <summary>name.</summary>
        public string Name { get; }

        /// <summary>warmup_target, or null for no warmup.</summary>
        public double? WarmupTarget { get; }

        /// <summary>warmup_steps.</summary>
        public double WarmupSteps { get; }

        private double Decay(double step, double from)
        {
            double cosine = 0.5 * (1.0 + Math.Cos(Math.PI * (step / DecaySteps)));
            return from * ((1 - Alpha) * cosine + Alpha);
        }

        /// <inheritdoc />
        public override double Call(long step)
        {
            double s = step;
            if (WarmupTarget is not double target) return Decay(Math.Min(s, DecaySteps), InitialLearningRate);
            s = Math.Min(s, DecaySteps + WarmupSteps);
            if (s < WarmupSteps) return (target - InitialLearningRate) * (s / WarmupSteps) + InitialLearningRate;
            return Decay(s - WarmupSteps, target);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["initial_learning_rate"] = InitialLearningRate,
            ["decay_steps"] = DecaySteps,
            ["alpha"] = Alpha,
            ["name"] = Name,
            ["warmup_target"] = WarmupTarget,
            ["warmup_steps"] = WarmupSteps,
        };

        internal static CosineDecay FromConfig(ConfigReader c) => new CosineDecay(
            c.Double("initial_learning_rate"), c.Double("decay_steps"), c.Double("alpha", 0.0), c.Name ?? "CosineDecay",
            c.OptionalDouble("warmup_target"), c.Double("warmup_steps", 0));
    }
}

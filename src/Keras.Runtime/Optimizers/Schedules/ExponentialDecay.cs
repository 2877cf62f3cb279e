using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.ExponentialDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False,
    /// name="ExponentialDecay")</c>: <c>initial_learning_rate * decay_rate ^ (step / decay_steps)</c>, the exponent
    /// floored when <c>staircase</c>.
    /// </summary>
    [KerasClass("ExponentialDecay")]
    public sealed class ExponentialDecay : LearningRateSchedule
    {
        /// <summary>Creates the schedule; <paramref name="decaySteps"/> must be positive.</summary>
        public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false, string name = "ExponentialDecay")
        {
            InitialLearningRate = initialLearningRate;
            DecaySteps = Positive(decaySteps, "decay_steps");
            DecayRate = decayRate;
            Staircase = staircase;
            Name = name;
        }

        /// <summary>initial_learning_rate.</summary>
        public double InitialLearningRate { get; }

        /// <summary>decay_steps.</summary>
        public double DecaySteps { get; }

        /// <summary>decay_rate.</summary>
        public double DecayRate { get; }

        /// <summary>staircase.</summary>
        public bool Staircase { get; }

        /// <summary>name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override double Call(long step)
        {
            double p = step / DecaySteps;
            if (Staircase) p = Math.Floor(p);
            return InitialLearningRate * Math.Pow(DecayRate, p);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["initial_learning_rate"] = InitialLearningRate,
            ["decay_steps"] = DecaySteps,
            ["decay_rate"] = DecayRate,
            ["staircase"] = Staircase,
            ["name"] = Name,
        };

        internal static ExponentialDecay FromConfig(ConfigReader c) => new ExponentialDecay(
            c.Double("initial_learning_rate"), c.Double("decay_steps"), c.Double("decay_rate"), c.Bool("staircase", false),
            c.Name ?? "ExponentialDecay");
    }
}

using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate, decay_steps, decay_rate, staircase=False,
    /// name="InverseTimeDecay")</c>: <c>initial_learning_rate / (1 + decay_rate * step / decay_steps)</c>, the ratio
    /// floored when <c>staircase</c>.
    /// </summary>
    [KerasClass("InverseTimeDecay")]
    public sealed class InverseTimeDecay : LearningRateSchedule
    {
        /// <summary>Creates the schedule; <paramref name="decaySteps"/> must be positive.</summary>
        public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false, string name = "InverseTimeDecay")
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
            return InitialLearningRate / (1 + DecayRate * p);
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

        internal static InverseTimeDecay FromConfig(ConfigReader c) => new InverseTimeDecay(
            c.Double("initial_learning_rate"), c.Double("decay_steps"), c.Double("decay_rate"), c.Bool("staircase", false),
            c.Name ?? "InverseTimeDecay");
    }
}

using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.PolynomialDecay(initial_learning_rate, decay_steps, end_learning_rate=0.0001,
    /// power=1.0, cycle=False, name="PolynomialDecay")</c>: <c>(initial - end) * (1 - step / decay_steps) ^ power + end</c>
    /// with the step capped at <c>decay_steps</c>, or, when <c>cycle</c>, <c>decay_steps</c> stretched to the first
    /// multiple not below the step (1 at step 0).
    /// </summary>
    [KerasClass("PolynomialDecay")]
    public sealed class PolynomialDecay : LearningRateSchedule
    {
        /// <summary>Creates the schedule; <paramref name="decaySteps"/> must be positive.</summary>
        public PolynomialDecay(double initialLearningRate, double decaySteps, double endLearningRate = 0.0001, double power = 1.0, bool cycle = false,
            string name = "PolynomialDecay")
        {
            InitialLearningRate = initialLearningRate;
            DecaySteps = Positive(decaySteps, "decay_steps");
            EndLearningRate = endLearningRate;
            Power = power;
            Cycle = cycle;
            Name = name;
        }

        /// <summary>initial_learning_rate.</summary>
        public double InitialLearningRate { get; }

        /// <summary>decay_steps.</summary>
        public double DecaySteps { get; }

        /// <summary>end_learning_rate.</summary>
        public double EndLearningRate { get; }

        /// <summary>power.</summary>
        public double Power { get; }

        /// <summary>cycle.</summary>
        public bool Cycle { get; }

        /// <summary>name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override double Call(long step)
        {
            double s = step, decaySteps = DecaySteps;
            if (Cycle)
                decaySteps *= s == 0 ? 1.0 : Math.Ceiling(s / DecaySteps);
            else
                s = Math.Min(s, decaySteps);
            double p = s / decaySteps;
            return (InitialLearningRate - EndLearningRate) * Math.Pow(1 - p, Power) + EndLearningRate;
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["initial_learning_rate"] = InitialLearningRate,
            ["decay_steps"] = DecaySteps,
            ["end_learning_rate"] = EndLearningRate,
            ["power"] = Power,
            ["cycle"] = Cycle,
            ["name"] = Name,
        };

        internal static PolynomialDecay FromConfig(ConfigReader c) => new PolynomialDecay(
            c.Double("initial_learning_rate"), c.Double("decay_steps"), c.Double("end_learning_rate", 0.0001), c.Double("power", 1.0),
            c.Bool("cycle", false), c.Name ?? "PolynomialDecay");
    }
}

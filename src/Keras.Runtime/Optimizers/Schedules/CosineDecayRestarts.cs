using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.CosineDecayRestarts(initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
    /// alpha=0.0, name="SGDRDecay")</c>: cosine decay with warm restarts (SGDR). Period i lasts
    /// <c>first_decay_steps * t_mul^i</c> steps and starts from <c>initial_learning_rate * m_mul^i</c>.
    /// </summary>
    [KerasClass("CosineDecayRestarts")]
    public sealed class CosineDecayRestarts : LearningRateSchedule
    {
        /// <summary>Creates the schedule; <paramref name="firstDecaySteps"/> must be positive.</summary>
        public CosineDecayRestarts(double initialLearningRate, double firstDecaySteps, double tMul = 2.0, double mMul = 1.0, double alpha = 0.0,
            string name = "SGDRDecay")
        {
            InitialLearningRate = initialLearningRate;
            FirstDecaySteps = Positive(firstDecaySteps, "first_decay_steps");
            TMul = tMul;
            MMul = mMul;
            Alpha = alpha;
            Name = name;
        }

        /// <summary>initial_learning_rate.</summary>
        public double InitialLearningRate { get; }

        /// <summary>first_decay_steps.</summary>
        public double FirstDecaySteps { get; }

        /// <summary>t_mul: each period is this many times longer than the previous one.</summary>
        public double TMul { get; }

        /// <summary>m_mul: each period starts from this many times the previous period's initial rate.</summary>
        public double MMul { get; }

        /// <summary>alpha.</summary>
        public double Alpha { get; }

        /// <summary>name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override double Call(long step)
        {
            double fraction = step / FirstDecaySteps;
            double restart;
            if (TMul == 1.0)
            {
                restart = Math.Floor(fraction);
                fraction -= restart;
            }
            else
            {
                restart = Math.Floor(Math.Log(1.0 - fraction * (1.0 - TMul)) / Math.Log(TMul));
                double elapsed = (1.0 - Math.Pow(TMul, restart)) / (1.0 - TMul);
                fraction = (fraction - elapsed) / Math.Pow(TMul, restart);
            }
            double cosine = 0.5 * Math.Pow(MMul, restart) * (1.0 + Math.Cos(Math.PI * fraction));
            return InitialLearningRate * ((1 - Alpha) * cosine + Alpha);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["initial_learning_rate"] = InitialLearningRate,
            ["first_decay_steps"] = FirstDecaySteps,
            ["t_mul"] = TMul,
            ["m_mul"] = MMul,
            ["alpha"] = Alpha,
            ["name"] = Name,
        };

        internal static CosineDecayRestarts FromConfig(ConfigReader c) => new CosineDecayRestarts(
            c.Double("initial_learning_rate"), c.Double("first_decay_steps"), c.Double("t_mul", 2.0), c.Double("m_mul", 1.0), c.Double("alpha", 0.0),
            c.Name ?? "SGDRDecay");
    }
}

using System;
using Keras.Optimizers.Schedules;

namespace Keras.Optimizers
{
    /// <summary>
    /// What an optimizer's <c>learning_rate</c> argument accepts, as in Keras: a number or a
    /// <see cref="LearningRateSchedule"/>. Both convert implicitly, so write <c>new Adam(learningRate: 0.01)</c> or
    /// <c>new Adam(learningRate: new CosineDecay(0.01, 1000))</c>.
    /// </summary>
    public readonly struct LearningRateSetting
    {
        private LearningRateSetting(double value, LearningRateSchedule? schedule)
        {
            Value = value;
            Schedule = schedule;
        }

        /// <summary>The fixed rate (NaN when <see cref="Schedule"/> is set).</summary>
        public double Value { get; }

        /// <summary>The schedule, or null for a fixed rate.</summary>
        public LearningRateSchedule? Schedule { get; }

        /// <summary>A fixed learning rate.</summary>
        public static implicit operator LearningRateSetting(double value) => new LearningRateSetting(value, null);

        /// <summary>A learning-rate schedule, evaluated at the optimizer's step.</summary>
        public static implicit operator LearningRateSetting(LearningRateSchedule schedule) =>
            new LearningRateSetting(double.NaN, schedule ?? throw new ArgumentNullException(nameof(schedule)));

        /// <inheritdoc />
        public override string ToString() => Schedule?.GetType().Name ?? Shared.KerasFacts.PythonFloat(Value);
    }
}

using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.LearningRateSchedule</c>: a learning rate as a function of the optimizer's step. Pass one
    /// wherever a learning rate is accepted (<c>new SGD(learningRate: new ExponentialDecay(0.1, 1000, 0.9))</c>); the
    /// optimizer evaluates it at its own step counter before every update, as Keras does. A custom schedule overrides
    /// <see cref="Call"/> (and <see cref="GetConfig"/> to be saved).
    /// </summary>
    [KerasKind("keras.optimizers.schedules", "learning rate schedule")]
    public abstract class LearningRateSchedule : IKerasConfigurable
    {
        /// <summary>Keras' <c>__call__(step)</c>: the learning rate at optimizer step <paramref name="step"/> (0 for the first update).</summary>
        public abstract double Call(long step);

        /// <summary>Keras' <c>get_config()</c>; a custom schedule must override it to be serializable.</summary>
        public virtual JsonObject GetConfig() =>
            throw new KerasInvalidOperationException(
                $"Learning rate schedule '{GetType().Name}' must override `get_config()` in order to be serializable. Override GetConfig() in C#.");

        /// <summary>Keras' check of <c>decay_steps</c> (and <c>first_decay_steps</c>): strictly positive.</summary>
        private protected static double Positive(double value, string name)
        {
            if (!(value > 0))
                throw new KerasArgumentException($"Argument `{name}` must be > 0. Received: {name}={Shared.KerasFacts.PythonFloat(value)}", name);
            return value;
        }
    }
}

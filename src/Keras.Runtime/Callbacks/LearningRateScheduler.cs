using System;
using System.Collections.Generic;
using Keras.Errors;
using Keras.Utilities;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.LearningRateScheduler(schedule, verbose=0)</c>: at the start of every epoch sets the
    /// optimizer's learning rate to <c>schedule(epoch, lr)</c> (epoch counted from 0, <c>lr</c> the current rate), and
    /// records the rate in the epoch's logs as "learning_rate". An optimizer created with a
    /// <see cref="Optimizers.Schedules.LearningRateSchedule"/> refuses it, as in Keras.
    /// </summary>
    public sealed class LearningRateScheduler : Callback
    {
        private readonly Func<int, double, double> _schedule;

        /// <summary>Creates the callback with Keras' <c>schedule(epoch, lr) -> lr</c>.</summary>
        public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
        {
            _schedule = schedule ?? throw new KerasArgumentException("`schedule` must be a function (epoch, lr) => lr.", nameof(schedule));
            Verbose = verbose;
        }

        /// <summary>Creates the callback with Keras' older one-argument form <c>schedule(epoch) -> lr</c>.</summary>
        public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
            : this(schedule is null ? null! : (epoch, _) => schedule(epoch), verbose)
        {
        }

        /// <summary>verbose: 1 prints the new rate at each epoch.</summary>
        public int Verbose { get; }

        private Optimizers.Optimizer Optimizer =>
            Model?.Optimizer ?? throw new KerasArgumentException("Optimizer must have a \"learning_rate\" attribute. Compile the model before fitting it.");

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            var optimizer = Optimizer;
            double rate = _schedule(epoch, optimizer.LearningRate);
            optimizer.LearningRate = rate;
            if (Verbose > 0)
                IoUtils.PrintMsg($"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {Shared.KerasFacts.PythonFloat(rate)}.");
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            // Keras writes into the epoch's logs dict, which the later callbacks (History) see.
            if (logs is IDictionary<string, double> writable) writable["learning_rate"] = Optimizer.LearningRate;
        }
    }
}

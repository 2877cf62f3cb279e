using System;
using System.Collections.Generic;
using Keras.Utilities;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.TerminateOnNaN(raise_error=False)</c>: after each training batch whose logged "loss" is NaN or
    /// infinite, prints "Batch {batch}: Invalid loss, terminating training" and stops training (the epoch's end and
    /// OnTrainEnd still run), or with <see cref="RaiseError"/> throws at once, skipping the other callbacks' cleanup.
    /// </summary>
    public sealed class TerminateOnNaN : Callback
    {
        /// <summary>Creates the callback.</summary>
        public TerminateOnNaN(bool raiseError = false) => RaiseError = raiseError;

        /// <summary>raise_error.</summary>
        public bool RaiseError { get; }

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (logs == null || !logs.TryGetValue("loss", out var loss) || double.IsFinite(loss)) return;
            if (RaiseError)
                throw new InvalidOperationException($"NaN or Inf loss encountered at batch {batch}. Loss value: {Python(loss)}. Terminating training immediately.");
            IoUtils.PrintMsg($"Batch {batch}: Invalid loss, terminating training");
            Model!.StopTraining = true;
        }

        private static string Python(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
    }
}

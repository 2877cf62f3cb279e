using System.Collections.Generic;
using Keras.Models;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.Callback</c>: hooks called by Fit, Evaluate and Predict. Logs map metric names to values
    /// ("loss", "accuracy", "val_loss", ...).
    /// </summary>
    public abstract class Callback
    {
        /// <summary>The model being trained (set before OnTrainBegin).</summary>
        public Model? Model { get; internal set; }

        /// <summary>Fit's parameters: "epochs", "steps", "verbose".</summary>
        public IReadOnlyDictionary<string, object?> Params { get; internal set; } = new Dictionary<string, object?>();

        /// <summary>Start of Fit.</summary>
        public virtual void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of Fit, with the last epoch's logs.</summary>
        public virtual void OnTrainEnd(IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>Start of an epoch (0-based).</summary>
        public virtual void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of an epoch, with its training (and val_) metrics.</summary>
        public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>Start of a training batch.</summary>
        public virtual void OnTrainBatchBegin(int batch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of a training batch, with the running metrics; calls <see cref="OnBatchEnd"/> by default (as Keras).</summary>
        public virtual void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null) => OnBatchEnd(batch, logs);

        /// <summary>Keras' legacy alias of OnTrainBatchEnd.</summary>
        public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>Start of Evaluate (or of validation during Fit).</summary>
        public virtual void OnTestBegin(IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of Evaluate.</summary>
        public virtual void OnTestEnd(IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>Start of an evaluation batch.</summary>
        public virtual void OnTestBatchBegin(int batch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of an evaluation batch.</summary>
        public virtual void OnTestBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>Start of Predict.</summary>
        public virtual void OnPredictBegin(IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of Predict.</summary>
        public virtual void OnPredictEnd(IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>Start of a prediction batch.</summary>
        public virtual void OnPredictBatchBegin(int batch, IReadOnlyDictionary<string, double>? logs = null) { }

        /// <summary>End of a prediction batch.</summary>
        public virtual void OnPredictBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null) { }
    }

    /// <summary><c>keras.callbacks.History</c>: what Fit returns; the metrics of every epoch.</summary>
    public sealed class History : Callback
    {
        /// <summary>Metric name → one value per epoch.</summary>
        public Dictionary<string, List<double>> HistoryDict { get; } = new Dictionary<string, List<double>>();

        /// <summary>The epochs that ran (0-based).</summary>
        public List<int> Epoch { get; } = new List<int>();

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null) => Epoch.Clear();

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            Epoch.Add(epoch);
            foreach (var pair in logs ?? new Dictionary<string, double>())
            {
                if (!HistoryDict.TryGetValue(pair.Key, out var values)) HistoryDict[pair.Key] = values = new List<double>();
                values.Add(pair.Value);
            }
        }
    }
}

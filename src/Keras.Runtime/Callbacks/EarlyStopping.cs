using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using Keras.Utilities;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
    /// baseline=None, restore_best_weights=False, start_from_epoch=0)</c>, exactly as keras-reference.md §5.4.
    /// </summary>
    public sealed class EarlyStopping : Callback
    {
        private Func<double, double, bool>? _monitorOp;
        private double _minDeltaSigned;
        private Tensor[]? _bestWeights;

        /// <summary>Creates the callback.</summary>
        public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, int verbose = 0, string mode = "auto",
            double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
        {
            Monitor = monitor;
            MinDelta = Math.Abs(minDelta);
            Patience = patience;
            Verbose = verbose;
            Mode = MonitorMode.Normalize(mode, $"EarlyStopping mode '{mode}' is unknown, fallback to auto mode.");
            Baseline = baseline;
            RestoreBestWeights = restoreBestWeights;
            StartFromEpoch = startFromEpoch;
        }

        /// <summary>The monitored log key.</summary>
        public string Monitor { get; }
        /// <summary>|min_delta|.</summary>
        public double MinDelta { get; }
        /// <summary>Epochs without improvement before stopping.</summary>
        public int Patience { get; }
        /// <summary>Verbosity.</summary>
        public int Verbose { get; }
        /// <summary>"auto", "min" or "max".</summary>
        public string Mode { get; }
        /// <summary>Value the monitor must beat for patience to reset.</summary>
        public double? Baseline { get; }
        /// <summary>Restore the best epoch's weights at the end.</summary>
        public bool RestoreBestWeights { get; }
        /// <summary>Epochs to wait before monitoring.</summary>
        public int StartFromEpoch { get; }
        /// <summary>Epochs since the last improvement.</summary>
        public int Wait { get; private set; }
        /// <summary>The epoch training stopped at (0 if it did not stop).</summary>
        public int StoppedEpoch { get; private set; }
        /// <summary>The best value seen.</summary>
        public double? Best { get; private set; }
        /// <summary>The best epoch.</summary>
        public int BestEpoch { get; private set; }

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            Wait = 0;
            StoppedEpoch = 0;
            Best = null;
            DisposeBest();
            BestEpoch = 0;
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            _monitorOp ??= ResolveMonitorOp();
            if (logs == null || !logs.TryGetValue(Monitor, out double current))
            {
                IoUtils.Warn($"Early stopping conditioned on metric `{Monitor}` which is not available. Available metrics are: " +
                             string.Join(",", logs?.Keys ?? Enumerable.Empty<string>()));
                return;
            }
            if (epoch < StartFromEpoch) return;
            if (RestoreBestWeights && _bestWeights == null)
            {
                _bestWeights = CopyWeights();
                BestEpoch = epoch;
            }
            Wait++;
            if (IsImprovement(current, Best))
            {
                Best = current;
                BestEpoch = epoch;
                if (RestoreBestWeights)
                {
                    DisposeBest();
                    _bestWeights = CopyWeights();
                }
                if (Baseline == null || IsImprovement(current, Baseline)) Wait = 0;
                return;
            }
            if (Wait >= Patience && epoch > 0)
            {
                StoppedEpoch = epoch;
                Model!.StopTraining = true;
            }
        }

        /// <inheritdoc />
        public override void OnTrainEnd(IReadOnlyDictionary<string, double>? logs = null)
        {
            if (StoppedEpoch > 0 && Verbose > 0) IoUtils.PrintMsg($"Epoch {StoppedEpoch + 1}: early stopping");
            if (RestoreBestWeights && _bestWeights != null)
            {
                if (Verbose > 0) IoUtils.PrintMsg($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
                Model!.SetWeights(_bestWeights);
            }
        }

        private bool IsImprovement(double current, double? reference) =>
            reference == null || _monitorOp!(current - _minDeltaSigned, reference.Value);

        private Func<double, double, bool> ResolveMonitorOp()
        {
            bool greater = MonitorMode.GreaterIsBetter(nameof(EarlyStopping), Monitor, Mode, Model);
            _minDeltaSigned = greater ? MinDelta : -MinDelta;
            return greater ? (a, b) => a > b : (a, b) => a < b;
        }

        private Tensor[] CopyWeights() => Model!.GetWeights().Select(w => w.DetachFromDisposeScope()).ToArray();

        private void DisposeBest()
        {
            if (_bestWeights == null) return;
            foreach (var t in _bestWeights) t.Dispose();
            _bestWeights = null;
        }
    }
}

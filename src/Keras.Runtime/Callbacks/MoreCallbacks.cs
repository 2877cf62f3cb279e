using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Keras.Errors;
using Keras.Utilities;

namespace Keras.Callbacks
{
    /// <summary><c>keras.callbacks.LambdaCallback</c>: hooks given as delegates.</summary>
    public sealed class LambdaCallback : Callback
    {
        private readonly Action<int, IReadOnlyDictionary<string, double>?>? _onEpochBegin, _onEpochEnd, _onTrainBatchBegin, _onTrainBatchEnd;
        private readonly Action<IReadOnlyDictionary<string, double>?>? _onTrainBegin, _onTrainEnd;

        /// <summary>Creates the callback.</summary>
        public LambdaCallback(
            Action<int, IReadOnlyDictionary<string, double>?>? onEpochBegin = null,
            Action<int, IReadOnlyDictionary<string, double>?>? onEpochEnd = null,
            Action<int, IReadOnlyDictionary<string, double>?>? onTrainBatchBegin = null,
            Action<int, IReadOnlyDictionary<string, double>?>? onTrainBatchEnd = null,
            Action<IReadOnlyDictionary<string, double>?>? onTrainBegin = null,
            Action<IReadOnlyDictionary<string, double>?>? onTrainEnd = null)
        {
            _onEpochBegin = onEpochBegin;
            _onEpochEnd = onEpochEnd;
            _onTrainBatchBegin = onTrainBatchBegin;
            _onTrainBatchEnd = onTrainBatchEnd;
            _onTrainBegin = onTrainBegin;
            _onTrainEnd = onTrainEnd;
        }

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null) => _onEpochBegin?.Invoke(epoch, logs);
        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null) => _onEpochEnd?.Invoke(epoch, logs);
        /// <inheritdoc />
        public override void OnTrainBatchBegin(int batch, IReadOnlyDictionary<string, double>? logs = null) => _onTrainBatchBegin?.Invoke(batch, logs);
        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null) => _onTrainBatchEnd?.Invoke(batch, logs);
        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null) => _onTrainBegin?.Invoke(logs);
        /// <inheritdoc />
        public override void OnTrainEnd(IReadOnlyDictionary<string, double>? logs = null) => _onTrainEnd?.Invoke(logs);
    }

    /// <summary>
    /// <c>keras.callbacks.CSVLogger(filename, separator=",", append=False)</c>: one row per epoch ("epoch" then the log
    /// keys in sorted order, as Keras). Each row is flushed when written, so a killed run keeps every finished epoch.
    /// </summary>
    public sealed class CSVLogger : Callback
    {
        private StreamWriter? _writer;
        private string[]? _keys;

        /// <summary>Creates the callback.</summary>
        public CSVLogger(string filename, string separator = ",", bool append = false)
        {
            if (string.IsNullOrEmpty(filename)) throw new KerasArgumentException("`filename` must be a path.", nameof(filename));
            Filename = filename;
            Separator = separator;
            Append = append;
        }

        /// <summary>The CSV file.</summary>
        public string Filename { get; }
        /// <summary>Column separator.</summary>
        public string Separator { get; }
        /// <summary>Append to an existing file (no second header).</summary>
        public bool Append { get; }

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            bool existing = Append && File.Exists(Filename) && new FileInfo(Filename).Length > 0;
            _keys = null;
            if (existing)
            {
                string? header = File.ReadLines(Filename).FirstOrDefault();
                if (header != null) _keys = header.Split(new[] { Separator }, StringSplitOptions.None).Skip(1).ToArray();
            }
            _writer = new StreamWriter(Filename, Append, new UTF8Encoding(false)) { NewLine = "\n", AutoFlush = true };
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (_writer == null) return;
            logs ??= new Dictionary<string, double>();
            if (_keys == null)
            {
                _keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
                _writer.WriteLine(string.Join(Separator, new[] { "epoch" }.Concat(_keys)));
            }
            var cells = new[] { epoch.ToString(CultureInfo.InvariantCulture) }
                .Concat(_keys.Select(k => logs.TryGetValue(k, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "NA"));
            _writer.WriteLine(string.Join(Separator, cells));
        }

        /// <inheritdoc />
        public override void OnTrainEnd(IReadOnlyDictionary<string, double>? logs = null)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    /// <summary>
    /// <c>keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
    /// min_delta=1e-4, cooldown=0, min_lr=0.0)</c>: multiplies the optimizer's learning rate by <c>factor</c> after
    /// <c>patience</c> epochs without improvement.
    /// </summary>
    public sealed class ReduceLROnPlateau : Callback
    {
        private int _wait;
        private int _cooldownCounter;
        private double? _best;

        /// <summary>Creates the callback.</summary>
        public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0, string mode = "auto",
            double minDelta = 1e-4, int cooldown = 0, double minLr = 0.0)
        {
            if (Shared.KerasArgumentRules.ReduceLrFactor.Problem(factor) is { } problem) throw new KerasArgumentException(problem, nameof(factor));
            Monitor = monitor;
            Factor = factor;
            Patience = patience;
            Verbose = verbose;
            Mode = MonitorMode.Normalize(mode, $"Learning rate reduction mode {mode} is unknown, fallback to auto mode.");
            MinDelta = minDelta;
            Cooldown = cooldown;
            MinLr = minLr;
        }

        /// <summary>The monitored key.</summary>
        public string Monitor { get; }
        /// <summary>Reduction factor.</summary>
        public double Factor { get; }
        /// <summary>Epochs without improvement before reducing.</summary>
        public int Patience { get; }
        /// <summary>Verbosity.</summary>
        public int Verbose { get; }
        /// <summary>"auto" (max for accuracy-like keys), "min" or "max".</summary>
        public string Mode { get; }
        /// <summary>Minimum change counted as improvement.</summary>
        public double MinDelta { get; }
        /// <summary>Epochs to wait after a reduction.</summary>
        public int Cooldown { get; }
        /// <summary>Lower bound of the learning rate.</summary>
        public double MinLr { get; }

        private bool Maximize => Mode == "max" || (Mode == "auto" && Monitor.Contains("acc"));

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            _wait = 0;
            _cooldownCounter = 0;
            _best = null;
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (logs == null || !logs.TryGetValue(Monitor, out double current))
            {
                IoUtils.Warn($"Learning rate reduction is conditioned on metric `{Monitor}` which is not available. Available metrics are: " +
                             string.Join(",", logs?.Keys ?? Enumerable.Empty<string>()) + ".");
                return;
            }
            var optimizer = Model?.Optimizer;
            if (optimizer == null) return;
            // Keras records the rate in the epoch's logs (History sees it). Reducing the rate of an optimizer built on a
            // LearningRateSchedule fails in the setter, as in Keras.
            if (logs is IDictionary<string, double> writable) writable["learning_rate"] = optimizer.LearningRate;
            if (_cooldownCounter > 0)
            {
                _cooldownCounter--;
                _wait = 0;
            }
            bool improved = _best == null || (Maximize ? current > _best + MinDelta : current < _best - MinDelta);
            if (improved)
            {
                _best = current;
                _wait = 0;
                return;
            }
            if (_cooldownCounter > 0) return;
            _wait++;
            if (_wait < Patience) return;
            double old = optimizer.LearningRate;
            if (old > MinLr)
            {
                double updated = Math.Max(old * Factor, MinLr);
                optimizer.LearningRate = updated;
                if (Verbose > 0) IoUtils.PrintMsg($"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {updated.ToString("R", CultureInfo.InvariantCulture)}.");
                _cooldownCounter = Cooldown;
                _wait = 0;
            }
        }
    }
}

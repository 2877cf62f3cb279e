using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Keras.Errors;
using Keras.Shared;
using Keras.Utilities;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.ModelCheckpoint(filepath, monitor="val_loss", verbose=0, save_best_only=False,
    /// save_weights_only=False, mode="auto", save_freq="epoch", initial_value_threshold=None)</c>: saves the model
    /// (<c>.keras</c>) or its weights (<c>.weights.h5</c>) at the end of every epoch, or every N batches, optionally only
    /// when the monitored value improves. The file path may hold Python-style placeholders filled from
    /// the epoch (1-based) and the logs, e.g. <c>"ckpt/{epoch:02d}-{val_loss:.2f}.keras"</c>. Files are written
    /// atomically.
    /// </summary>
    public sealed class ModelCheckpoint : Callback
    {
        private static readonly Regex Placeholder = new Regex(@"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}", RegexOptions.CultureInvariant);
        private readonly BatchCounter? _saveEvery;
        private Func<double, double, bool>? _monitorOp;
        private int _currentEpoch;

        /// <summary>Creates the callback, saving at every epoch end (<paramref name="saveFreq"/> must be "epoch").</summary>
        public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false, bool saveWeightsOnly = false,
            string mode = "auto", string saveFreq = "epoch", double? initialValueThreshold = null)
            : this(filepath, monitor, verbose, saveBestOnly, saveWeightsOnly, mode, initialValueThreshold)
        {
            if (saveFreq != "epoch")
                throw new KerasArgumentException($"Unrecognized save_freq: {saveFreq}. Expected save_freq are 'epoch' or integer values", nameof(saveFreq));
        }

        /// <summary>Creates the callback, saving every <paramref name="saveFreq"/> training batches.</summary>
        public ModelCheckpoint(string filepath, int saveFreq, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false,
            bool saveWeightsOnly = false, string mode = "auto", double? initialValueThreshold = null)
            : this(filepath, monitor, verbose, saveBestOnly, saveWeightsOnly, mode, initialValueThreshold)
        {
            if (saveFreq <= 0)
                throw new KerasArgumentException($"Unrecognized save_freq: {saveFreq}. Expected save_freq are 'epoch' or integer values", nameof(saveFreq));
            _saveEvery = new BatchCounter(saveFreq);
        }

        private ModelCheckpoint(string filepath, string monitor, int verbose, bool saveBestOnly, bool saveWeightsOnly, string mode, double? initialValueThreshold)
        {
            if (string.IsNullOrEmpty(filepath)) throw new KerasArgumentException("`filepath` must be a path.", nameof(filepath));
            if (saveWeightsOnly && !filepath.EndsWith(KerasFacts.WeightsFileExtension, StringComparison.Ordinal))
                throw new KerasArgumentException(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` (Keras weights format). " +
                    $"Received: filepath={filepath}", nameof(filepath));
            if (!saveWeightsOnly && !filepath.EndsWith(KerasFacts.ModelFileExtension, StringComparison.Ordinal))
                throw new KerasArgumentException($"The filepath provided must end in `.keras` (Keras model format). Received: filepath={filepath}", nameof(filepath));
            mode = MonitorMode.Normalize(mode, $"ModelCheckpoint mode '{mode}' is unknown, fallback to auto mode.");
            Filepath = filepath;
            Monitor = monitor;
            Verbose = verbose;
            SaveBestOnly = saveBestOnly;
            SaveWeightsOnly = saveWeightsOnly;
            Mode = mode;
            InitialValueThreshold = initialValueThreshold;
        }

        /// <summary>The path pattern.</summary>
        public string Filepath { get; }
        /// <summary>The log key compared when <see cref="SaveBestOnly"/> is set.</summary>
        public string Monitor { get; }
        /// <summary>1 prints a line per save.</summary>
        public int Verbose { get; }
        /// <summary>Save only when the monitored value improves on the best so far.</summary>
        public bool SaveBestOnly { get; }
        /// <summary>Save weights (<c>.weights.h5</c>) instead of the whole model (<c>.keras</c>).</summary>
        public bool SaveWeightsOnly { get; }
        /// <summary>"auto", "min" or "max".</summary>
        public string Mode { get; }
        /// <summary>The value to beat before the first save in best-only mode.</summary>
        public double? InitialValueThreshold { get; }
        /// <summary>The best monitored value so far.</summary>
        public double Best { get; private set; }

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            bool greater = MonitorMode.GreaterIsBetter(nameof(ModelCheckpoint), Monitor, Mode, Model);
            _monitorOp = greater ? (a, b) => a > b : (a, b) => a < b;
            Best = InitialValueThreshold ?? (greater ? double.NegativeInfinity : double.PositiveInfinity);
            _saveEvery?.Reset();
        }

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null) => _currentEpoch = epoch;

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (_saveEvery?.Tick(batch) == true) Save(_currentEpoch, batch, logs);
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            _saveEvery?.EpochEnded();
            if (_saveEvery == null) Save(epoch, null, logs);
        }

        private void Save(int epoch, int? batch, IReadOnlyDictionary<string, double>? logs)
        {
            string path = FormatPath(epoch, batch, logs);
            if (SaveBestOnly)
            {
                if (logs == null || !logs.TryGetValue(Monitor, out double current))
                {
                    IoUtils.Warn($"Can save best model only with {Monitor} available, skipping.");
                    return;
                }
                if (!_monitorOp!(current, Best))
                {
                    if (Verbose > 0) IoUtils.PrintMsg($"\nEpoch {epoch + 1}: {Monitor} did not improve from {Fixed5(Best)}");
                    return;
                }
                if (Verbose > 0)
                    IoUtils.PrintMsg($"\nEpoch {epoch + 1}: {Monitor} improved from {Fixed5(Best)} to " +
                                     $"{Fixed5(current)}, saving model to {path}");
                Best = current;
            }
            else if (Verbose > 0)
            {
                IoUtils.PrintMsg($"\nEpoch {epoch + 1}: saving model to {path}");
            }
            if (SaveWeightsOnly) Model!.SaveWeights(path, overwrite: true);
            else Model!.Save(path, overwrite: true);
        }

        /// <summary>Python's <c>{:.5f}</c>: infinities print as inf and -inf.</summary>
        private static string Fixed5(double value) =>
            double.IsPositiveInfinity(value) ? "inf" : double.IsNegativeInfinity(value) ? "-inf" : value.ToString("F5", CultureInfo.InvariantCulture);

        /// <summary>Fills <c>{epoch}</c>, <c>{batch}</c> (both 1-based) and log keys, with Python format specs (02d, .2f, .3e, %).</summary>
        internal string FormatPath(int epoch, int? batch, IReadOnlyDictionary<string, double>? logs)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            if (logs != null) foreach (var pair in logs) values[pair.Key] = pair.Value;
            values["epoch"] = epoch + 1;
            if (batch is int b) values["batch"] = b + 1;
            return Placeholder.Replace(Filepath, match =>
            {
                string key = match.Groups[1].Value;
                if (!values.TryGetValue(key, out double value))
                    throw new KerasArgumentException(
                        $"Failed to format this callback filepath: \"{Filepath}\". Reason: '{key}' is not available; available keys: " +
                        string.Join(", ", values.Keys) + ".");
                return PythonFormat(value, match.Groups[2].Success ? match.Groups[2].Value : "", key == "epoch" || key == "batch");
            });
        }

        private static string PythonFormat(double value, string spec, bool integral)
        {
            var m = Regex.Match(spec, @"^(?<zero>0)?(?<width>\d+)?(?:\.(?<precision>\d+))?(?<type>[dfFeE%g]?)$");
            if (!m.Success) throw new KerasArgumentException($"Unsupported format spec ':{spec}' in a ModelCheckpoint filepath.");
            string type = m.Groups["type"].Value;
            int? precision = m.Groups["precision"].Success ? int.Parse(m.Groups["precision"].Value, CultureInfo.InvariantCulture) : null;
            string text = type switch
            {
                "d" => ((long)value).ToString(CultureInfo.InvariantCulture),
                "f" or "F" => value.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
                "e" or "E" => PythonExponent(value, precision ?? 6, type),
                "%" => (value * 100).ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture) + "%",
                _ when integral => ((long)value).ToString(CultureInfo.InvariantCulture),
                _ => value.ToString("R", CultureInfo.InvariantCulture),
            };
            if (m.Groups["width"].Success)
            {
                int width = int.Parse(m.Groups["width"].Value, CultureInfo.InvariantCulture);
                if (m.Groups["zero"].Success && text.StartsWith("-", StringComparison.Ordinal)) text = "-" + text.Substring(1).PadLeft(width - 1, '0');
                else text = text.PadLeft(width, m.Groups["zero"].Success ? '0' : ' ');
            }
            return text;
        }

        private static string PythonExponent(double value, int precision, string type)
        {
            string s = value.ToString((type == "E" ? "E" : "e") + precision, CultureInfo.InvariantCulture); // 1.50e+003
            int at = s.IndexOfAny(new[] { 'e', 'E' });
            string exponent = s.Substring(at + 2).TrimStart('0');
            var sb = new StringBuilder(s.Substring(0, at + 2)).Append(exponent.PadLeft(2, '0'));
            return sb.ToString();
        }
    }
}

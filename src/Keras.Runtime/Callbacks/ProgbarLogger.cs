using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using Keras.Utilities;

namespace Keras.Callbacks
{
    /// <summary>
    /// Keras' progress bar (keras/src/utils/progbar.py) as keras-reference.md §5.7 describes it: verbose=1 redraws
    /// <c>10/10 ━━━━━━━━━━━━━━━━━━━━ 0s 3ms/step - loss: 0.2468</c> at most every 50 ms (with \r on a terminal, a new
    /// line otherwise); verbose=2 prints one line per epoch when finished.
    /// </summary>
    public sealed class Progbar
    {
        private const int Width = 20;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly List<string> _order = new List<string>();
        private readonly Dictionary<string, double> _values = new Dictionary<string, double>();
        private readonly bool _dynamic;
        private double _lastUpdate = double.NegativeInfinity;
        private double? _afterFirstStep;
        private int _previousWidth;

        /// <summary>Creates a bar for <paramref name="target"/> steps (null when unknown).</summary>
        public Progbar(int? target, int verbose = 1, double interval = 0.05, bool? dynamicDisplay = null)
        {
            Target = target;
            Verbose = verbose;
            Interval = interval;
            _dynamic = dynamicDisplay ?? !Console.IsOutputRedirected;
        }

        /// <summary>Total steps, or null.</summary>
        public int? Target { get; }
        /// <summary>1 (bar) or 2 (one line when finished).</summary>
        public int Verbose { get; }
        /// <summary>Minimum seconds between redraws.</summary>
        public double Interval { get; }

        /// <summary>Keras' <c>update(current, values, finalize)</c>: values are shown as given (stateful).</summary>
        public void Update(int current, IReadOnlyDictionary<string, double>? values = null, bool? finalize = null)
        {
            bool final = finalize ?? (Target != null && current >= Target);
            foreach (var pair in values ?? new Dictionary<string, double>())
            {
                if (!_values.ContainsKey(pair.Key)) _order.Add(pair.Key);
                _values[pair.Key] = pair.Value;
            }
            double now = _clock.Elapsed.TotalSeconds;
            if (current == 1 && _afterFirstStep == null) _afterFirstStep = now;
            if (Verbose == 1)
            {
                if (!final && now - _lastUpdate < Interval) return;
                _lastUpdate = now;
                var line = new StringBuilder();
                if (Target is int target)
                {
                    int digits = target.ToString(CultureInfo.InvariantCulture).Length;
                    line.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(digits)).Append('/').Append(target).Append(' ');
                    int done = Math.Min(Width, (int)(Width * (double)current / target));
                    line.Append(new string('━', done)).Append(new string('━', Width - done));
                }
                else
                {
                    line.Append(current.ToString(CultureInfo.InvariantCulture).PadLeft(7)).Append("/Unknown");
                }
                double perStep = TimePerStep(current, now);
                if (!final && Target is int t2) line.Append(' ').Append(FormatEta(perStep * (t2 - current)));
                else line.Append(' ').Append(now.ToString("0", CultureInfo.InvariantCulture)).Append('s');
                line.Append(' ').Append(FormatPerStep(perStep));
                AppendValues(line, abs: true);
                string text = line.ToString();
                int width = text.Length;
                if (_previousWidth > width) text += new string(' ', _previousWidth - width);
                _previousWidth = width;
                IoUtils.PrintMsg((_dynamic ? "\r" : "") + text + (final || !_dynamic ? "\n" : ""), lineBreak: false);
            }
            else if (Verbose == 2 && final)
            {
                var line = new StringBuilder();
                line.Append(current).Append('/').Append(Target?.ToString(CultureInfo.InvariantCulture) ?? "Unknown");
                line.Append(" - ").Append(now.ToString("0", CultureInfo.InvariantCulture)).Append("s - ");
                line.Append(FormatPerStep(TimePerStep(current, now)));
                AppendValues(line, abs: false);
                IoUtils.PrintMsg(line.ToString());
            }
        }

        private double TimePerStep(int current, double now) =>
            current > 1 && _afterFirstStep is double first ? (now - first) / (current - 1) : current > 0 ? now / current : 0;

        private void AppendValues(StringBuilder line, bool abs)
        {
            foreach (var key in _order)
            {
                double v = _values[key];
                bool small = abs ? Math.Abs(v) <= 1e-3 : !(v > 1e-3);
                line.Append(" - ").Append(key).Append(": ")
                    .Append(small ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture) : v.ToString("0.0000", CultureInfo.InvariantCulture));
            }
        }

        internal static string FormatEta(double seconds)
        {
            if (seconds > 3600) return $"{(int)(seconds / 3600)}:{(int)(seconds % 3600 / 60):00}:{(int)(seconds % 60):00}";
            if (seconds > 60) return $"{(int)(seconds / 60)}:{(int)(seconds % 60):00}";
            return ((int)seconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        internal static string FormatPerStep(double seconds)
        {
            if (seconds >= 1 || seconds == 0) return seconds.ToString("0", CultureInfo.InvariantCulture) + "s/step";
            if (seconds >= 1e-3) return (seconds * 1e3).ToString("0", CultureInfo.InvariantCulture) + "ms/step";
            return (seconds * 1e6).ToString("0", CultureInfo.InvariantCulture) + "us/step";
        }
    }

    /// <summary>Keras' ProgbarLogger: "Epoch 1/5" headers (when epochs &gt; 1) and a <see cref="Progbar"/> per epoch.</summary>
    public sealed class ProgbarLogger : Callback
    {
        private Progbar? _bar;
        private int _seen;

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            int epochs = (int)(Params.TryGetValue("epochs", out var e) ? e ?? 1 : 1);
            int verbose = (int)(Params.TryGetValue("verbose", out var v) ? v ?? 1 : 1);
            if (verbose > 0 && epochs > 1) IoUtils.PrintMsg($"Epoch {epoch + 1}/{epochs}");
            _bar = new Progbar((int?)(Params.TryGetValue("steps", out var s) ? s : null), verbose);
            _seen = 0;
        }

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null)
        {
            _seen = batch + 1;
            _bar?.Update(_seen, logs, finalize: false);
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null) =>
            _bar?.Update(_seen, logs, finalize: true);
    }
}

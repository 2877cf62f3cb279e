using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Keras.Errors;
using TorchSharp;
using TorchSharp.Modules;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.TensorBoard(log_dir="logs", histogram_freq=0, write_steps_per_second=False,
    /// update_freq="epoch")</c>: writes TensorBoard event files (TorchSharp's writer) as Keras lays them out: training
    /// scalars in <c>{logDir}/train</c>, validation ones in <c>{logDir}/validation</c>, tagged <c>epoch_loss</c>,
    /// <c>epoch_accuracy</c>, ... (the <c>val_</c> prefix dropped), plus <c>epoch_learning_rate</c>; with a batch
    /// frequency, <c>batch_*</c> scalars every N training batches; with a histogram frequency, weight
    /// histograms (<c>{layer}/{weight}/histogram</c>) every N epochs. Open with <c>tensorboard --logdir logs</c>.
    /// Graph, image, profiler and embedding output are not written.
    /// </summary>
    public sealed class TensorBoard : Callback
    {
        private readonly int? _updateEveryBatches;
        private SummaryWriter? _train, _validation;
        private long _globalBatch;
        private readonly Stopwatch _epochClock = new Stopwatch();
        private int _epochSteps;

        /// <summary>Creates the callback, writing scalars at every epoch end (<paramref name="updateFreq"/> "epoch" or "batch").</summary>
        public TensorBoard(string logDir = "logs", int histogramFreq = 0, bool writeStepsPerSecond = false, string updateFreq = "epoch")
        {
            (LogDir, HistogramFreq, WriteStepsPerSecond) = Validate(logDir, histogramFreq, writeStepsPerSecond);
            _updateEveryBatches = updateFreq switch
            {
                "epoch" => null,
                "batch" => 1,
                _ => throw new KerasArgumentException($"Unrecognized update_freq: {updateFreq}. Expected 'epoch', 'batch' or an integer.", nameof(updateFreq)),
            };
        }

        /// <summary>Creates the callback, also writing batch-level scalars every <paramref name="updateFreq"/> training batches.</summary>
        public TensorBoard(string logDir, int histogramFreq, bool writeStepsPerSecond, int updateFreq)
        {
            (LogDir, HistogramFreq, WriteStepsPerSecond) = Validate(logDir, histogramFreq, writeStepsPerSecond);
            if (updateFreq <= 0) throw new KerasArgumentException($"`update_freq` must be positive. Received: update_freq={updateFreq}", nameof(updateFreq));
            _updateEveryBatches = updateFreq;
        }

        private static (string, int, bool) Validate(string logDir, int histogramFreq, bool writeStepsPerSecond)
        {
            if (string.IsNullOrEmpty(logDir)) throw new KerasArgumentException("`log_dir` must be a directory path.", nameof(logDir));
            if (histogramFreq < 0) throw new KerasArgumentException($"`histogram_freq` must be >= 0. Received: histogram_freq={histogramFreq}", nameof(histogramFreq));
            return (logDir, histogramFreq, writeStepsPerSecond);
        }

        /// <summary>The root log directory.</summary>
        public string LogDir { get; }
        /// <summary>Epoch interval of weight histograms (0: none).</summary>
        public int HistogramFreq { get; }
        /// <summary>Also log <c>epoch_steps_per_second</c>.</summary>
        public bool WriteStepsPerSecond { get; }

        private SummaryWriter Train => _train ??= torch.utils.tensorboard.SummaryWriter(Path.Combine(LogDir, "train"));
        private SummaryWriter Validation => _validation ??= torch.utils.tensorboard.SummaryWriter(Path.Combine(LogDir, "validation"));

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            _globalBatch = 0;
            Directory.CreateDirectory(LogDir);
        }

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            _epochSteps = 0;
            _epochClock.Restart();
        }

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null)
        {
            _globalBatch++;
            _epochSteps++;
            if (_updateEveryBatches is not int every || _globalBatch % every != 0 || logs == null) return;
            foreach (var pair in logs) Train.add_scalar("batch_" + pair.Key, (float)pair.Value, (int)_globalBatch);
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (logs != null)
                foreach (var pair in logs)
                {
                    if (pair.Key.StartsWith("val_", StringComparison.Ordinal)) Validation.add_scalar("epoch_" + pair.Key.Substring(4), (float)pair.Value, epoch);
                    else Train.add_scalar("epoch_" + pair.Key, (float)pair.Value, epoch);
                }
            if (Model?.Optimizer is { } optimizer) Train.add_scalar("epoch_learning_rate", (float)optimizer.LearningRate, epoch);
            if (WriteStepsPerSecond && _epochClock.Elapsed.TotalSeconds > 0)
                Train.add_scalar("epoch_steps_per_second", (float)(_epochSteps / _epochClock.Elapsed.TotalSeconds), epoch);
            if (HistogramFreq > 0 && epoch % HistogramFreq == 0 && Model != null)
                foreach (var weight in Model.Weights)
                {
                    using var detached = weight.Value.detach();
                    using var onCpu = detached.cpu();
                    using var values = onCpu.to_type(torch.ScalarType.Float32);
                    Train.add_histogram(weight.Path + "/histogram", values, epoch);
                }
        }
    }
}

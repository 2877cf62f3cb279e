using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Callbacks;
using Keras.Errors;
using Keras.Losses;
using Keras.Metrics;
using Keras.Optimizers;
using Keras.State;
using Keras.Utilities;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>Keras' Trainer: compile, fit, evaluate, predict (keras-reference.md §5).</summary>
    public abstract partial class Model
    {
        private KerasVariable[] _compiledTrainable = Array.Empty<KerasVariable>();
        private bool _trainableSnapshotTaken;
        private Metric[] _metrics = Array.Empty<Metric>();
        private Metric[] _weightedMetrics = Array.Empty<Metric>();
        private string[] _weightedMetricKeys = Array.Empty<string>();
        private readonly Mean _lossTracker = new Mean("loss");

        /// <summary>The optimizer set by <see cref="Compile(Optimizer, Loss, IEnumerable{Metric}, bool, IEnumerable{Metric})"/>.</summary>
        public Optimizer? Optimizer { get; private set; }

        /// <summary>The loss set by Compile.</summary>
        public Loss? Loss { get; private set; }

        /// <summary>The metrics set by Compile (not counting the loss).</summary>
        public IReadOnlyList<Metric> CompiledMetrics => _metrics;

        /// <summary>Whether Compile has been called.</summary>
        public bool Compiled { get; private set; }

        /// <summary>
        /// Keras' <c>model._initial_epoch</c>: set by a callback in OnTrainBegin (BackupAndRestore) to resume Fit at that
        /// epoch. Unlike Keras it is cleared when Fit ends, so a later Fit without the callback starts where asked.
        /// </summary>
        internal int? ResumeEpoch { get; set; }

        /// <summary>Set by a callback to end Fit after the current batch/epoch (Keras' stop_training).</summary>
        public bool StopTraining { get; set; }

        /// <summary>
        /// Keras' <c>compile(optimizer="rmsprop", loss=None, metrics=None, auto_scale_loss=True)</c> with names. It freezes the
        /// trainable state: a later change of <see cref="Keras.Layers.Layer.Trainable"/> takes effect at the next Compile, as
        /// in Keras. With <paramref name="autoScaleLoss"/> a mixed_float16 model gets its optimizer wrapped in a
        /// <see cref="LossScaleOptimizer"/>.
        /// </summary>
        public void Compile(string optimizer = "rmsprop", string? loss = null, IEnumerable<string>? metrics = null, bool autoScaleLoss = true,
            IEnumerable<string>? weightedMetrics = null)
        {
            var names = metrics?.ToArray();
            var weightedNames = weightedMetrics?.ToArray();
            Compile(Optimizers.Optimizer.Get(optimizer), loss == null ? null : Keras.Losses.CompileCrossentropy.ForCompile(loss), names?.Select(Metric.Get), autoScaleLoss,
                weightedNames?.Select(Metric.Get));
            // Keras records the arguments as given: names stay names in compile_config.
            _compileConfig = CompileConfig(optimizer, loss, names?.Select(n => (System.Text.Json.Nodes.JsonNode?)n),
                weightedNames?.Select(n => (System.Text.Json.Nodes.JsonNode?)n));
        }

        private System.Text.Json.Nodes.JsonObject? _compileConfig;

        private static System.Text.Json.Nodes.JsonObject CompileConfig(System.Text.Json.Nodes.JsonNode optimizer, System.Text.Json.Nodes.JsonNode? loss,
            IEnumerable<System.Text.Json.Nodes.JsonNode?>? metrics, IEnumerable<System.Text.Json.Nodes.JsonNode?>? weightedMetrics) => new System.Text.Json.Nodes.JsonObject
        {
            ["optimizer"] = optimizer,
            ["loss"] = loss,
            ["loss_weights"] = null,
            ["metrics"] = metrics == null ? null : new System.Text.Json.Nodes.JsonArray(metrics.ToArray()),
            ["weighted_metrics"] = weightedMetrics == null ? null : new System.Text.Json.Nodes.JsonArray(weightedMetrics.ToArray()),
            ["run_eagerly"] = false,
            ["steps_per_execution"] = 1,
            ["jit_compile"] = false,
        };

        /// <summary>Keras' <c>get_compile_config()</c> as serialized JSON: <c>{}</c> when the model was never compiled.</summary>
        internal System.Text.Json.Nodes.JsonObject CompileConfigJson() =>
            (System.Text.Json.Nodes.JsonObject?)_compileConfig?.DeepClone() ?? new System.Text.Json.Nodes.JsonObject();

        /// <summary>
        /// Keras' compile with objects. As Keras, when <paramref name="autoScaleLoss"/> is true and the model's dtype policy
        /// is mixed_float16, an optimizer that is not already a <see cref="LossScaleOptimizer"/> is wrapped in one
        /// (named "loss_scale_optimizer"; never for mixed_bfloat16); the compile config keeps the optimizer as given.
        /// </summary>
        public void Compile(Optimizer optimizer, Loss? loss, IEnumerable<Metric>? metrics = null, bool autoScaleLoss = true,
            IEnumerable<Metric>? weightedMetrics = null)
        {
            EnsureAlive();
            _outputLosses = null;
            Optimizer = optimizer ?? throw new KerasArgumentException("`optimizer` must be an optimizer or its name.", nameof(optimizer));
            if (autoScaleLoss && DtypePolicy.Name == "mixed_float16" && optimizer is not LossScaleOptimizer)
                Optimizer = new LossScaleOptimizer(optimizer, name: "loss_scale_optimizer");
            Loss = loss;
            _metrics = metrics?.ToArray() ?? Array.Empty<Metric>();
            var duplicate = _metrics.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1 || g.Key == "loss");
            if (duplicate != null)
                throw new KerasArgumentException($"Metric names must be unique and not 'loss'. Received twice or reserved: '{duplicate.Key}'.");
            _weightedMetrics = weightedMetrics?.ToArray() ?? Array.Empty<Metric>();
            if (_weightedMetrics.Any(w => _metrics.Any(m => ReferenceEquals(m, w))))
                throw new KerasArgumentException("A metric object cannot be both in `metrics` and in `weighted_metrics`: give each its own instance.");
            _weightedMetricKeys = WeightedKeys(_metrics.Select(m => m.Name), _weightedMetrics, "");
            // Keras freezes the trainable state at compile; an unbuilt model takes it when it is built.
            _compiledTrainable = Array.Empty<KerasVariable>();
            _trainableSnapshotTaken = false;
            if (Built) SnapshotTrainable();
            Compiled = true;
            _compileConfig = CompileConfig(SavingLib.CompileSerialization.OptimizerConfig(optimizer), loss == null ? null : SavingLib.CompileSerialization.LossConfig(loss),
                metrics == null ? null : _metrics.Select(m => (System.Text.Json.Nodes.JsonNode?)SavingLib.CompileSerialization.MetricConfig(m)),
                weightedMetrics == null ? null : _weightedMetrics.Select(m => (System.Text.Json.Nodes.JsonNode?)SavingLib.CompileSerialization.MetricConfig(m)));
        }

        /// <summary>
        /// Keras' log keys of weighted metrics: their name (prefixed by the output), or "weighted_" + name when a plain
        /// metric already uses it (Keras' CompileMetrics.result).
        /// </summary>
        private static string[] WeightedKeys(IEnumerable<string> plainKeys, IReadOnlyList<Metric> weighted, string prefix)
        {
            var used = new HashSet<string>(plainKeys.Select(k => prefix + k));
            var keys = new string[weighted.Count];
            for (int i = 0; i < keys.Length; i++)
            {
                string key = prefix + weighted[i].Name;
                if (used.Contains(key)) key = prefix + "weighted_" + weighted[i].Name;
                if (!used.Add(key))
                    throw new KerasArgumentException($"Metric names must be unique: '{key}' is used twice in `weighted_metrics`.");
                keys[i] = key;
            }
            return keys;
        }

        private void AssertCompiled()
        {
            if (!Compiled) throw new KerasInvalidOperationException("You must call `compile()` before using the model.");
        }

        /// <summary>
        /// Keras' <c>fit</c> on in-memory tensors (x: samples first; y: labels or targets). Defaults as Keras: batch size 32,
        /// shuffle (a global permutation each epoch), validationSplit takes the last fraction before shuffling, and
        /// validationData wins over it. verbose: 0 silent, 1 progress bar, 2 one line per epoch.
        /// </summary>
        public History Fit(Tensor x, Tensor y, int? batchSize = null, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            double validationSplit = 0, (Tensor X, Tensor Y)? validationData = null, bool shuffle = true, int initialEpoch = 0,
            int? stepsPerEpoch = null, Tensor? sampleWeight = null, IReadOnlyDictionary<int, double>? classWeight = null, Tensor? validationSampleWeight = null)
        {
            using var classWeights = ClassWeights(y, classWeight, sampleWeight, nested: false);
            var weights = classWeights ?? sampleWeight;
            return FitArrays(new[] { x }, new[] { y }, batchSize, epochs, verbose, callbacks, validationSplit, // CheckSamples rejects nulls
                validationData is { } v ? (new[] { v.X }, new[] { v.Y }) : null, shuffle, initialEpoch, stepsPerEpoch,
                weights is null ? null : new[] { weights }, validationSampleWeight is null ? null : new[] { validationSampleWeight });
        }

        /// <summary>
        /// Keras' <c>class_weight_to_sample_weights</c>: one weight per sample from its class (the label, the argmax of a
        /// one-hot target, or the rounded value of a single column), 1 for classes the dict lacks. Null without class weights.
        /// </summary>
        private static Tensor? ClassWeights(Tensor y, IReadOnlyDictionary<int, double>? classWeight, object? sampleWeight, bool nested)
        {
            if (classWeight == null) return null;
            if (sampleWeight != null) throw new KerasArgumentException("You cannot `class_weight` and `sample_weight` at the same time.");
            if (nested) throw new KerasArgumentException("`class_weight` is only supported for Models with a single output.");
            if (y is null) return null;
            using var host = y.detach().cpu();
            using var labels = host.dim() > 1 && host.shape[host.dim() - 1] != 1 ? host.argmax(-1)
                : host.dim() > 1 ? host.squeeze(-1).to_type(ScalarType.Float64).round() : host.to_type(ScalarType.Float64).round();
            using var asInt = labels.to_type(ScalarType.Int64);
            var classes = asInt.data<long>().ToArray();
            var weights = new float[classes.Length];
            for (int i = 0; i < weights.Length; i++) weights[i] = classWeight.TryGetValue((int)classes[i], out var w) ? (float)w : 1f;
            return torch.tensor(weights); // host: beside the caller's targets; batches move to the model's device per step
        }

        /// <summary>
        /// Keras' <c>fit</c> for a model with several inputs and/or outputs: one tensor per input in <paramref name="x"/>
        /// and one target per output in <paramref name="y"/>, all with the same number of samples (Keras'
        /// <c>model.fit([a, b], [y1, y2])</c>). Compile it with one loss per output.
        /// </summary>
        public History Fit(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int? batchSize = null, int epochs = 1, int verbose = 1,
            IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (IReadOnlyList<Tensor> X, IReadOnlyList<Tensor> Y)? validationData = null,
            bool shuffle = true, int initialEpoch = 0, int? stepsPerEpoch = null, IReadOnlyList<Tensor>? sampleWeight = null,
            IReadOnlyDictionary<int, double>? classWeight = null, IReadOnlyList<Tensor>? validationSampleWeight = null)
        {
            using var classWeights = ClassWeights(y?.Count > 0 ? y[0] : null!, classWeight, sampleWeight, nested: y?.Count > 1);
            var weights = classWeights is null ? sampleWeight?.ToArray() : new[] { classWeights };
            return FitArrays(x?.ToArray()!, y?.ToArray()!, batchSize, epochs, verbose, callbacks, validationSplit,
                validationData is { } v ? (v.X.ToArray(), v.Y.ToArray()) : null, shuffle, initialEpoch, stepsPerEpoch, weights, validationSampleWeight?.ToArray());
        }

        /// <summary>
        /// The targets followed by the sample weights (one per output; a single one applies to every output), checked as
        /// Keras checks them: one weight array per output, as many samples as the data.
        /// </summary>
        private Tensor[] WithWeights(Tensor[] y, Tensor[]? weights)
        {
            if (weights == null) return y;
            if (weights.Any(w => w is null)) throw new KerasArgumentException("`sample_weight` must not contain null entries.", "sampleWeight");
            if (weights.Length != 1 && weights.Length != y.Length)
                throw new KerasArgumentException(
                    "You should provide one `sample_weight` array per output in `y`. The two structures did not match:\n" +
                    $"- y: {y.Length} output(s)\n- sample_weight: {weights.Length} array(s)", "sampleWeight");
            long samples = y[0].dim() == 0 ? 0 : y[0].shape[0];
            foreach (var w in weights)
                if (w.dim() == 0 || w.shape[0] != samples)
                    throw new KerasArgumentException(
                        $"Data cardinality is ambiguous: y sizes: {string.Join(", ", y.Select(t => t.dim() == 0 ? 0 : t.shape[0]))}, sample_weight sizes: " +
                        $"{string.Join(", ", weights.Select(t => t.dim() == 0 ? 0 : t.shape[0]))}. Make sure all arrays contain the same number of samples.", "sampleWeight");
            var all = new Tensor[y.Length * 2];
            for (int i = 0; i < y.Length; i++)
            {
                all[i] = y[i];
                all[y.Length + i] = weights.Length == 1 ? weights[0] : weights[i];
            }
            return all;
        }

        /// <summary>Splits a batch's targets from the sample weights riding behind them (no allocation without weights).</summary>
        private (Tensor[] Y, Tensor[]? W) SplitWeights(Tensor[] y)
        {
            int targets = IsMultiIO ? OutputCount : 1;
            if (y.Length <= targets) return (y, null);
            return (y.Take(targets).ToArray(), y.Skip(targets).ToArray());
        }

        private History FitArrays(Tensor[] x, Tensor[] y, int? batchSize, int epochs, int verbose, IEnumerable<Callback>? callbacks,
            double validationSplit, (Tensor[] X, Tensor[] Y)? validationData, bool shuffle, int initialEpoch, int? stepsPerEpoch,
            Tensor[]? sampleWeight = null, Tensor[]? validationSampleWeight = null)
        {
            EnsureAlive();
            AssertCompiled();
            CheckSamples(x, y);
            CheckArity(x, y);
            y = WithWeights(y, sampleWeight);
            if (validationData is { } given && validationSampleWeight != null) validationData = (given.X, WithWeights(given.Y, validationSampleWeight));
            InputChecks.ValidationSplit(validationSplit);
            InputChecks.BatchSize(batchSize);
            InputChecks.Steps(stepsPerEpoch, "steps_per_epoch");
            InputChecks.Epochs(epochs, initialEpoch);
            InputChecks.NotEmpty(x[0].shape[0], "Fit");
            Tensor[] trainX = x, trainY = y;
            (Tensor[] X, Tensor[] Y)? validation = validationData;
            var views = new List<Tensor>();
            try
            {
                if (validationSplit > 0 && validationData == null)
                {
                    long n = x[0].shape[0];
                    long splitAt = (long)Math.Floor(n * (1 - validationSplit));
                    if (splitAt == 0 || splitAt == n)
                        throw new KerasArgumentException(
                            $"Training data contains {n} samples, which is not sufficient to split it into a validation and training set as specified by " +
                            $"`validation_split={validationSplit}`. Either provide more data, or a different value for the `validation_split` argument.");
                    Tensor[] Slice(Tensor[] all, long start, long length)
                    {
                        var parts = Rows(all, start, length);
                        foreach (var part in parts) views.Add(part.DetachFromDisposeScope());
                        return parts;
                    }
                    trainX = Slice(x, 0, splitAt);
                    trainY = Slice(y, 0, splitAt);
                    validation = (Slice(x, splitAt, n - splitAt), Slice(y, splitAt, n - splitAt));
                }

                MaybeBuildFor(trainX[0]);
                if (ModelDevice is { type: TorchSharp.DeviceType.CUDA })
                {
                    // Host data for a GPU model: pinned once, so each batch's copy is asynchronous.
                    Tensor[] Pin(Tensor[] all) => all.Select(t =>
                    {
                        if (t.device_type != TorchSharp.DeviceType.CPU || t.is_pinned()) return t;
                        var pinnedCopy = t.pin_memory().DetachFromDisposeScope();
                        views.Add(pinnedCopy);
                        return pinnedCopy;
                    }).ToArray();
                    trainX = Pin(trainX);
                    trainY = Pin(trainY);
                }
                long samples = trainX[0].shape[0];
                int batch = batchSize ?? (stepsPerEpoch is int s && s > 0 ? (int)Math.Ceiling(samples / (double)s) : 32);
                if (batch <= 0) throw new KerasArgumentException($"`batch_size` must be positive. Received: batch_size={batch}", nameof(batchSize));
                int steps = (int)Math.Ceiling(samples / (double)batch);
                if (stepsPerEpoch is int requested && requested > 0) steps = Math.Min(steps, requested);
                if (Config.MaxStepsPerEpoch() is int maxSteps && maxSteps > 0 && maxSteps < steps)
                {
                    IoUtils.Warn($"Limiting steps_per_epoch to {maxSteps}");
                    steps = maxSteps;
                }

                MaybeBuildFor(trainX[0]);
                // One draw per Fit, one permutation per epoch derived from it: a run resumed at epoch e (BackupAndRestore)
                // shuffles epoch e exactly as the uninterrupted run did.
                int fitSeed = shuffle ? KerasRandom.NextSeed() : 0;
                IEnumerable<(Tensor[] X, Tensor[] Y)> EpochBatches(int epoch)
                {
                    // Created during the first step's dispose scope but needed for the whole epoch: owned here instead.
                    using var order = shuffle ? Permutation(samples, fitSeed, epoch).DetachFromDisposeScope() : null;
                    for (int step = 0; step < steps; step++)
                    {
                        long begin = (long)step * batch;
                        long size = Math.Min(batch, samples - begin);
                        if (order is null)
                        {
                            yield return (Rows(trainX, begin, size), Rows(trainY, begin, size));
                        }
                        else
                        {
                            using var index = order.narrow(0, begin, size);
                            yield return (trainX.Select(t => Take(t, index)).ToArray(), trainY.Select(t => Take(t, index)).ToArray());
                        }
                    }
                }
                return FitLoop(EpochBatches, steps, epochs, verbose, callbacks, validation, batch, initialEpoch);
            }
            finally
            {
                foreach (var view in views) view.Dispose();
            }
        }

        /// <summary>
        /// Keras' <c>fit</c> on a stream of (x, y) batches, for data that does not fit in memory. Without
        /// <paramref name="stepsPerEpoch"/> every epoch enumerates <paramref name="batches"/> afresh; with it, one
        /// enumeration continues across epochs (as with a Keras generator) and training stops with Keras' warning
        /// when it runs out. validationSplit is not supported for streams (Keras' error); pass validationData.
        /// Batches created while the stream is enumerated are disposed after their step.
        /// </summary>
        public History Fit(IEnumerable<(Tensor X, Tensor Y)> batches, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            double validationSplit = 0, (Tensor X, Tensor Y)? validationData = null, int initialEpoch = 0, int? stepsPerEpoch = null)
        {
            if (batches is null) throw new KerasArgumentException("`batches` must be a sequence of (x, y) batches.", nameof(batches));
            return FitStream(batches.Select(b => (new[] { b.X }, new[] { b.Y })), batches.GetType().Name, epochs, verbose, callbacks, validationSplit,
                validationData is { } v ? (new[] { v.X }, new[] { v.Y }) : null, initialEpoch, stepsPerEpoch);
        }

        /// <summary>
        /// Keras' <c>fit</c> on a stream of batches for a model with several inputs and/or outputs: each batch holds one
        /// tensor per input and one target per output. Same rules as the single-tensor stream overload.
        /// </summary>
        public History Fit(IEnumerable<(Tensor[] X, Tensor[] Y)> batches, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            double validationSplit = 0, (Tensor[] X, Tensor[] Y)? validationData = null, int initialEpoch = 0, int? stepsPerEpoch = null)
        {
            if (batches is null) throw new KerasArgumentException("`batches` must be a sequence of (x, y) batches.", nameof(batches));
            return FitStream(batches, batches.GetType().Name, epochs, verbose, callbacks, validationSplit, validationData, initialEpoch, stepsPerEpoch);
        }

        private History FitStream(IEnumerable<(Tensor[] X, Tensor[] Y)> batches, string sourceType, int epochs, int verbose, IEnumerable<Callback>? callbacks,
            double validationSplit, (Tensor[] X, Tensor[] Y)? validationData, int initialEpoch, int? stepsPerEpoch)
        {
            EnsureAlive();
            AssertCompiled();
            if (validationSplit != 0)
                throw new KerasArgumentException(
                    "Argument `validation_split` is only supported for tensors or NumPy arrays.Found incompatible type in the input: [" +
                    sourceType + "]. Pass validationData instead.", nameof(validationSplit));
            InputChecks.Steps(stepsPerEpoch, "steps_per_epoch");
            InputChecks.Epochs(epochs, initialEpoch);
            int? steps = stepsPerEpoch;
            if (steps is int capped && Config.MaxStepsPerEpoch() is int maxSteps && maxSteps > 0 && maxSteps < capped) steps = maxSteps;
            IEnumerator<(Tensor[] X, Tensor[] Y)>? shared = steps != null ? batches.GetEnumerator() : null;
            IEnumerable<(Tensor[] X, Tensor[] Y)> EpochBatches(int epoch)
            {
                if (shared == null)
                {
                    foreach (var b in batches) yield return b;
                    yield break;
                }
                for (int i = 0; i < steps!.Value; i++)
                {
                    if (!shared.MoveNext())
                    {
                        IoUtils.Warn("Your input ran out of data; interrupting training. Make sure that your dataset or generator can generate at " +
                                     "least `steps_per_epoch * epochs` batches.");
                        StopTraining = true;
                        yield break;
                    }
                    yield return shared.Current;
                }
            }
            try
            {
                return FitLoop(EpochBatches, steps, epochs, verbose, callbacks, validationData, 32, initialEpoch);
            }
            finally
            {
                shared?.Dispose();
            }
        }

        private History FitLoop(Func<int, IEnumerable<(Tensor[] X, Tensor[] Y)>> epochBatches, int? steps, int epochs, int verbose,
            IEnumerable<Callback>? callbacks, (Tensor[] X, Tensor[] Y)? validation, int validationBatchSize, int initialEpoch)
        {
            if (Config.MaxEpochs() is int maxEpochs && maxEpochs > 0 && maxEpochs < epochs)
            {
                IoUtils.Warn($"Limiting epochs to {maxEpochs}");
                epochs = maxEpochs;
            }
            var history = new History();
            var list = CallbackList(callbacks, history, verbose, epochs, steps);
            StopTraining = false;
            ResumeEpoch = null;
            try
            {
                list.ForEach(c => c.OnTrainBegin());
                if (ResumeEpoch is int resume && resume > 0) initialEpoch = resume;
                return RunEpochs(epochBatches, epochs, list, validation, validationBatchSize, initialEpoch, history);
            }
            finally
            {
                ResumeEpoch = null;
            }
        }

        private History RunEpochs(Func<int, IEnumerable<(Tensor[] X, Tensor[] Y)>> epochBatches, int epochs, List<Callback> list,
            (Tensor[] X, Tensor[] Y)? validation, int validationBatchSize, int initialEpoch, History history)
        {
            Dictionary<string, double> epochLogs = new Dictionary<string, double>();
            for (int epoch = initialEpoch; epoch < epochs; epoch++)
            {
                ResetMetrics();
                list.ForEach(c => c.OnEpochBegin(epoch));
                var logs = new Dictionary<string, double>();
                using (var batches = epochBatches(epoch).GetEnumerator())
                {
                    for (int step = 0; ; step++)
                    {
                        using (var scope = torch.NewDisposeScope())
                        {
                            if (!batches.MoveNext()) break;
                            var (bx, by) = batches.Current;
                            bx = OnModelDevice(bx);
                            by = OnModelDevice(by);
                            var (targets, weights) = SplitWeights(by);
                            if (step == 0)
                            {
                                CheckSamples(bx, by);
                                CheckArity(bx, targets);
                                MaybeBuildFor(bx[0]);
                            }
                            list.ForEach(c => c.OnTrainBatchBegin(step));
                            CurrentBatch = step;
                            logs = IsMultiIO ? TrainStepMulti(bx, targets, weights)
                                : weights is null && bx.Length == 1 ? TrainStep(bx[0], targets[0]) // several inputs, one output and one loss: no single-tensor override
                                : TrainStepWeighted(bx, targets[0], weights?[0]);
                        }
                        list.ForEach(c => c.OnTrainBatchEnd(step, logs));
                        if (StopTraining) break;
                    }
                }
                epochLogs = new Dictionary<string, double>(logs);
                if (validation is { } v)
                {
                    // Keras evaluates with the fit's callbacks: their test hooks run (SwapEMAWeights swaps the EMA weights in).
                    var validationLogs = EvaluateArrays(v.X, v.Y, validationBatchSize, verbose: 0, callbacks: list);
                    foreach (var pair in validationLogs) epochLogs["val_" + pair.Key] = pair.Value;
                }
                list.ForEach(c => c.OnEpochEnd(epoch, epochLogs));
                if (StopTraining) break;
            }
            // Keras: after the epochs, an EMA optimizer writes the moving averages into the weights.
            if (epochs > 0) Optimizer?.FinalizeVariableValues(_compiledTrainable);
            list.ForEach(c => c.OnTrainEnd(epochLogs));
            return history;
        }

        /// <summary>Fit on arrays: x as [samples, features], y as per-sample labels (int) or targets.</summary>
        public History Fit(float[,] x, int[] y, int? batchSize = null, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            double validationSplit = 0, bool shuffle = true, int initialEpoch = 0)
        {
            using var tx = torch.tensor(x); // host: the caller's arrays; batches move to the model's device per step
            using var ty = torch.tensor(y.Select(v => (long)v).ToArray()); // host: the caller's labels
            return Fit(tx, ty, batchSize, epochs, verbose, callbacks, validationSplit, null, shuffle, initialEpoch);
        }

        /// <summary>Fit on arrays with float targets [samples, outputs].</summary>
        public History Fit(float[,] x, float[,] y, int? batchSize = null, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            double validationSplit = 0, bool shuffle = true, int initialEpoch = 0)
        {
            using var tx = torch.tensor(x); // host: the caller's arrays; batches move to the model's device per step
            using var ty = torch.tensor(y); // host: the caller's targets
            return Fit(tx, ty, batchSize, epochs, verbose, callbacks, validationSplit, null, shuffle, initialEpoch);
        }

        /// <summary>
        /// One training step (Keras' <c>train_step</c>): forward with training=true, loss, gradients, optimizer update,
        /// metrics. Override to customise what Fit does per batch; return the logs.
        /// </summary>
        protected virtual Dictionary<string, double> TrainStep(Tensor x, Tensor y) => TrainStepWeighted(new[] { x }, y, null);

        /// <summary>
        /// The training step with per-sample weights (Keras' <c>train_step</c> on (x, y, sample_weight)): the loss weighs
        /// each sample's value, weighted metrics get the weights, plain metrics do not.
        /// </summary>
        private Dictionary<string, double> TrainStepWeighted(Tensor[] x, Tensor y, Tensor? sampleWeight)
        {
            var loss = Loss ?? throw new KerasInvalidOperationException("Fit needs a loss: pass `loss` to Compile().");
            // Gradients are reset to none (PyTorch's zero_grad(set_to_none=True)): backward writes fresh ones, no zeroing kernel.
            foreach (var v in _compiledTrainable) v.Value.grad = null;
            var yPred = ForwardWithMask(x, training: true, out var yMask);
            using var yMaskOwner = yMask;
            Tensor value;
            try
            {
                value = WithRegularization(MaskedLossValue(loss, y, yPred, yMask, sampleWeight));
            }
            catch (Exception e) when (e is not IKerasException)
            {
                throw InputChecks.LossFailure(e, $"The loss '{loss.Name}'", CurrentBatch, y, yPred);
            }
            // Keras: the optimizer scales the loss (loss_scale_factor, LossScaleOptimizer) and unscales the gradients in Apply.
            Optimizer!.ScaleLoss(value).backward();
            Optimizer.Apply(_compiledTrainable);
            _lossTracker.UpdateState(value.item<float>(), x[0].shape[0]);
            using (torch.no_grad()) UpdateMetrics(y, yPred, sampleWeight, yMask);
            return Logs();
        }

        /// <summary>The batch the current Fit/Evaluate step works on (for error messages).</summary>
        private protected int CurrentBatch { get; set; }

        /// <summary>The compiled metrics on one batch; <paramref name="mask"/> is the output's mask (metrics that follow Keras' masks use it).</summary>
        private void UpdateMetrics(Tensor y, Tensor yPred, Tensor? sampleWeight, Tensor? mask = null)
        {
            foreach (var m in _metrics) UpdateMetric(m, y, yPred, null, mask);
            foreach (var m in _weightedMetrics) UpdateMetric(m, y, yPred, sampleWeight, mask);
        }

        private void UpdateMetric(Metric m, Tensor y, Tensor yPred, Tensor? sampleWeight, Tensor? mask = null)
        {
            try
            {
                m.UpdateState(y, yPred, sampleWeight, mask);
            }
            catch (Exception e) when (e is not IKerasException)
            {
                throw InputChecks.LossFailure(e, $"The metric '{m.Name}'", CurrentBatch, y, yPred);
            }
        }

        /// <summary>One evaluation step (Keras' <c>test_step</c>): forward with training=false, loss and metrics.</summary>
        protected virtual Dictionary<string, double> TestStep(Tensor x, Tensor y) => TestStepWeighted(new[] { x }, y, null);

        private Dictionary<string, double> TestStepWeighted(Tensor[] x, Tensor y, Tensor? sampleWeight)
        {
            using var _ = torch.no_grad();
            var yPred = ForwardWithMask(x, training: false, out var yMask);
            using var yMaskOwner = yMask;
            if (Loss != null)
            {
                Tensor value;
                try
                {
                    value = WithRegularization(MaskedLossValue(Loss, y, yPred, yMask, sampleWeight));
                }
                catch (Exception e) when (e is not IKerasException)
                {
                    throw InputChecks.LossFailure(e, $"The loss '{Loss.Name}'", CurrentBatch, y, yPred);
                }
                using (value) _lossTracker.UpdateState(value.item<float>(), x[0].shape[0]);
            }
            UpdateMetrics(y, yPred, sampleWeight, yMask);
            return Logs();
        }

        /// <summary>
        /// Keras' <c>model.losses</c>: the activity-regularization losses of every layer's latest call, then the
        /// penalties of the trainable weights that have a regularizer, computed now. Training adds their sum to the loss.
        /// The weight penalties are new tensors the caller owns.
        /// </summary>
        public IReadOnlyList<Tensor> Losses
        {
            get
            {
                EnsureAlive();
                var losses = new List<Tensor>();
                foreach (var layer in FlattenLayers()) if (layer.ActivityLoss is { } activity) losses.Add(activity);
                foreach (var v in TrainableWeights) if (v.Regularizer is { } regularizer) losses.Add(regularizer.Call(v.Value));
                return losses;
            }
        }

        /// <summary>This model and every layer inside it, depth first (Keras' <c>_flatten_layers</c>).</summary>
        internal IEnumerable<Keras.Layers.Layer> FlattenLayers()
        {
            yield return this;
            foreach (var layer in Layers)
            {
                if (layer is Model inner)
                    foreach (var nested in inner.FlattenLayers()) yield return nested;
                else
                    yield return layer;
            }
        }

        private KerasVariable[] _regularizedWeights = Array.Empty<KerasVariable>();
        private Keras.Layers.Layer[] _activityLayers = Array.Empty<Keras.Layers.Layer>();

        /// <summary>Takes the compiled trainable variables (Keras freezes them at compile) and what regularizes them.</summary>
        private void SnapshotTrainable()
        {
            _compiledTrainable = TrainableWeights.ToArray();
            _regularizedWeights = _compiledTrainable.Where(v => v.Regularizer != null).ToArray();
            _activityLayers = FlattenLayers().Where(l => l.ActivityRegularizer != null).ToArray();
            _trainableSnapshotTaken = true;
        }

        /// <summary>The loss plus the sum of <see cref="Losses"/> (Keras' compute_loss); the loss itself when there is nothing to add.</summary>
        private Tensor WithRegularization(Tensor loss)
        {
            if (_regularizedWeights.Length == 0 && _activityLayers.Length == 0) return loss;
            var total = loss;
            foreach (var layer in _activityLayers)
                if (layer.ActivityLoss is { } activity) total = total.add(activity.to_type(total.dtype));
            foreach (var v in _regularizedWeights)
            {
                using var penalty = v.Regularizer!.Call(v.Value);
                total = total.add(penalty.to_type(total.dtype));
            }
            return total;
        }

        /// <summary>Keras' <c>train_on_batch</c>: one step on one batch; returns the logs.</summary>
        public Dictionary<string, double> TrainOnBatch(Tensor x, Tensor y)
        {
            EnsureAlive();
            AssertCompiled();
            CheckSamples(x, y);
            MaybeBuildFor(x);
            ResetMetrics();
            using var scope = torch.NewDisposeScope();
            return TrainStep(x, y);
        }

        /// <summary>Keras' <c>evaluate</c>: loss and metrics over the data, in batches, without shuffling.</summary>
        public Dictionary<string, double> Evaluate(Tensor x, Tensor y, int? batchSize = null, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            Tensor? sampleWeight = null)
            => EvaluateArrays(new[] { x }, sampleWeight is null ? new[] { y } : new[] { y, sampleWeight }, batchSize, verbose, callbacks); // CheckSamples rejects nulls

        /// <summary>
        /// Keras' <c>evaluate(..., return_dict=False)</c>: the values in Keras' order, the loss first, then the metrics
        /// (a single value when the model has only its loss).
        /// </summary>
        public double[] EvaluateValues(Tensor x, Tensor y, int? batchSize = null, int verbose = 1, IEnumerable<Callback>? callbacks = null,
            Tensor? sampleWeight = null) => Evaluate(x, y, batchSize, verbose, callbacks, sampleWeight).Values.ToArray();

        /// <summary>Keras' <c>evaluate</c> for several inputs and/or outputs (one tensor per input, one target per output).</summary>
        public Dictionary<string, double> Evaluate(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y, int? batchSize = null, int verbose = 1,
            IEnumerable<Callback>? callbacks = null, IReadOnlyList<Tensor>? sampleWeight = null) =>
            EvaluateArrays(x?.ToArray()!, y?.ToArray()!, batchSize, verbose, callbacks, sampleWeight?.ToArray());

        private Dictionary<string, double> EvaluateArrays(Tensor[] x, Tensor[] y, int? batchSize, int verbose, IEnumerable<Callback>? callbacks,
            Tensor[]? sampleWeight = null)
        {
            EnsureAlive();
            AssertCompiled();
            if (sampleWeight != null) y = WithWeights(y, sampleWeight);
            CheckSamples(x, y);
            CheckArity(x, SplitWeights(y).Y);
            InputChecks.BatchSize(batchSize);
            InputChecks.NotEmpty(x[0].shape[0], "Evaluate");
            MaybeBuildFor(x[0]);
            long samples = x[0].shape[0];
            int batch = batchSize ?? 32;
            int steps = (int)Math.Ceiling(samples / (double)batch);
            if (Config.MaxStepsPerEpoch() is int maxSteps && maxSteps > 0 && maxSteps < steps) steps = maxSteps;
            var list = (callbacks ?? Enumerable.Empty<Callback>()).ToList();
            foreach (var c in list) c.Model = this;
            ResetMetrics();
            var bar = verbose > 0 ? new Progbar(steps, verbose) : null;
            list.ForEach(c => c.OnTestBegin());
            var logs = Logs();
            for (int step = 0; step < steps; step++)
            {
                list.ForEach(c => c.OnTestBatchBegin(step));
                long begin = (long)step * batch;
                long size = Math.Min(batch, samples - begin);
                CurrentBatch = step;
                using (var scope = torch.NewDisposeScope())
                {
                    var bx = OnModelDevice(Rows(x, begin, size));
                    var (by, bw) = SplitWeights(OnModelDevice(Rows(y, begin, size)));
                    logs = IsMultiIO ? TestStepMulti(bx, by, bw)
                        : bw is null && bx.Length == 1 ? TestStep(bx[0], by[0])
                        : TestStepWeighted(bx, by[0], bw?[0]);
                }
                list.ForEach(c => c.OnTestBatchEnd(step, logs));
                bar?.Update(step + 1, logs);
            }
            list.ForEach(c => c.OnTestEnd(logs));
            return logs;
        }

        /// <summary>Keras' <c>predict</c>: outputs for every sample, in batches, with training=false; the result is on the CPU.</summary>
        public Tensor Predict(Tensor x, int? batchSize = null, int verbose = 0) =>
            PredictBatches(new[] { x }, batchSize, verbose, batch => new[] { Call(batch[0], training: false) })[0];

        /// <summary>
        /// The predict loop for one or several inputs: <paramref name="call"/> per batch of rows, outputs gathered on the CPU
        /// and concatenated, Keras' step cap and progress bar.
        /// </summary>
        private Tensor[] PredictBatches(Tensor[] x, int? batchSize, int verbose, Func<Tensor[], Tensor[]> call)
        {
            EnsureAlive();
            if (x is null || x.Length == 0 || x.Any(t => t is null)) throw new KerasArgumentException("Predict needs input data (one tensor per model input).", nameof(x));
            InputChecks.BatchSize(batchSize);
            if (x[0].dim() == 0) throw new KerasArgumentException("Predict needs inputs with a batch dimension; received a scalar.", nameof(x));
            InputChecks.NotEmpty(x[0].shape[0], "Predict");
            MaybeBuildFor(x[0]);
            long samples = x[0].shape[0];
            int batch = batchSize ?? 32;
            int steps = (int)Math.Ceiling(samples / (double)batch);
            if (Config.MaxStepsPerEpoch() is int maxSteps && maxSteps > 0 && maxSteps < steps) steps = maxSteps;
            var bar = verbose > 0 ? new Progbar(steps, verbose) : null;
            List<Tensor>[]? parts = null;
            try
            {
                using var _ = torch.no_grad();
                for (int step = 0; step < steps; step++)
                {
                    long begin = (long)step * batch;
                    using var scope = torch.NewDisposeScope();
                    var outputs = call(OnModelDevice(Rows(x, begin, Math.Min(batch, samples - begin))));
                    parts ??= outputs.Select(_ => new List<Tensor>()).ToArray();
                    for (int i = 0; i < outputs.Length; i++) parts[i].Add(outputs[i].cpu().MoveToOuterDisposeScope());
                    bar?.Update(step + 1);
                }
                return parts!.Select(p => torch.cat(p, 0)).ToArray();
            }
            finally
            {
                if (parts != null) foreach (var t in parts.SelectMany(p => p)) t.Dispose();
            }
        }

        /// <summary>
        /// The device the model's variables live on (null before it has any): batches are moved there per step, as Keras
        /// moves host data to its device, with non-blocking copies from pinned host memory when the target is a GPU.
        /// </summary>
        internal torch.Device? ModelDevice
        {
            get
            {
                var weights = TrainableWeights;
                if (weights.Count > 0) return weights[0].Value.device;
                var other = NonTrainableWeights;
                return other.Count > 0 ? other[0].Value.device : null;
            }
        }

        private torch.Device? _stepDevice;

        /// <summary>The tensors on the model's device (the same tensors when they are there; new ones, owned by the step's scope, otherwise).</summary>
        private Tensor[] OnModelDevice(Tensor[] batch)
        {
            var device = _stepDevice ??= ModelDevice;
            if (device is null) return batch;
            Tensor[]? moved = null;
            for (int i = 0; i < batch.Length; i++)
            {
                if (Interop.Devices.IsOn(batch[i], device)) continue;
                moved ??= (Tensor[])batch.Clone();
                bool pinned = device.type == TorchSharp.DeviceType.CUDA && batch[i].device_type == TorchSharp.DeviceType.CPU && batch[i].is_pinned();
                moved[i] = batch[i].to(device, non_blocking: pinned);
            }
            return moved ?? batch;
        }

        /// <summary>Rows [start, start+length) of every tensor (views).</summary>
        private static Tensor[] Rows(Tensor[] all, long start, long length)
        {
            var rows = new Tensor[all.Length];
            for (int i = 0; i < all.Length; i++) rows[i] = all[i].narrow(0, start, length);
            return rows;
        }

        /// <summary>Keras' <c>predict_on_batch</c>.</summary>
        public Tensor PredictOnBatch(Tensor x)
        {
            using var _ = torch.no_grad();
            return Call(x, training: false);
        }

        private Dictionary<string, double> Logs()
        {
            var logs = new Dictionary<string, double>();
            if (Loss != null || IsMultiIO) logs["loss"] = _lossTracker.Result();
            foreach (var m in _metrics) logs[m.Name] = m.Result();
            for (int i = 0; i < _weightedMetrics.Length; i++) logs[_weightedMetricKeys[i]] = _weightedMetrics[i].Result();
            AddOutputLogs(logs);
            return logs;
        }

        private void ResetMetrics()
        {
            _lossTracker.ResetState();
            foreach (var m in _metrics) m.ResetState();
            foreach (var m in _weightedMetrics) m.ResetState();
            ResetOutputMetrics();
        }

        /// <summary>Builds a model rebuilt from a config for <paramref name="inputShape"/>, running one zero batch when its layers are built by calls.</summary>
        internal void BuildFromConfig(long[] inputShape)
        {
            using var zeros = torch.zeros(inputShape.Select(d => d < 0 ? 1L : d).ToArray()); // host: moved by Layer.Call
            MaybeBuildFor(zeros);
        }

        private void MaybeBuildFor(Tensor x)
        {
            if (Built) return;
            var shape = (long[])x.shape.Clone();
            shape[0] = -1;
            Build(shape);
            if (Layers.Any(l => !l.Built))
            {
                // A subclassed model builds its layers by being called, as Keras builds it on the first batch.
                using var _ = torch.no_grad();
                using var scope = torch.NewDisposeScope();
                Call(x.narrow(0, 0, Math.Min(1, x.shape[0])), training: false);
            }
            if (Compiled && !_trainableSnapshotTaken) SnapshotTrainable();
        }

        private static void CheckSamples(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y)
        {
            if (x is null || y is null || x.Count == 0 || y.Count == 0 || x.Any(t => t is null) || y.Any(t => t is null))
                throw new KerasArgumentException("Fit, Evaluate and TrainOnBatch need both x and y.");
            static string Sizes(IReadOnlyList<Tensor> ts) => string.Join(", ", ts.Select(t => t.dim() == 0 ? 0 : t.shape[0]));
            long first = x[0].dim() == 0 ? 0 : x[0].shape[0];
            if (x.Concat(y).Any(t => t.dim() == 0 || t.shape[0] != first))
                throw new KerasArgumentException(
                    $"Data cardinality is ambiguous: x sizes: {Sizes(x)}, y sizes: {Sizes(y)}. Make sure all arrays contain the same number of samples.");
        }

        private static void CheckSamples(Tensor x, Tensor y) => CheckSamples(new[] { x }, new[] { y });

        /// <summary>Rows <paramref name="index"/> of <paramref name="data"/>, gathered where the data lives.</summary>
        private static Tensor Take(Tensor data, Tensor index)
        {
            if (index.device_type == data.device_type && index.device_index == data.device_index) return data.index_select(0, index);
            using var local = index.to(data.device);
            return data.index_select(0, local);
        }

        /// <summary>A global permutation of the samples for one epoch (reproducible after SetRandomSeed).</summary>
        private static Tensor Permutation(long samples, int fitSeed, int epoch)
        {
            using var generator = new Generator(unchecked((ulong)fitSeed * 1_000_003UL + (ulong)epoch));
            return torch.randperm(samples, generator: generator); // host: drawn on the CPU so every device shuffles alike
        }

        private List<Callback> CallbackList(IEnumerable<Callback>? callbacks, History history, int verbose, int epochs, int? steps)
        {
            var list = (callbacks ?? Enumerable.Empty<Callback>()).ToList();
            if (!list.OfType<History>().Any()) list.Add(history);
            if (verbose != 0 && !list.OfType<ProgbarLogger>().Any()) list.Add(new ProgbarLogger());
            var parameters = new Dictionary<string, object?> { ["epochs"] = epochs, ["steps"] = steps, ["verbose"] = verbose };
            foreach (var c in list)
            {
                c.Model = this;
                c.Params = parameters;
            }
            return list;
        }
    }
}

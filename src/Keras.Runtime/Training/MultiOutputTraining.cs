using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Losses;
using Keras.Metrics;
using Keras.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>
    /// Training models with several inputs and outputs (Keras' <c>compile(loss=[...], loss_weights=[...],
    /// metrics=[[...], [...]])</c> and <c>fit([x1, x2], [y1, y2])</c>): the loss is the weighted sum of one loss per output;
    /// the logs hold it as "loss" and each output's loss and metrics prefixed with the output layer's name
    /// ("score_loss", "score_mae"), as Keras names them.
    /// </summary>
    public abstract partial class Model
    {
        private Loss?[]? _outputLosses;
        private Metric[][] _outputWeightedMetrics = Array.Empty<Metric[]>();
        private string[][] _outputWeightedKeys = Array.Empty<string[]>();
        private double[] _lossWeights = Array.Empty<double>();
        private Metric[][] _outputMetrics = Array.Empty<Metric[]>();
        private Metrics.Mean[] _outputLossTrackers = Array.Empty<Metrics.Mean>();

        /// <summary>True when the model was compiled with one loss per output.</summary>
        internal bool IsMultiIO => _outputLosses != null;

        /// <summary>Number of inputs the model takes (1 except for Functional models with several).</summary>
        internal virtual int InputCount => 1;

        /// <summary>Number of outputs the model returns (1 except for Functional models with several).</summary>
        internal virtual int OutputCount => 1;

        /// <summary>Each output's name (its layer's name), used to prefix per-output logs.</summary>
        internal virtual IReadOnlyList<string> OutputNames => new[] { Name };

        /// <summary>Calls the model on one tensor per input; returns one tensor per output.</summary>
        internal virtual Tensor[] CallAll(IReadOnlyList<Tensor> inputs, bool? training) => new[] { Call(inputs[0], training) };

        /// <summary>The per-output losses (null unless compiled with one loss per output).</summary>
        public IReadOnlyList<Loss?>? OutputLosses => _outputLosses;

        /// <summary>Keras' compile for several outputs, with names: one loss per output, optional weights and per-output metrics.</summary>
        public void Compile(string optimizer, IReadOnlyList<string?> losses, IReadOnlyList<double>? lossWeights = null,
            IReadOnlyList<IEnumerable<string>?>? metrics = null, IReadOnlyList<IEnumerable<string>?>? weightedMetrics = null)
        {
            if (losses is null) throw new KerasArgumentException("`losses` must list one loss per output.", nameof(losses));
            var metricNames = metrics?.Select(m => m?.ToArray()).ToArray();
            var weightedNames = weightedMetrics?.Select(m => m?.ToArray()).ToArray();
            Compile(Optimizers.Optimizer.Get(optimizer), losses.Select(l => l == null ? null : Keras.Losses.CompileCrossentropy.ForCompile(l)).ToArray(), lossWeights,
                metricNames?.Select(m => m?.Select(Metric.Get)).ToArray(), weightedMetrics: weightedNames?.Select(m => m?.Select(Metric.Get)).ToArray());
            // Keras records the arguments as given: names stay names in compile_config.
            static JsonNode? Names(string[][]? lists) => lists == null ? null : new JsonArray(lists.Select(ms =>
                (JsonNode)new JsonArray((ms ?? Array.Empty<string>()).Select(m => (JsonNode)JsonValue.Create(m)!).ToArray())).ToArray());
            _compileConfig!["optimizer"] = optimizer;
            _compileConfig["loss"] = new JsonArray(losses.Select(l => l == null ? null : (JsonNode)JsonValue.Create(l)!).ToArray());
            _compileConfig["metrics"] = Names(metricNames!);
            _compileConfig["weighted_metrics"] = Names(weightedNames!);
        }

        /// <summary>Keras' compile for several outputs, with objects: one loss per output, optional weights and per-output metrics.</summary>
        public void Compile(Optimizer optimizer, IReadOnlyList<Loss?> losses, IReadOnlyList<double>? lossWeights = null,
            IReadOnlyList<IEnumerable<Metric>?>? metrics = null, bool autoScaleLoss = true, IReadOnlyList<IEnumerable<Metric>?>? weightedMetrics = null)
        {
            EnsureAlive();
            int outputs = OutputCount;
            // Keras: an output may have no loss (None), but not every output.
            if (losses is null || losses.Count != outputs || losses.All(l => l is null))
                throw new KerasArgumentException(
                    "For a model with multiple outputs, when providing the `loss` argument as a list, it should have as many entries as the model has " +
                    $"outputs. Received:\nloss=[{string.Join(", ", losses?.Select(l => l?.Name ?? "None") ?? Array.Empty<string>())}]\nof length " +
                    $"{losses?.Count ?? 0} whereas the model has {outputs} outputs.", nameof(losses));
            if (lossWeights != null && lossWeights.Count != outputs)
                throw new KerasArgumentException(
                    $"`loss_weights` should have one entry per output. Received: {lossWeights.Count} weights whereas the model has {outputs} outputs.", nameof(lossWeights));
            if (metrics != null && metrics.Count != outputs)
                throw new KerasArgumentException(
                    "For a model with multiple outputs, when providing the `metrics` argument as a list, it should have as many entries as the model " +
                    $"has outputs. Received:\nmetrics=[{string.Join(", ", metrics.Select(m => "[" + string.Join(", ", m?.Select(x => x.Name) ?? Array.Empty<string>()) + "]"))}]" +
                    $"\nof length {metrics.Count} whereas the model has {outputs} outputs.", nameof(metrics));
            Compile(optimizer, null, null, autoScaleLoss);
            _outputLosses = losses.ToArray();
            _lossWeights = lossWeights?.ToArray() ?? Enumerable.Repeat(1.0, outputs).ToArray();
            if (weightedMetrics != null && weightedMetrics.Count != outputs)
                throw new KerasArgumentException(
                    $"For a model with multiple outputs, `weighted_metrics` should have one entry per output. Received {weightedMetrics.Count} entries whereas " +
                    $"the model has {outputs} outputs.", nameof(weightedMetrics));
            _outputMetrics = Enumerable.Range(0, outputs).Select(i => metrics?[i]?.ToArray() ?? Array.Empty<Metric>()).ToArray();
            _outputWeightedMetrics = Enumerable.Range(0, outputs).Select(i => weightedMetrics?[i]?.ToArray() ?? Array.Empty<Metric>()).ToArray();
            var names = OutputNames;
            _outputWeightedKeys = Enumerable.Range(0, outputs)
                .Select(i => WeightedKeys(_outputMetrics[i].Select(m => m.Name), _outputWeightedMetrics[i], names[i] + "_")).ToArray();
            _outputLossTrackers = OutputNames.Select(n => new Metrics.Mean(n + "_loss")).ToArray();
            static JsonNode Lists(Metric[][] lists) => new JsonArray(lists.Select(ms =>
                (JsonNode)new JsonArray(ms.Select(m => (JsonNode)SavingLib.CompileSerialization.MetricConfig(m)).ToArray())).ToArray());
            _compileConfig!["loss"] = new JsonArray(_outputLosses.Select(l => l == null ? null : SavingLib.CompileSerialization.LossConfig(l)).ToArray());
            _compileConfig["loss_weights"] = new JsonArray(_lossWeights.Select(w => (JsonNode)JsonValue.Create(w)).ToArray());
            _compileConfig["metrics"] = Lists(_outputMetrics);
            _compileConfig["weighted_metrics"] = weightedMetrics == null ? null : Lists(_outputWeightedMetrics);
        }

        /// <summary>
        /// Keras' compile with dicts keyed by output name (the output layers' names): <c>loss={"price": "mse", ...}</c>.
        /// Every output needs a loss; weights and metrics may name only some outputs.
        /// </summary>
        public void Compile(string optimizer, IReadOnlyDictionary<string, string> losses, IReadOnlyDictionary<string, double>? lossWeights = null,
            IReadOnlyDictionary<string, IEnumerable<string>>? metrics = null)
        {
            Compile(optimizer, ByOutput(losses, "loss", required: true, _ => "").Select(l => (string?)l).ToArray(),
                lossWeights == null ? null : ByOutput(lossWeights, "loss_weights", required: false, _ => 1.0),
                metrics == null ? null : ByOutput(metrics, "metrics", required: false, _ => Enumerable.Empty<string>()).Select(m => (IEnumerable<string>?)m).ToArray());
        }

        /// <summary>
        /// Keras' <c>fit</c> with targets keyed by output name (<c>y={"price": y1, "kind": y2}</c>); every output needs one.
        /// </summary>
        public Callbacks.History Fit(IReadOnlyList<Tensor> x, IReadOnlyDictionary<string, Tensor> y, int? batchSize = null, int epochs = 1, int verbose = 1,
            IEnumerable<Callbacks.Callback>? callbacks = null, double validationSplit = 0, bool shuffle = true, int initialEpoch = 0) =>
            Fit(x, ByOutput(y, "y", required: true, _ => null!), batchSize, epochs, verbose, callbacks, validationSplit, null, shuffle, initialEpoch);

        /// <summary>Keras' <c>evaluate</c> with targets keyed by output name.</summary>
        public Dictionary<string, double> Evaluate(IReadOnlyList<Tensor> x, IReadOnlyDictionary<string, Tensor> y, int? batchSize = null, int verbose = 1) =>
            Evaluate(x, ByOutput(y, "y", required: true, _ => null!), batchSize, verbose);

        /// <summary>Orders a dict keyed by output name as the outputs; Keras' errors for unknown or missing names.</summary>
        private T[] ByOutput<T>(IReadOnlyDictionary<string, T> values, string argument, bool required, Func<string, T> missing)
        {
            if (values is null) throw new KerasArgumentException($"`{argument}` must not be null.", argument);
            var names = OutputNames;
            foreach (var key in values.Keys)
                if (!names.Contains(key))
                    throw new KerasArgumentException(
                        $"In the dict argument `{argument}`, key '{key}' does not correspond to any model output. Received:\n{argument}=" +
                        "{" + string.Join(", ", values.Keys.Select(k => "'" + k + "'")) + "}. The model's outputs are: [" + string.Join(", ", names) + "].", argument);
            return names.Select(name => values.TryGetValue(name, out var value) ? value
                : required ? throw new KerasArgumentException(
                    $"The dict argument `{argument}` has no entry for the model output '{name}'. The model's outputs are: [{string.Join(", ", names)}].", argument)
                : missing(name)).ToArray();
        }

        /// <summary>Adds the per-output entries to the logs.</summary>
        private void AddOutputLogs(Dictionary<string, double> logs)
        {
            if (!IsMultiIO) return;
            var names = OutputNames;
            for (int i = 0; i < names.Count; i++)
            {
                if (_outputLosses![i] != null) logs[names[i] + "_loss"] = _outputLossTrackers[i].Result();
                foreach (var metric in _outputMetrics[i]) logs[names[i] + "_" + metric.Name] = metric.Result();
                for (int j = 0; j < _outputWeightedMetrics[i].Length; j++) logs[_outputWeightedKeys[i][j]] = _outputWeightedMetrics[i][j].Result();
            }
        }

        private void ResetOutputMetrics()
        {
            foreach (var tracker in _outputLossTrackers) tracker.ResetState();
            foreach (var metric in _outputMetrics.SelectMany(m => m)) metric.ResetState();
            foreach (var metric in _outputWeightedMetrics.SelectMany(m => m)) metric.ResetState();
        }

        /// <summary>Checks that the data has one tensor per input and one target per output.</summary>
        private void CheckArity(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y)
        {
            if (x.Count != InputCount)
                throw new KerasArgumentException($"Model '{Name}' expects {InputCount} input(s), but the data provides {x.Count}.");
            if (OutputCount > 1 && !IsMultiIO)
                throw new KerasArgumentException(
                    $"Model '{Name}' has {OutputCount} outputs: compile it with one loss per output, e.g. Compile(\"adam\", losses: new[] {{ \"mse\", \"mae\" }}).");
            int targets = IsMultiIO ? OutputCount : 1;
            if (y.Count != targets)
                throw new KerasArgumentException($"Model '{Name}' has {targets} output(s), but the data provides {y.Count} target(s).");
        }

        /// <summary>One training step on several inputs/outputs: the weighted sum of the outputs' losses.</summary>
        private Dictionary<string, double> TrainStepMulti(Tensor[] x, Tensor[] y, Tensor[]? sampleWeight = null)
        {
            foreach (var v in _compiledTrainable) v.Value.grad = null;
            var predictions = CallAll(x, training: true);
            var total = WeightedLoss(y, predictions, x[0].shape[0], sampleWeight);
            Optimizer!.ScaleLoss(total).backward(); // Keras: scaled by the optimizer, unscaled in Apply
            Optimizer.Apply(_compiledTrainable);
            using (torch.no_grad()) UpdateOutputMetrics(y, predictions, sampleWeight);
            return Logs();
        }

        /// <summary>One evaluation step on several inputs/outputs.</summary>
        private Dictionary<string, double> TestStepMulti(Tensor[] x, Tensor[] y, Tensor[]? sampleWeight = null)
        {
            using var _ = torch.no_grad();
            var predictions = CallAll(x, training: false);
            WeightedLoss(y, predictions, x[0].shape[0], sampleWeight);
            UpdateOutputMetrics(y, predictions, sampleWeight);
            return Logs();
        }

        private Tensor WeightedLoss(Tensor[] y, Tensor[] predictions, long samples, Tensor[]? sampleWeight)
        {
            Tensor? total = null;
            for (int i = 0; i < predictions.Length; i++)
            {
                if (_outputLosses![i] is null) continue; // an output without a loss (Keras' None)
                Tensor value;
                try
                {
                    value = _outputLosses[i]!.Call(y[i], predictions[i], sampleWeight?[i]);
                }
                catch (Exception e) when (e is not IKerasException)
                {
                    throw InputChecks.LossFailure(e, $"The loss '{_outputLosses[i]!.Name}' of output '{OutputNames[i]}'", CurrentBatch, y[i], predictions[i]);
                }
                _outputLossTrackers[i].UpdateState(value.item<float>(), samples);
                var weighted = _lossWeights[i] == 1.0 ? value : value.mul(_lossWeights[i]);
                total = total is null ? weighted : total.add(weighted);
            }
            total = WithRegularization(total!);
            _lossTracker.UpdateState(total.item<float>(), samples);
            return total;
        }

        private void UpdateOutputMetrics(Tensor[] y, Tensor[] predictions, Tensor[]? sampleWeight)
        {
            for (int i = 0; i < predictions.Length; i++)
            {
                foreach (var metric in _outputMetrics[i]) UpdateMetric(metric, y[i], predictions[i], null);
                foreach (var metric in _outputWeightedMetrics[i]) UpdateMetric(metric, y[i], predictions[i], sampleWeight?[i]);
            }
        }

        /// <summary>Keras' <c>predict</c> for several inputs: one CPU tensor per output, in batches, with training=false.</summary>
        public Tensor[] Predict(IReadOnlyList<Tensor> x, int? batchSize = null, int verbose = 0)
        {
            if (x is null || x.Count != InputCount || x.Any(t => t is null))
                throw new KerasArgumentException($"Model '{Name}' expects {InputCount} input(s), but received {x?.Count ?? 0}.", nameof(x));
            return PredictBatches(x.ToArray(), batchSize, verbose, batch => CallAll(batch, training: false));
        }

        /// <summary>Keras' <c>train_on_batch</c> for several inputs/outputs.</summary>
        public Dictionary<string, double> TrainOnBatch(IReadOnlyList<Tensor> x, IReadOnlyList<Tensor> y)
        {
            EnsureAlive();
            AssertCompiled();
            CheckSamples(x, y);
            CheckArity(x, y);
            MaybeBuildFor(x[0]);
            ResetMetrics();
            using var scope = torch.NewDisposeScope();
            return IsMultiIO ? TrainStepMulti(x.ToArray(), y.ToArray(), null) : x.Count == 1 ? TrainStep(x[0], y[0]) : TrainStepWeighted(x.ToArray(), y[0], null);
        }
    }
}

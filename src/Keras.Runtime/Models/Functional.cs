using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using Keras.Layers;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>
    /// Keras' Functional model, <c>keras.Model(inputs, outputs)</c>: the graph from one or more
    /// <see cref="Layers.Input"/>s through layer calls on symbolic tensors to one or more outputs. Branches, merge layers
    /// (<see cref="Add"/>, <see cref="Concatenate"/>, ...) and layers called more than once (shared weights) are
    /// supported. Intermediate layers' <see cref="Layer.Output"/> can be the output of another model that shares their
    /// weights (feature extraction, Keras FAQ).
    /// </summary>
    [SavingLib.KerasClass("Functional", "Model", Module = "keras.src.models.functional", RegisteredName = "Functional")]
    public sealed class Functional : Model
    {
        private readonly KerasTensor[] _inputs;
        private readonly KerasTensor[] _outputs;
        private readonly List<Layer> _layers = new List<Layer>();
        private readonly List<KerasTensor> _order = new List<KerasTensor>(); // produced tensors, inputs before users
        private readonly Dictionary<KerasTensor, int> _consumers = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<KerasTensor, int> _nodeIndex = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);

        /// <summary>Creates a single-input, single-output model.</summary>
        public Functional(KerasTensor inputs, KerasTensor outputs, string? name = null)
            : this(new[] { inputs ?? throw new KerasArgumentException("`inputs` must be a KerasTensor (for example a keras Input).", nameof(inputs)) },
                   new[] { outputs ?? throw new KerasArgumentException("`outputs` must be a KerasTensor produced from `inputs` by layer calls.", nameof(outputs)) },
                   name)
        {
        }

        /// <summary>Creates a model with several inputs and/or outputs (Keras' <c>keras.Model([a, b], [y1, y2])</c>).</summary>
        public Functional(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string? name = null)
            : base(name ?? Naming.AutoName("functional"))
        {
            if (inputs is null || inputs.Count == 0 || inputs.Any(i => i is null))
                throw new KerasArgumentException("`inputs` must be one or more KerasTensors (keras Inputs).", nameof(inputs));
            if (outputs is null || outputs.Count == 0 || outputs.Any(o => o is null))
                throw new KerasArgumentException("`outputs` must be one or more KerasTensors produced from `inputs` by layer calls.", nameof(outputs));
            _inputs = inputs.ToArray();
            _outputs = outputs.ToArray();
            MapGraph();
            var duplicate = _layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null)
                throw new KerasArgumentException($"The name \"{duplicate.Key}\" is used {duplicate.Count()} times in the model. All operation names should be unique.");
            MaybeBuild(_inputs[0].Shape);
        }

        /// <summary>Orders the graph's nodes so every tensor comes after the ones it is computed from; finds its layers.</summary>
        private void MapGraph()
        {
            var isInput = new HashSet<KerasTensor>(_inputs, ReferenceEqualityComparer.Instance);
            var done = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
            var visiting = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
            var reached = new List<string>();
            var traversalIndex = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance); // first visit, from the outputs
            void Visit(KerasTensor t, KerasTensor from)
            {
                if (isInput.Contains(t)) return;
                t = t.Node; // a further output of a call (an RNN's state) is reached through its call
                if (isInput.Contains(t) || done.Contains(t)) return;
                if (t.SourceLayer != null && !traversalIndex.ContainsKey(t.SourceLayer)) traversalIndex[t.SourceLayer] = traversalIndex.Count;
                if (t.SourceLayer == null)
                    throw new KerasArgumentException(
                        $"Graph disconnected: cannot find parent for tensor {t} (needed by {from.SourceLayer?.Name ?? from.ToString()}). It is not one " +
                        $"of the model's inputs [{string.Join(", ", _inputs.Select(i => i.ToString()))}]. The following previous layers were accessed " +
                        $"without issue: [{string.Join(", ", reached)}]");
                if (!visiting.Add(t)) throw new KerasArgumentException("The layer graph has a cycle.");
                foreach (var input in t.SourceInputs) Visit(input, t);
                visiting.Remove(t);
                done.Add(t);
                _order.Add(t);
                reached.Add(t.SourceLayer.Name);
            }
            foreach (var output in _outputs) Visit(output, output);
            var calls = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
            foreach (var t in _order)
            {
                foreach (var input in t.SourceInputs) _consumers[input] = _consumers.TryGetValue(input, out int n) ? n + 1 : 1;
                // Each call of a layer is one of its nodes, numbered in graph order within this model.
                int call = calls.TryGetValue(t.SourceLayer!, out int c) ? c : 0;
                _nodeIndex[t] = call;
                calls[t.SourceLayer!] = call + 1;
            }

            // Keras' layer order (map_graph): by decreasing depth (operations between a call and the outputs; a shared
            // layer takes its deepest call), ties by first visit from the outputs. Weight files name groups in this order.
            var nodeDepth = new Dictionary<KerasTensor, int>(ReferenceEqualityComparer.Instance);
            var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
            for (int i = _order.Count - 1; i >= 0; i--)
            {
                var node = _order[i];
                int depth = Math.Max(nodeDepth.TryGetValue(node, out int d) ? d : 0, layerDepth.TryGetValue(node.SourceLayer!, out int ld) ? ld : 0);
                layerDepth[node.SourceLayer!] = depth;
                nodeDepth[node] = depth;
                foreach (var input in node.SourceInputs)
                    if (input.Node is var parent && done.Contains(parent)) nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.TryGetValue(parent, out int p) ? p : 0);
            }
            _layers.AddRange(layerDepth.Keys.OrderByDescending(l => layerDepth[l]).ThenBy(l => traversalIndex[l]));
            var unused = _inputs.Where(i => !_consumers.ContainsKey(i) && !_outputs.Contains(i)).ToArray();
            if (unused.Length > 0)
                Utilities.IoUtils.Warn($"Model '{Name}' has inputs that no output depends on: [{string.Join(", ", unused.Select(u => u.ToString()))}].");
        }

        /// <summary>The model's symbolic inputs (Keras' <c>model.inputs</c>).</summary>
        public IReadOnlyList<KerasTensor> Inputs => _inputs;

        /// <summary>The model's symbolic outputs (Keras' <c>model.outputs</c>).</summary>
        public IReadOnlyList<KerasTensor> Outputs => _outputs;

        /// <summary>The model's (first) symbolic input (Keras' <c>model.input</c>).</summary>
        public KerasTensor InputTensor => _inputs[0];

        /// <summary>The model's (first) symbolic output (Keras' <c>model.output</c>).</summary>
        public KerasTensor OutputTensor => _outputs[0];

        /// <inheritdoc />
        public override IReadOnlyList<Layer> Layers => _layers.ToArray();

        /// <summary>Keras' Functional config: the base keys, every layer with its inbound nodes, input_layers and output_layers.</summary>
        public override System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var c = base.GetConfig();
            SavingLib.ModelSerialization.FunctionalConfig(this, c);
            return c;
        }

        internal static Functional FromConfig(SavingLib.ConfigReader config) => SavingLib.ModelSerialization.FunctionalFromConfig(config);

        internal override int InputCount => _inputs.Length;

        internal override int OutputCount => _outputs.Length;

        internal override IReadOnlyList<string> OutputNames =>
            _outputs.Select((o, i) => o.SourceLayer?.Name ?? o.Name ?? "output_" + (i + 1)).ToArray();

        internal override Tensor[] CallAll(IReadOnlyList<Tensor> inputs, bool? training) => Call(inputs, training);

        /// <summary>The calls of <paramref name="layer"/> in this model (its nodes), in graph order.</summary>
        internal IEnumerable<KerasTensor> NodesOf(Layer layer) => _order.Where(t => ReferenceEquals(t.SourceLayer, layer));

        /// <summary>The name of input <paramref name="index"/> (its InputLayer's name in configs and summaries).</summary>
        internal string InputName(int index) => _inputs[index].Name ?? (index == 0 ? "input_layer" : "input_layer_" + index);

        /// <summary>
        /// Keras' <c>keras_history</c> of a tensor of this graph: the layer (or input) that made it, which call, and which of
        /// that call's outputs.
        /// </summary>
        internal (string Layer, int Node, int Tensor) History(KerasTensor tensor) =>
            Array.IndexOf(_inputs, tensor) is int input and >= 0 ? (InputName(input), 0, 0)
                : (tensor.SourceLayer!.Name, _nodeIndex[tensor.Node], tensor.TensorIndex);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            RequireSingle("ComputeOutputShape");
            var shapes = new Dictionary<KerasTensor, long[]>(ReferenceEqualityComparer.Instance) { [_inputs[0]] = inputShape };
            foreach (var t in _order)
            {
                if (t.SourceLayer is IMultiInputLayer or IMultiOutputLayer)
                    foreach (var output in t.NodeOutputs ?? new[] { t })
                        shapes[output] = output.Shape.Select((d, i) => i == 0 ? inputShape[0] : d).ToArray();
                else
                    shapes[t] = t.SourceLayer!.ComputeOutputShape(shapes[t.SourceInputs[0]]);
            }
            return shapes[_outputs[0]];
        }

        /// <summary>
        /// Keras' "sequential-like" test for summaries: one input, one output, and a plain chain (every call takes one
        /// tensor, no layer is called twice, no tensor feeds two calls).
        /// </summary>
        internal bool IsSequentialLike =>
            _inputs.Length == 1 && _outputs.Length == 1 && _order.All(t => t.SourceInputs.Count == 1 && t.NodeOutputs == null) &&
            _order.Select(t => t.SourceLayer).Distinct().Count() == _order.Count && _consumers.Values.All(n => n == 1);

        /// <summary>
        /// Summary rows as Keras prints a Functional model: its inputs (InputLayer), then each layer call, with the output
        /// shape, the parameter count and what the call is connected to (<c>layer[node][tensor]</c>).
        /// </summary>
        internal IEnumerable<(string Name, string Type, long[] Shape, long Params, string ConnectedTo)> SummaryRows()
        {
            string Ref(KerasTensor t)
            {
                var (layer, node, index) = History(t);
                return layer + "[" + node + "][" + index + "]";
            }
            for (int i = 0; i < _inputs.Length; i++) yield return (InputName(i), "InputLayer", _inputs[i].Shape, 0, "-");
            foreach (var t in _order)
                yield return (t.SourceLayer!.Name, t.SourceLayer.GetType().Name, t.Shape, t.SourceLayer.CountParams(), string.Join(", ", t.SourceInputs.Select(Ref)));
        }

        private void RequireSingle(string what)
        {
            if (_inputs.Length != 1 || _outputs.Length != 1)
                throw new KerasArgumentException(
                    $"Model '{Name}' has {_inputs.Length} inputs and {_outputs.Length} outputs; {what} with one tensor needs exactly one of each. " +
                    "Use Call(IReadOnlyList<Tensor>) / Predict(Tensor[]) for several.");
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            RequireSingle("Call");
            return Run(new[] { inputs }, training)[0];
        }

        /// <inheritdoc />
        private protected override Tensor CallMasked(Tensor inputs, Tensor? mask, bool? training, bool wantMask, out Tensor? outputMask)
        {
            RequireSingle("Call");
            var outputs = Run(new[] { inputs }, training, new[] { mask }, wantMask, out var masks);
            outputMask = masks?[0];
            return outputs[0];
        }

        /// <summary>
        /// Calls the model on one concrete tensor per input, in <see cref="Inputs"/> order; returns one tensor per output
        /// (the caller owns them). Keras' <c>model([a, b])</c>.
        /// </summary>
        public Tensor[] Call(IReadOnlyList<Tensor> inputs, bool? training = null)
        {
            EnsureAlive();
            if (inputs is null || inputs.Count != _inputs.Length || inputs.Any(i => i is null))
                throw new KerasArgumentException(
                    $"Model '{Name}' expects {_inputs.Length} input(s), but it received {inputs?.Count ?? 0} input tensors.", nameof(inputs));
            GlobalState.SessionLock.EnterReadLock();
            try
            {
                for (int i = 0; i < _inputs.Length; i++) CheckInput(_inputs[i], inputs[i]);
                return Run(inputs, training);
            }
            finally
            {
                GlobalState.SessionLock.ExitReadLock();
            }
        }

        private void CheckInput(KerasTensor expected, Tensor actual)
        {
            var shape = actual.shape;
            bool ok = shape.Length == expected.Shape.Length &&
                      expected.Shape.Zip(shape, (e, a) => e < 0 || e == a).All(x => x);
            if (!ok)
                throw new KerasArgumentException(
                    $"Input {Array.IndexOf(_inputs, expected)} of model \"{Name}\" is incompatible: expected shape={FormatShape(expected.Shape)}, " +
                    $"found shape={FormatShape(shape)}");
        }

        /// <summary>Runs the graph; intermediate results are disposed as soon as their last user has run.</summary>
        private Tensor[] Run(IReadOnlyList<Tensor> inputs, bool? training) => Run(inputs, training, null, false, out _);

        /// <summary>
        /// Runs the graph with Keras' masks: each single-input call receives the mask its input carries and its output
        /// carries the mask the layer computes; with <paramref name="wantMasks"/> the outputs' masks are returned (the
        /// caller owns them). Calls on several tensors drop masks.
        /// </summary>
        private Tensor[] Run(IReadOnlyList<Tensor> inputs, bool? training, IReadOnlyList<Tensor?>? inputMasks, bool wantMasks, out Tensor?[]? outputMasks)
        {
            outputMasks = null;
            var masks = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
            if (inputMasks != null)
                for (int i = 0; i < _inputs.Length && i < inputMasks.Count; i++)
                    if (inputMasks[i] is { } given) masks[_inputs[i]] = given.alias();
            try
            {
                var results = RunNodes(inputs, training, masks);
                if (wantMasks)
                {
                    outputMasks = new Tensor?[_outputs.Length];
                    for (int i = 0; i < _outputs.Length; i++)
                        outputMasks[i] = masks.TryGetValue(_outputs[i], out var m) ? m.alias() : null;
                }
                return results;
            }
            finally
            {
                foreach (var m in masks.Values) m.Dispose();
            }
        }

        private Tensor[] RunNodes(IReadOnlyList<Tensor> inputs, bool? training, Dictionary<KerasTensor, Tensor> masks)
        {
            var values = new Dictionary<KerasTensor, Tensor>(ReferenceEqualityComparer.Instance);
            var remaining = new Dictionary<KerasTensor, int>(_consumers, ReferenceEqualityComparer.Instance);
            var keep = new HashSet<KerasTensor>(_outputs, ReferenceEqualityComparer.Instance);
            for (int i = 0; i < _inputs.Length; i++) values[_inputs[i]] = inputs[i];
            var owned = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
            try
            {
                foreach (var node in _order)
                {
                    var args = node.SourceInputs;
                    var inputMask = masks.TryGetValue(args[0], out var m) ? m : null;
                    if (node.SourceLayer is IMultiOutputLayer several)
                    {
                        var outputs = node.NodeOutputs ?? new[] { node };
                        var given = several.CallRecorded(node, args.Select(a => values[a]).ToArray(), inputMask, node.CallTraining ?? training, out var resultMasks);
                        for (int i = 0; i < outputs.Length; i++)
                        {
                            var output = outputs[i];
                            if (!_consumers.ContainsKey(output) && !keep.Contains(output))
                            {
                                given[i].Dispose(); // an output nothing uses (an RNN's unused state)
                                resultMasks[i]?.Dispose();
                                continue;
                            }
                            values[output] = given[i];
                            owned.Add(output);
                            if (resultMasks[i] is { } outputMask) masks[output] = outputMask;
                        }
                    }
                    else
                    {
                        Tensor? resultMask = null;
                        Tensor result = node.SourceLayer is IMultiInputLayer multi
                            ? CallMulti(multi, node, args.Select(a => values[a]).ToArray(), node.CallTraining ?? training, masks, out resultMask)
                            : node.SourceLayer!.CallInternal(values[args[0]], inputMask,
                                node.CallTraining ?? training, // a training given at the call wins
                                masks.Count > 0 || node.SourceLayer.SupportsMasking, out resultMask);
                        values[node] = result;
                        if (resultMask is not null) masks[node] = resultMask;
                        owned.Add(node);
                    }
                    foreach (var arg in args)
                    {
                        if (--remaining[arg] == 0 && owned.Contains(arg) && !keep.Contains(arg))
                        {
                            values[arg].Dispose();
                            owned.Remove(arg);
                        }
                    }
                }
                var results = new Tensor[_outputs.Length];
                var handed = new HashSet<KerasTensor>(ReferenceEqualityComparer.Instance);
                for (int i = 0; i < _outputs.Length; i++)
                {
                    var output = _outputs[i];
                    // An input returned as an output, or one output listed twice, is handed out as a separate handle.
                    results[i] = owned.Contains(output) && handed.Add(output) ? values[output] : values[output].alias();
                }
                owned.Clear();
                return results;
            }
            finally
            {
                foreach (var t in owned) values[t].Dispose(); // only on failure: everything owned was handed out above
            }
        }

        /// <summary>A call on several tensors, with the output mask the layer computes from its inputs' masks (when any carries one).</summary>
        private static Tensor CallMulti(IMultiInputLayer layer, KerasTensor node, Tensor[] inputs, bool? training, Dictionary<KerasTensor, Tensor> masks,
            out Tensor? outputMask)
        {
            outputMask = null;
            var inputMasks = masks.Count == 0 ? null : node.SourceInputs.Select(a => masks.TryGetValue(a, out var m) ? m : null).ToArray();
            if (inputMasks is null || inputMasks.All(m => m is null)) return layer.CallRecorded(node, inputs, training);
            var result = layer.CallRecorded(node, inputs, inputMasks, training);
            try
            {
                outputMask = layer.ComputeMask(inputs, inputMasks);
            }
            catch
            {
                result.Dispose();
                throw;
            }
            return result;
        }

        private protected override void DisposeChildren()
        {
            // Layers can be shared with other functional models (feature extraction): they are released by
            // ClearSession or their own Dispose, not by disposing one model that uses them.
        }
    }
}

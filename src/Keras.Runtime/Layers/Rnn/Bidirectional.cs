using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Bidirectional(layer, merge_mode="concat", backward_layer=None)</c>: runs a copy of the recurrent
    /// <c>layer</c> forwards (named <c>forward_…</c>) and a copy with go_backwards flipped (named
    /// <c>backward_…</c>, or the given <c>backward_layer</c>) on the same sequence, flips the backward sequence back to
    /// input order (with return_sequences) and merges the two: "concat" (last axis), "sum", "mul", "ave", or null (both
    /// outputs, through <c>CallAll</c>). As Keras does, both copies output zeros on masked steps when they return
    /// sequences. Weights live in <c>forward_layer/cell/vars</c> and <c>backward_layer/cell/vars</c>.
    /// </summary>
    [KerasClass("Bidirectional")]
    public sealed class Bidirectional : Layer, IMultiOutputLayer
    {
        /// <summary>Creates the layer.</summary>
        public Bidirectional(Layer layer, string? mergeMode = "concat", Layer? backwardLayer = null, string? name = null, bool trainable = true,
            string? dtype = null) : base(name, trainable, dtype)
        {
            if (layer is not Recurrent recurrent)
                throw new KerasArgumentException(
                    $"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. Received: {layer?.ToString() ?? "None"} " +
                    "(this runtime wraps its recurrent layers: LSTM, GRU, SimpleRNN).", nameof(layer));
            if (backwardLayer != null && backwardLayer is not Recurrent)
                throw new KerasArgumentException(
                    $"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backwardLayer} (a recurrent layer: LSTM, GRU, SimpleRNN).",
                    nameof(backwardLayer));
            if (mergeMode != null && Shared.KerasIdentifiers.MergeModes.Resolve(mergeMode) == null)
                throw new KerasArgumentException(
                    $"Invalid merge mode. Received: {mergeMode}. Merge mode should be one of {{\"sum\", \"mul\", \"ave\", \"concat\", None}}", nameof(mergeMode));
            // As Keras: the wrapped layer is copied through its config, renamed; the backward copy runs backwards.
            Forward = Copy(recurrent, "forward_" + RemovePrefix(recurrent.Name, "forward_"), goBackwards: null);
            Backward = backwardLayer as Recurrent ?? Copy(recurrent, "backward_" + RemovePrefix(recurrent.Name, "backward_"), goBackwards: true);
            if (Forward.GoBackwards == Backward.GoBackwards)
                throw new KerasArgumentException(
                    "Forward layer and backward layer should have different `go_backwards` value. Received: forward_layer.go_backwards " +
                    $"{(Forward.GoBackwards ? "True" : "False")}, backward_layer.go_backwards={(Backward.GoBackwards ? "True" : "False")}");
            foreach (var (attribute, f, b) in new[]
                     {
                         ("stateful", Forward.Stateful, Backward.Stateful), ("return_sequences", Forward.ReturnSequences, Backward.ReturnSequences),
                         ("return_state", Forward.ReturnState, Backward.ReturnState),
                     })
                if (f != b)
                    throw new KerasArgumentException(
                        $"Forward layer and backward layer are expected to have the same value for attribute \"{attribute}\", got \"{(f ? "True" : "False")}\" " +
                        $"for forward layer and \"{(b ? "True" : "False")}\" for backward layer");
            Forward.ZeroOutputForMask = Forward.ReturnSequences;
            Backward.ZeroOutputForMask = Backward.ReturnSequences;
            MergeMode = mergeMode;
            if (!trainable) Trainable = false;
        }

        private static string RemovePrefix(string name, string prefix) => name.StartsWith(prefix, StringComparison.Ordinal) ? name.Substring(prefix.Length) : name;

        private static Recurrent Copy(Recurrent layer, string name, bool? goBackwards)
        {
            var serialized = ModelSerialization.SerializeLayer(layer);
            var config = (JsonObject)serialized["config"]!;
            config["name"] = name;
            if (goBackwards is { } backwards) config["go_backwards"] = backwards;
            return (Recurrent)ModelSerialization.DeserializeLayer(serialized, "Bidirectional");
        }

        /// <summary>The forward copy (Keras' <c>forward_layer</c>).</summary>
        public Recurrent Forward { get; }
        /// <summary>The backward layer (Keras' <c>backward_layer</c>).</summary>
        public Recurrent Backward { get; }
        /// <summary>"concat", "sum", "mul", "ave", or null (both outputs).</summary>
        public string? MergeMode { get; }
        /// <summary>The wrapped layers' return_sequences.</summary>
        public bool ReturnSequences => Forward.ReturnSequences;
        /// <summary>The wrapped layers' return_state.</summary>
        public bool ReturnState => Forward.ReturnState;
        /// <summary>The wrapped layers' stateful.</summary>
        public bool Stateful => Forward.Stateful;

        /// <inheritdoc />
        public override bool Trainable
        {
            get => base.Trainable;
            set
            {
                base.Trainable = value;
                Forward.Trainable = value;
                Backward.Trainable = value;
            }
        }

        /// <inheritdoc />
        public override IReadOnlyList<KerasVariable> TrainableWeights => Forward.TrainableWeights.Concat(Backward.TrainableWeights).ToArray();

        /// <inheritdoc />
        public override IReadOnlyList<KerasVariable> NonTrainableWeights => Forward.NonTrainableWeights.Concat(Backward.NonTrainableWeights).ToArray();

        internal override IReadOnlyList<(string Path, Layer Layer)> SavedSublayers() => new (string, Layer)[] { ("forward_layer", Forward), ("backward_layer", Backward) };

        internal override IReadOnlyList<Generator> RandomGenerators => Forward.RandomGenerators.Concat(Backward.RandomGenerators).ToArray();

        /// <summary>Keras' config: merge_mode, the forward layer under <c>layer</c> and the backward layer under <c>backward_layer</c>.</summary>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["merge_mode"] = MergeMode;
            c["layer"] = ModelSerialization.SerializeLayer(Forward);
            c["backward_layer"] = ModelSerialization.SerializeLayer(Backward);
            return c;
        }

        internal static Bidirectional FromConfig(ConfigReader c)
        {
            if (c.Raw("layer") is not JsonObject layer) throw c.Error("layer", "a serialized recurrent layer (an object)");
            var backward = c.Raw("backward_layer") is JsonObject b ? ModelSerialization.DeserializeLayer(b, c.Source) : null;
            // merge_mode absent: Keras' default "concat"; null: both outputs.
            string? merge = c.Config.ContainsKey("merge_mode") ? c.Raw("merge_mode") is JsonValue m ? (string?)m : null : "concat";
            return new Bidirectional(ModelSerialization.DeserializeLayer(layer, c.Source), merge, backward, c.Name);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            Forward.MaybeBuild(inputShape);
            Backward.MaybeBuild(inputShape);
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var shape = Forward.ComputeOutputShape(inputShape);
            if (MergeMode == null)
                throw TwoOutputs();
            if (MergeMode == "concat") shape[shape.Length - 1] *= 2;
            return shape;
        }

        private KerasArgumentException TwoOutputs() =>
            new KerasArgumentException($"Layer \"{Name}\" has merge_mode=None and gives two outputs (forward, backward): call CallAll, or use a merge mode.");

        /// <summary>
        /// Keras' symbolic call with every output: the merged output (with merge_mode None, the forward then the backward
        /// output), then with return_state the forward layer's states and the backward layer's. <paramref name="initialState"/>
        /// holds the forward layer's initial states then the backward layer's. As for an RNN, a call given initial states runs
        /// without the sequence's mask.
        /// </summary>
        public KerasTensor[] CallAll(KerasTensor inputs, IReadOnlyList<KerasTensor>? initialState = null, bool? training = null) =>
            ((IMultiOutputLayer)this).CallSymbolic(inputs, initialState, training);

        KerasTensor[] IMultiOutputLayer.CallSymbolic(KerasTensor inputs, IReadOnlyList<KerasTensor>? extra, bool? training)
        {
            int forwardStates = Forward.StateTensorCount, backwardStates = Backward.StateTensorCount;
            var all = RecurrentCalls.Inputs(this, inputs, extra, forwardStates + backwardStates, i => i < forwardStates ? Forward.Units : Backward.Units);
            EnsureAlive();
            MaybeBuild(inputs.Shape);
            AssertInputCompatibility(inputs.Shape);
            var sequence = Forward.ComputeOutputShape(inputs.Shape);
            var shapes = new List<long[]>();
            if (MergeMode == null)
            {
                shapes.Add(sequence);
                shapes.Add(Backward.ComputeOutputShape(inputs.Shape));
            }
            else
            {
                shapes.Add(ComputeOutputShape(inputs.Shape));
            }
            if (ReturnState)
            {
                for (int i = 0; i < forwardStates; i++) shapes.Add(new[] { inputs.Shape[0], (long)Forward.Units });
                for (int i = 0; i < backwardStates; i++) shapes.Add(new[] { inputs.Shape[0], (long)Backward.Units });
            }
            return RecordCall(all, shapes, training);
        }

        KerasTensor IMultiOutputLayer.CallSymbolicFirst(KerasTensor inputs, bool? training) =>
            MergeMode == null ? throw TwoOutputs() : ((IMultiOutputLayer)this).CallSymbolic(inputs, null, training)[0];

        Tensor[] IMultiOutputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, Tensor? mask, bool? training, out Tensor?[] masks)
        {
            var (initial, callMask) = RecurrentCalls.Arguments(inputs, mask);
            var all = CallAll(inputs[0], callMask, training, initial);
            masks = new Tensor?[all.Length];
            // Keras' compute_mask: the sequence's mask on each sequence output (two with merge_mode None), none for the states.
            if (ReturnSequences && mask is not null)
                for (int i = 0; i < (MergeMode == null ? 2 : 1); i++) masks[i] = mask.alias();
            return all;
        }

        KerasTensor[] IMultiOutputLayer.CallSaved(SavedCall call) => RecurrentCalls.Replay(this, call);

        JsonObject IMultiOutputLayer.SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor) => RecurrentCalls.Save(node, tensor);

        /// <summary>Keras' <c>reset_states()</c> on both layers (stateful only).</summary>
        public void ResetStates()
        {
            if (!Stateful) throw new KerasInvalidOperationException("Layer must be stateful.");
            Forward.ResetStates();
            Backward.ResetStates();
        }

        /// <inheritdoc />
        public override bool SupportsMasking => true;

        /// <summary>Keras' <c>compute_mask</c>: the input's mask with return_sequences, none otherwise.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? previousMask) => ReturnSequences ? previousMask?.alias() : null;

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => CallCoreWithMask(inputs, null, training);

        /// <inheritdoc />
        protected override Tensor CallCoreWithMask(Tensor inputs, Tensor? mask, bool? training)
        {
            if (MergeMode == null)
                throw new KerasArgumentException($"Layer \"{Name}\" has merge_mode=None and gives two outputs: call CallAll.");
            var all = CallAll(inputs, mask, training);
            for (int i = 1; i < all.Length; i++) all[i].Dispose();
            return all[0];
        }

        /// <summary>
        /// Keras' call, every output: the merged output (or, with merge_mode None, the forward then the backward output),
        /// then with return_state the forward layer's states and the backward layer's states. The caller owns them.
        /// </summary>
        public Tensor[] CallAll(Tensor inputs, Tensor? mask = null, bool? training = null, IReadOnlyList<Tensor>? initialState = null)
        {
            if (initialState != null && initialState.Count % 2 != 0)
                throw new KerasArgumentException($"Layer \"{Name}\" takes the forward layer's initial states then the backward layer's. Received {initialState.Count}.");
            int half = (initialState?.Count ?? 0) / 2;
            var forwardState = initialState?.Take(half).ToArray();
            var backwardState = initialState?.Skip(half).ToArray();
            var forward = ReturnState || forwardState != null ? Forward.CallWithStates(inputs, mask, training, forwardState) : new[] { Forward.Call(inputs, mask, training) };
            Tensor[] backward;
            try
            {
                backward = ReturnState || backwardState != null ? Backward.CallWithStates(inputs, mask, training, backwardState) : new[] { Backward.Call(inputs, mask, training) };
            }
            catch
            {
                foreach (var t in forward) t.Dispose();
                throw;
            }
            using var y = forward[0];
            using var yBackward = backward[0];
            using var yRev = ReturnSequences ? yBackward.flip(1) : yBackward.alias();
            var outputs = new List<Tensor>();
            switch (MergeMode)
            {
                case "concat": outputs.Add(torch.cat(new[] { y, yRev }, -1)); break;
                case "sum": outputs.Add(y.add(yRev)); break;
                case "ave":
                {
                    using var sum = y.add(yRev);
                    outputs.Add(sum.div(2));
                    break;
                }
                case "mul": outputs.Add(y.mul(yRev)); break;
                default:
                    outputs.Add(y.alias());
                    outputs.Add(yRev.alias());
                    break;
            }
            if (ReturnState)
            {
                outputs.AddRange(forward.Skip(1));
                outputs.AddRange(backward.Skip(1));
            }
            else
            {
                foreach (var t in forward.Skip(1).Concat(backward.Skip(1))) t.Dispose();
            }
            return outputs.ToArray();
        }

        private protected override void DisposeChildren()
        {
            Forward.Dispose();
            Backward.Dispose();
        }
    }
}

using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// A layer whose call in a Functional graph can give several tensors and take tensors besides its input (an RNN with
    /// <c>return_state</c> or <c>initial_state</c>, Bidirectional with <c>merge_mode=None</c>). One call is one node; its
    /// outputs carry Keras' <c>tensor_index</c>, so later calls (and the model's outputs) can use any of them. The graph and
    /// serialization code run, save and replay such calls through this interface and know no layer by name.
    /// </summary>
    internal interface IMultiOutputLayer
    {
        /// <summary>
        /// Records a symbolic call on <paramref name="inputs"/> (and the given extra tensors, such as initial states):
        /// every output of Keras' call, in order.
        /// </summary>
        KerasTensor[] CallSymbolic(KerasTensor inputs, IReadOnlyList<KerasTensor>? extra, bool? training);

        /// <summary>
        /// <see cref="Layer.Call(KerasTensor, bool?)"/>: the call's first output, or an error saying to ask for every output when
        /// the first alone means nothing (two unmerged outputs).
        /// </summary>
        KerasTensor CallSymbolicFirst(KerasTensor inputs, bool? training);

        /// <summary>
        /// Runs the call that produced <paramref name="node"/> on concrete tensors (one per <c>node.SourceInputs</c>);
        /// <paramref name="mask"/> is the mask the first input carries. Returns every output, and in
        /// <paramref name="masks"/> each output's mask or null. The caller owns all of them.
        /// </summary>
        Tensor[] CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, Tensor? mask, bool? training, out Tensor?[] masks);

        /// <summary>Replays a saved call on the graph's symbolic tensors; returns every output.</summary>
        KerasTensor[] CallSaved(SavingLib.SavedCall call);

        /// <summary>The call's inbound node as Keras writes it: <c>{"args": [...], "kwargs": {...}}</c>.</summary>
        JsonObject SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor);
    }
}

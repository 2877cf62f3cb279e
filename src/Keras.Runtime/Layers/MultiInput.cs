using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// A layer whose call takes several tensors (merge layers, Dot, Attention, AdditiveAttention, MultiHeadAttention). The
    /// Functional graph runs, saves and reloads such calls through this interface, so the shared graph and serialization
    /// code knows no layer by name: each layer says how its call is written in Keras' <c>inbound_nodes</c>, how to replay
    /// a saved one, and how to run a recorded one. Per-call settings (Attention's <c>use_causal_mask</c>) travel with the
    /// call's output tensor (<see cref="KerasTensor.CallArguments"/>).
    /// </summary>
    internal interface IMultiInputLayer
    {
        /// <summary>Replays a saved call on the graph's symbolic tensors; returns the call's output.</summary>
        KerasTensor CallSaved(SavingLib.SavedCall call);

        /// <summary>Runs the call that produced <paramref name="node"/> on concrete tensors (one per <c>node.SourceInputs</c>).</summary>
        Tensor CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, bool? training);

        /// <summary>
        /// Runs the recorded call with the masks its tensors carry (null entries for tensors without one), for layers whose
        /// call takes them (Keras fills <c>mask</c> or <c>query_mask</c>/<c>value_mask</c> in from the inputs). The default
        /// ignores them.
        /// </summary>
        Tensor CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool? training) =>
            CallRecorded(node, inputs, training);

        /// <summary>The call's inbound node as Keras writes it: <c>{"args": [...], "kwargs": {...}}</c>.</summary>
        JsonObject SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor);

        /// <summary>
        /// Keras' <c>compute_mask(inputs, mask)</c> for a call on several tensors: the output's mask from the inputs' masks
        /// (null entries for inputs without one), or null. The default drops the masks. The caller owns the result.
        /// </summary>
        Tensor? ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => null;
    }

    /// <summary>What layers with several concrete inputs share with <see cref="Layer.Call(Tensor, bool?)"/>.</summary>
    internal static class LayerCalls
    {
        /// <summary>
        /// Runs <paramref name="compute"/> under the session's read lock on a live layer, with float inputs cast to the
        /// layer's compute dtype (null inputs stay null; non-float ones, such as boolean masks, are passed as they are).
        /// The caller owns the result.
        /// </summary>
        internal static Tensor Run(Layer layer, IReadOnlyList<Tensor?> inputs, Func<Tensor?[], Tensor> compute)
        {
            GlobalState.SessionLock.EnterReadLock();
            try
            {
                layer.EnsureAlive();
                var computeType = Interop.Dtypes.ToScalarType(layer.ComputeDtype);
                var cast = inputs.Select(t => t is not null && t.dtype != computeType && Interop.Dtypes.IsFloating(t.dtype) ? t.to_type(computeType) : null).ToArray();
                try
                {
                    return compute(inputs.Select((t, i) => cast[i] ?? t).ToArray());
                }
                finally
                {
                    foreach (var c in cast) c?.Dispose();
                }
            }
            finally
            {
                GlobalState.SessionLock.ExitReadLock();
            }
        }

        /// <summary>The <c>__keras_tensor__</c> arguments of a call, as a JSON list.</summary>
        internal static JsonArray List(IEnumerable<KerasTensor> tensors, Func<KerasTensor, JsonNode> tensor) =>
            new JsonArray(tensors.Select(tensor).ToArray());
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// How a recurrent call (<c>call(sequences, initial_state=None, mask=None, training=None)</c> of Keras' RNN layers and
    /// Bidirectional) is recorded, saved and replayed in a Functional graph: the node's first input is the sequence, the
    /// rest are the initial states. As Keras fills <c>mask</c> in only when a call has one tensor argument, a call given
    /// initial states runs without the sequence's mask (its output still carries the mask, as in Keras).
    /// </summary>
    internal static class RecurrentCalls
    {
        /// <summary>Checks a symbolic call's initial states: <paramref name="count"/> tensors of shape (batch, <paramref name="units"/>).</summary>
        internal static KerasTensor[] Inputs(Layer layer, KerasTensor inputs, IReadOnlyList<KerasTensor>? initialState, int count, Func<int, int> units)
        {
            if (inputs is null) throw new KerasArgumentException("The first argument of Layer.Call must be a tensor. Received: None", nameof(inputs));
            if (initialState is null) return new[] { inputs };
            if (initialState.Count != count || initialState.Any(s => s is null))
                throw new KerasArgumentException(
                    $"Layer \"{layer.Name}\" expects {count} initial state tensor(s). Received: {initialState.Count}" +
                    (initialState.Any(s => s is null) ? " (some of them null)." : "."), nameof(initialState));
            for (int i = 0; i < count; i++)
            {
                var shape = initialState[i].Shape;
                if (shape.Length != 2 || shape[1] >= 0 && shape[1] != units(i))
                    throw new KerasArgumentException(
                        $"Layer \"{layer.Name}\": initial state {i} must have shape (batch, {units(i)}). Received: {Layer.FormatShape(shape)}.", nameof(initialState));
            }
            return new[] { inputs }.Concat(initialState).ToArray();
        }

        /// <summary>
        /// A recorded call's concrete arguments: the initial states (null when none were given) and the mask the call runs
        /// with, which Keras passes only to calls on one tensor argument.
        /// </summary>
        internal static (Tensor[]? InitialState, Tensor? Mask) Arguments(IReadOnlyList<Tensor> inputs, Tensor? mask)
        {
            var initial = inputs.Count > 1 ? inputs.Skip(1).ToArray() : null;
            return (initial, initial is null ? mask : null);
        }

        /// <summary>The call as Keras writes it: the sequence in <c>args</c>, the initial states and <c>training</c> in <c>kwargs</c>.</summary>
        internal static JsonObject Save(KerasTensor node, Func<KerasTensor, JsonNode> tensor)
        {
            var kwargs = new JsonObject();
            if (node.SourceInputs.Count > 1) kwargs["initial_state"] = LayerCalls.List(node.SourceInputs.Skip(1), tensor);
            if (node.CallTraining is bool training) kwargs["training"] = training;
            return new JsonObject { ["args"] = new JsonArray(tensor(node.SourceInputs[0])), ["kwargs"] = kwargs };
        }

        /// <summary>
        /// Replays a saved call: the sequence, and the initial states from <c>kwargs</c> or the second positional argument
        /// (tf.keras lists them after the sequence in the node). A <c>mask</c> tensor is what Keras filled in from the
        /// sequence's mask, which the graph propagates itself.
        /// </summary>
        internal static KerasTensor[] Replay(IMultiOutputLayer layer, SavedCall call)
        {
            var first = call.Tensors(call.Arg(0), "sequences");
            var sequences = first[0];
            IReadOnlyList<KerasTensor>? initial = first.Count > 1 ? first.Skip(1).ToArray() : null;
            var given = call.Kwarg("initial_state") ?? call.Arg(1);
            if (given is not null)
            {
                if (initial != null) throw call.Error("initial_state is given twice (with the sequence and as an argument).");
                initial = call.Tensors(given, "initial_state");
            }
            if (call.FilledMask("mask") is { } mask && SavedCall.IsTensor(mask) && initial != null)
                throw call.Unsupported("mask", mask, "an explicit mask together with initial_state");
            bool? training = call.OptionalFlag("training");
            if (call.Args.Count > 2) throw call.Error($"a recurrent call takes the sequence and the initial states; the node has {call.Args.Count} positional arguments.");
            call.Finish();
            return layer.CallSymbolic(sequences, initial, training);
        }
    }
}

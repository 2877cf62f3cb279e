using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using Keras.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// What LSTM and GRU share: inputs (batch, time, features), the time loop, return_sequences, and stateful layers
    /// that carry their states to the next call (same batch size) until <see cref="ResetStates"/>. A subclass projects
    /// the inputs once for all steps and computes one step from the previous states; states[0] is the output h.
    /// </summary>
    public abstract class Recurrent : Layer
    {
        private Tensor[]? _states;

        /// <summary>Creates the layer.</summary>
        private protected Recurrent(int units, string activation, string recurrentActivation, bool useBias, bool returnSequences, bool stateful, string? name)
            : base(name)
        {
            if (units <= 0)
                throw new KerasArgumentException($"Received an invalid value for argument `units`, expected a positive integer, got {units}.", nameof(units));
            Units = units;
            Activation = Activations.Get(activation);
            RecurrentActivation = Activations.Get(recurrentActivation);
            ActivationName = activation;
            RecurrentActivationName = recurrentActivation;
            UseBias = useBias;
            ReturnSequences = returnSequences;
            Stateful = stateful;
        }

        /// <summary>Keras keeps an RNN's weights in its cell: <c>vars</c> stays empty and they go to <c>cell/vars</c>.</summary>
        internal override IReadOnlyList<SavingLib.VariableGroup> SavedVariableGroups() => new[]
        {
            new SavingLib.VariableGroup("vars", Name, Array.Empty<KerasVariable>()),
            new SavingLib.VariableGroup("cell/vars", Keras.State.Naming.ToSnakeCase(GetType().Name) + "_cell", OwnVariables),
        };

        /// <summary>Output size.</summary>
        public int Units { get; }
        /// <summary>The output activation's name.</summary>
        public string ActivationName { get; }
        /// <summary>The gates' activation's name.</summary>
        public string RecurrentActivationName { get; }
        /// <summary>Whether biases are added.</summary>
        public bool UseBias { get; }
        /// <summary>Return every step's output (batch, time, units) instead of the last (batch, units).</summary>
        public bool ReturnSequences { get; }
        /// <summary>Carry the states between calls.</summary>
        public bool Stateful { get; }
        /// <summary>The carried output state h of a stateful layer (null before the first call or after ResetStates).</summary>
        public Tensor? State => _states?[0];

        private protected Func<Tensor, Tensor> Activation { get; }
        private protected Func<Tensor, Tensor> RecurrentActivation { get; }

        /// <summary>Number of states (LSTM: h and c; GRU: h).</summary>
        private protected abstract int StateCount { get; }

        /// <summary>Creates the weights for <paramref name="features"/> input features.</summary>
        private protected abstract void BuildWeights(long features);

        /// <summary>The input projection of every step at once: (batch·time, features) to (batch·time, gates).</summary>
        private protected abstract Tensor ProjectInputs(Tensor flatInputs, ScalarType type);

        /// <summary>One step: from this step's projected input and the previous states, the new states (new tensors).</summary>
        private protected abstract Tensor[] Step(Tensor projectedStep, Tensor[] states, ScalarType type);

        /// <summary>Releases per-call resources created for the steps (cast weights).</summary>
        private protected virtual void EndCall()
        {
        }

        /// <inheritdoc />
        protected sealed override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim=3, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            BuildWeights(inputShape[2]);
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) =>
            ReturnSequences ? new[] { inputShape[0], inputShape[1], Units } : new[] { inputShape[0], (long)Units };

        /// <summary>Keras' <c>reset_states()</c>: a stateful layer starts from zeros again.</summary>
        public void ResetStates()
        {
            if (_states != null) foreach (var s in _states) s.Dispose();
            _states = null;
        }

        /// <inheritdoc />
        protected sealed override Tensor CallCore(Tensor inputs, bool? training)
        {
            long batch = inputs.shape[0], steps = inputs.shape[1];
            var type = Dtypes.ToScalarType(ComputeDtype);
            if (Stateful && _states is not null && _states[0].shape[0] != batch)
                throw new KerasArgumentException(
                    $"Layer \"{Name}\" is stateful and was called with batch size {_states[0].shape[0]}; received batch size {batch}. " +
                    "A stateful RNN needs a fixed batch size: use the same batch size, or call ResetStates() first.");
            using var flat = inputs.reshape(batch * steps, -1);
            using var projected = ProjectInputs(flat, type);
            using var perStep = projected.reshape(batch, steps, -1);
            var states = Enumerable.Range(0, StateCount)
                .Select(i => Stateful && _states is not null ? _states[i].to_type(type) : torch.zeros(new[] { batch, (long)Units }, type))
                .ToArray();
            var outputs = ReturnSequences ? new List<Tensor>((int)steps) : null;
            bool hInOutputs = false; // once h is an output, the list owns it
            try
            {
                for (long t = 0; t < steps; t++)
                {
                    Tensor[] next;
                    using (var step = perStep.select(1, t)) next = Step(step, states, type);
                    for (int i = 0; i < states.Length; i++)
                        if (i > 0 || !hInOutputs) states[i].Dispose();
                    states = next;
                    if (outputs != null)
                    {
                        outputs.Add(states[0]);
                        hInOutputs = true;
                    }
                }
                if (Stateful)
                {
                    ResetStates();
                    _states = states.Select(s =>
                    {
                        using var detached = s.detach();
                        return detached.clone().DetachFromDisposeScope();
                    }).ToArray();
                }
                if (outputs == null)
                {
                    var h = states[0];
                    states[0] = null!; // returned, not disposed below
                    return h;
                }
                if (outputs.Count == 0) throw new KerasArgumentException($"Layer \"{Name}\" received a sequence with no time steps.");
                return torch.stack(outputs, 1);
            }
            finally
            {
                for (int i = 0; i < states.Length; i++)
                    if (states[i] is not null && (i > 0 || !hInOutputs)) states[i].Dispose();
                if (outputs != null) foreach (var output in outputs) output.Dispose();
                EndCall();
            }
        }
    }
}

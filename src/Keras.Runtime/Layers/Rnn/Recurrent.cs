using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;
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
        private protected Recurrent(int units, string activation, string recurrentActivation, bool useBias, bool returnSequences, bool stateful, string? name,
            RecurrentOptions? options = null)
            : base(name, options?.Trainable ?? true, options?.Dtype)
        {
            var o = options ?? new RecurrentOptions();
            KernelInitializer = o.KernelInitializer ?? new GlorotUniform();
            RecurrentInitializer = o.RecurrentInitializer ?? new Orthogonal();
            BiasInitializer = o.BiasInitializer ?? new Zeros();
            KernelRegularizer = o.KernelRegularizer;
            RecurrentRegularizer = o.RecurrentRegularizer;
            BiasRegularizer = o.BiasRegularizer;
            ActivityRegularizer = o.ActivityRegularizer;
            KernelConstraint = o.KernelConstraint;
            RecurrentConstraint = o.RecurrentConstraint;
            BiasConstraint = o.BiasConstraint;
            if (Shared.KerasArgumentRules.RecurrentUnits.Problem(units) is { } problem) throw new KerasArgumentException(problem, nameof(units));
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

        /// <summary>The kernel's initializer.</summary>
        public Initializer KernelInitializer { get; }
        /// <summary>The recurrent kernel's initializer.</summary>
        public Initializer RecurrentInitializer { get; }
        /// <summary>The bias' initializer.</summary>
        public Initializer BiasInitializer { get; }
        /// <summary>The kernel's regularizer, or null.</summary>
        public Regularizer? KernelRegularizer { get; }
        /// <summary>The recurrent kernel's regularizer, or null.</summary>
        public Regularizer? RecurrentRegularizer { get; }
        /// <summary>The bias' regularizer, or null.</summary>
        public Regularizer? BiasRegularizer { get; }
        /// <summary>The kernel's constraint, or null.</summary>
        public Constraint? KernelConstraint { get; }
        /// <summary>The recurrent kernel's constraint, or null.</summary>
        public Constraint? RecurrentConstraint { get; }
        /// <summary>The bias' constraint, or null.</summary>
        public Constraint? BiasConstraint { get; }

        /// <summary>Keras' RNN config: the RNN wrapper's keys, then the cell's.</summary>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["return_sequences"] = ReturnSequences;
            c["return_state"] = false;
            c["go_backwards"] = false;
            c["stateful"] = Stateful;
            c["unroll"] = false;
            c["zero_output_for_mask"] = false;
            c["units"] = Units;
            c["activation"] = ActivationName;
            c["recurrent_activation"] = RecurrentActivationName;
            c["use_bias"] = UseBias;
            c["kernel_initializer"] = KerasObjects.Serialize(KernelInitializer);
            c["recurrent_initializer"] = KerasObjects.Serialize(RecurrentInitializer);
            c["bias_initializer"] = KerasObjects.Serialize(BiasInitializer);
            AddCellConfig(c);
            c["kernel_regularizer"] = KerasObjects.SerializeOptional(KernelRegularizer);
            c["recurrent_regularizer"] = KerasObjects.SerializeOptional(RecurrentRegularizer);
            c["bias_regularizer"] = KerasObjects.SerializeOptional(BiasRegularizer);
            c["activity_regularizer"] = KerasObjects.SerializeOptional(ActivityRegularizer);
            c["kernel_constraint"] = KerasObjects.SerializeOptional(KernelConstraint);
            c["recurrent_constraint"] = KerasObjects.SerializeOptional(RecurrentConstraint);
            c["bias_constraint"] = KerasObjects.SerializeOptional(BiasConstraint);
            c["dropout"] = 0.0;
            c["recurrent_dropout"] = 0.0;
            AddTrailingConfig(c);
            c["seed"] = null;
            return c;
        }

        /// <summary>Cell keys Keras writes after the initializers (LSTM: unit_forget_bias).</summary>
        private protected virtual void AddCellConfig(JsonObject c)
        {
        }

        /// <summary>Cell keys Keras writes after the dropouts (GRU: reset_after).</summary>
        private protected virtual void AddTrailingConfig(JsonObject c)
        {
        }

        /// <summary>Reads what every recurrent layer's config shares; refuses what this runtime does not run yet.</summary>
        private protected static RecurrentOptions ReadOptions(ConfigReader c)
        {
            c.ExpectBool("go_backwards", false, "go_backwards=True");
            c.ExpectBool("return_state", false, "return_state=True");
            c.Expect("dropout", v => v.GetValue<double>() == 0, "input dropout in recurrent layers");
            c.Expect("recurrent_dropout", v => v.GetValue<double>() == 0, "recurrent dropout");
            c.Ignore("unroll", "zero_output_for_mask", "seed", "use_cudnn", "implementation", "time_major");
            return new RecurrentOptions
            {
                KernelInitializer = c.Object<Initializer>("kernel_initializer", new GlorotUniform()),
                RecurrentInitializer = c.Object<Initializer>("recurrent_initializer", new Orthogonal()),
                BiasInitializer = c.Object<Initializer>("bias_initializer", new Zeros()),
                KernelRegularizer = c.OptionalObject<Regularizer>("kernel_regularizer"),
                RecurrentRegularizer = c.OptionalObject<Regularizer>("recurrent_regularizer"),
                BiasRegularizer = c.OptionalObject<Regularizer>("bias_regularizer"),
                KernelConstraint = c.OptionalObject<Constraint>("kernel_constraint"),
                RecurrentConstraint = c.OptionalObject<Constraint>("recurrent_constraint"),
                BiasConstraint = c.OptionalObject<Constraint>("bias_constraint"),
            };
        }

        /// <summary>Adds the kernel, the recurrent kernel and the bias with this layer's initializers, regularizers and constraints.</summary>
        private protected (KerasVariable Kernel, KerasVariable Recurrent, KerasVariable? Bias) AddRecurrentWeights(long features, long gates, long[] biasShape,
            Initializer? biasInitializer = null)
        {
            var kernel = AddWeight("kernel", new[] { features, gates }, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
            var recurrent = AddWeight("recurrent_kernel", new[] { (long)Units, gates }, RecurrentInitializer, regularizer: RecurrentRegularizer,
                constraint: RecurrentConstraint);
            var bias = UseBias ? AddWeight("bias", biasShape, biasInitializer ?? BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint) : null;
            return (kernel, recurrent, bias);
        }

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
                .Select(i => Stateful && _states is not null ? _states[i].to_type(type) : torch.zeros(new[] { batch, (long)Units }, type, inputs.device))
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

    /// <summary>The constructor arguments every recurrent layer shares beyond its shape (Keras' initializer, regularizer and constraint arguments).</summary>
    public sealed class RecurrentOptions
    {
        /// <summary>kernel_initializer (default glorot_uniform).</summary>
        public Initializer? KernelInitializer { get; init; }
        /// <summary>recurrent_initializer (default orthogonal).</summary>
        public Initializer? RecurrentInitializer { get; init; }
        /// <summary>bias_initializer (default zeros).</summary>
        public Initializer? BiasInitializer { get; init; }
        /// <summary>kernel_regularizer.</summary>
        public Regularizer? KernelRegularizer { get; init; }
        /// <summary>recurrent_regularizer.</summary>
        public Regularizer? RecurrentRegularizer { get; init; }
        /// <summary>bias_regularizer.</summary>
        public Regularizer? BiasRegularizer { get; init; }
        /// <summary>activity_regularizer.</summary>
        public Regularizer? ActivityRegularizer { get; init; }
        /// <summary>kernel_constraint.</summary>
        public Constraint? KernelConstraint { get; init; }
        /// <summary>recurrent_constraint.</summary>
        public Constraint? RecurrentConstraint { get; init; }
        /// <summary>bias_constraint.</summary>
        public Constraint? BiasConstraint { get; init; }
        /// <summary>Whether the layer's weights are trained.</summary>
        public bool Trainable { get; init; } = true;
        /// <summary>The dtype policy name (null: the global policy).</summary>
        public string? Dtype { get; init; }
    }
}

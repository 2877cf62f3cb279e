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
    public abstract class Recurrent : Layer, IMultiOutputLayer
    {
        private Tensor[]? _states;
        private Tensor[]? _recurrentMasks;              // per call: recurrent dropout masks (one, or one per gate)
        private readonly State.SeedGenerators? _seeds;
        private IReadOnlyList<Tensor>? _initialState;   // per call: CallWithStates' initial_state
        private Tensor[]? _finalStates;                  // per call: the states CallWithStates returns

        /// <summary>Creates the layer.</summary>
        private protected Recurrent(int units, string activation, string recurrentActivation, bool useBias, bool returnSequences, bool stateful, string? name,
            RecurrentOptions? options = null, bool returnState = false, bool goBackwards = false, double dropout = 0, double recurrentDropout = 0, int? seed = null)
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
            ReturnState = returnState;
            GoBackwards = goBackwards;
            ZeroOutputForMask = o.ZeroOutputForMask;
            // Keras clips the rates into [0, 1].
            Dropout = double.IsNaN(dropout) ? 0 : Math.Min(1.0, Math.Max(0.0, dropout));
            RecurrentDropout = double.IsNaN(recurrentDropout) ? 0 : Math.Min(1.0, Math.Max(0.0, recurrentDropout));
            Seed = seed;
            if (Dropout > 0 || RecurrentDropout > 0) _seeds = new State.SeedGenerators(seed);
        }

        /// <summary>Keras' <c>return_state</c>: the saved config says so and <see cref="CallWithStates"/> returns the final states.</summary>
        public bool ReturnState { get; }
        /// <summary>Keras' <c>go_backwards</c>: the sequence is processed from its last step; returned sequences are in processing order (reversed), as Keras returns them.</summary>
        public bool GoBackwards { get; }
        /// <summary>Keras' <c>zero_output_for_mask</c>: masked steps output zeros instead of the previous output.</summary>
        public bool ZeroOutputForMask { get; internal set; }
        /// <summary>Keras' <c>dropout</c>: the rate of the inputs' dropout mask (one mask for every step), in training only.</summary>
        public double Dropout { get; }
        /// <summary>Keras' <c>recurrent_dropout</c>: the rate of the recurrent state's dropout mask (one mask for every step), in training only.</summary>
        public double RecurrentDropout { get; }
        /// <summary>The dropout seed, or null.</summary>
        public int? Seed { get; }

        internal override IReadOnlyList<Generator> RandomGenerators => _seeds == null ? Array.Empty<Generator>() : _seeds.All;

        /// <summary>Number of gates in the kernel's columns (LSTM 4, GRU 3, SimpleRNN 1).</summary>
        private protected abstract int GateCount { get; }

        /// <summary>
        /// How many dropout masks Keras' cell draws: one per gate in its implementation 1 (chosen when recurrent dropout is
        /// set), one otherwise.
        /// </summary>
        private protected virtual int DropoutMaskCount => RecurrentDropout > 0 ? GateCount : 1;

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
            c["return_state"] = ReturnState;
            c["go_backwards"] = GoBackwards;
            c["stateful"] = Stateful;
            c["unroll"] = false;
            c["zero_output_for_mask"] = ZeroOutputForMask;
            c["units"] = Units;
            c["activation"] = ActivationName;
            if (WritesRecurrentActivation) c["recurrent_activation"] = RecurrentActivationName;
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
            c["dropout"] = Dropout;
            c["recurrent_dropout"] = RecurrentDropout;
            AddTrailingConfig(c);
            if (WritesSeed) c["seed"] = Seed;
            return c;
        }

        /// <summary>Whether Keras writes <c>seed</c> (SimpleRNN's config leaves it out).</summary>
        private protected virtual bool WritesSeed => true;

        /// <summary>Whether the layer has a recurrent activation (SimpleRNN has none).</summary>
        private protected virtual bool WritesRecurrentActivation => true;

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
            c.Ignore("unroll", "use_cudnn", "implementation", "time_major"); // how the loop runs, not what it computes
            return new RecurrentOptions
            {
                ZeroOutputForMask = c.Bool("zero_output_for_mask", false),
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

        /// <summary>Number of states, for the layers that wrap this one.</summary>
        internal int StateTensorCount => StateCount;

        /// <summary>Creates the weights for <paramref name="features"/> input features.</summary>
        private protected abstract void BuildWeights(long features);

        /// <summary>The input projection of every step at once: (batch·time, features) to (batch·time, gates).</summary>
        private protected abstract Tensor ProjectInputs(Tensor flatInputs, ScalarType type);

        /// <summary>
        /// One step: from this step's projected input and the previous states, the new states (new tensors). The recurrent
        /// product goes through <see cref="RecurrentProduct"/> so that recurrent dropout applies.
        /// </summary>
        private protected abstract Tensor[] Step(Tensor projectedStep, Tensor[] states, ScalarType type);

        /// <summary>Releases per-call resources created for the steps (cast weights).</summary>
        private protected virtual void EndCall()
        {
        }

        /// <summary>
        /// <c>h · U (+ b)</c>; in training with recurrent dropout, Keras' <c>(h · m_g) · U_g</c> for each gate's mask
        /// (one mask for every gate when Keras draws one).
        /// </summary>
        private protected Tensor RecurrentProduct(Tensor h, Tensor recurrent, Tensor? bias = null)
        {
            if (_recurrentMasks is null) return bias is null ? h.matmul(recurrent) : torch.addmm(bias, h, recurrent, beta: 1, alpha: 1);
            Tensor product;
            if (_recurrentMasks.Length == 1)
            {
                using var dropped = h.mul(_recurrentMasks[0]);
                product = dropped.matmul(recurrent);
            }
            else
            {
                var parts = new Tensor[_recurrentMasks.Length];
                try
                {
                    for (int g = 0; g < parts.Length; g++)
                    {
                        using var dropped = h.mul(_recurrentMasks[g]);
                        using var slice = recurrent.narrow(1, (long)g * Units, Units);
                        parts[g] = dropped.matmul(slice);
                    }
                    product = torch.cat(parts, 1);
                }
                finally
                {
                    foreach (var part in parts) part?.Dispose();
                }
            }
            if (bias is null) return product;
            using (product) return product.add(bias);
        }

        /// <inheritdoc />
        protected sealed override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim=3, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            BuildWeights(inputShape[2]);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim=3, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            long built = BuildInputShape is { Length: 3 } b ? b[2] : -1;
            if (built > 0 && inputShape[2] != built)
                throw new KerasArgumentException(
                    $"Input 0 of layer \"{Name}\" is incompatible with the layer: expected axis -1 of input shape to have value {built}, but received input with shape {FormatShape(inputShape)}");
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) =>
            ReturnSequences ? new[] { inputShape[0], inputShape[1], Units } : new[] { inputShape[0], (long)Units };

        /// <summary>Keras' RNN supports masking: masked steps are skipped; the output keeps the mask with return_sequences.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Keras' RNN <c>compute_mask</c>: the input's mask with return_sequences, none otherwise.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? previousMask) => ReturnSequences ? previousMask?.alias() : null;

        /// <summary>Keras' <c>reset_states()</c>: a stateful layer starts from zeros again.</summary>
        public void ResetStates()
        {
            if (_states != null) foreach (var s in _states) s.Dispose();
            _states = null;
        }

        /// <summary>
        /// Keras' call with <c>return_state=True</c> (and optionally <c>initial_state</c>, <c>mask</c>): the output followed by
        /// the final states (LSTM: h, c; GRU and SimpleRNN: h). The caller owns every tensor.
        /// </summary>
        public Tensor[] CallWithStates(Tensor inputs, Tensor? mask = null, bool? training = null, IReadOnlyList<Tensor>? initialState = null)
        {
            if (initialState != null && initialState.Count != StateCount)
                throw new KerasArgumentException(
                    $"Layer \"{Name}\" expects {StateCount} initial state tensor(s) of shape (batch, {Units}). Received: {initialState.Count}.", nameof(initialState));
            _initialState = initialState;
            _finalStates = Array.Empty<Tensor>(); // asks CallCore to keep the final states
            try
            {
                var output = Call(inputs, mask, training);
                var states = _finalStates;
                var result = new Tensor[1 + states.Length];
                result[0] = output;
                Array.Copy(states, 0, result, 1, states.Length);
                return result;
            }
            finally
            {
                _initialState = null;
                _finalStates = null;
            }
        }

        /// <summary>
        /// Keras' symbolic call with every output: <c>lstm(x, initial_state=[h, c])</c> records one node whose outputs are the
        /// output and, with <c>return_state</c>, the final states (LSTM: h, c; GRU and SimpleRNN: h). Later calls and the
        /// model's outputs may use any of them (the encoder-decoder pattern), and the graph saves and loads them with their
        /// <c>tensor_index</c>. Keras fills the call's mask only when it has one tensor argument: given initial states, the
        /// call runs without the sequence's mask, and its output keeps that mask.
        /// </summary>
        public KerasTensor[] CallAll(KerasTensor inputs, IReadOnlyList<KerasTensor>? initialState = null, bool? training = null) =>
            ((IMultiOutputLayer)this).CallSymbolic(inputs, initialState, training);

        KerasTensor[] IMultiOutputLayer.CallSymbolic(KerasTensor inputs, IReadOnlyList<KerasTensor>? extra, bool? training)
        {
            var all = RecurrentCalls.Inputs(this, inputs, extra, StateCount, _ => Units);
            EnsureAlive();
            MaybeBuild(inputs.Shape);
            AssertInputCompatibility(inputs.Shape);
            var shapes = new List<long[]> { ComputeOutputShape(inputs.Shape) };
            if (ReturnState)
                for (int i = 0; i < StateCount; i++) shapes.Add(new[] { inputs.Shape[0], (long)Units });
            return RecordCall(all, shapes, training);
        }

        KerasTensor IMultiOutputLayer.CallSymbolicFirst(KerasTensor inputs, bool? training) =>
            ((IMultiOutputLayer)this).CallSymbolic(inputs, null, training)[0];

        Tensor[] IMultiOutputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, Tensor? mask, bool? training, out Tensor?[] masks)
        {
            var (initial, callMask) = RecurrentCalls.Arguments(inputs, mask);
            var all = ReturnState || initial != null ? CallWithStates(inputs[0], callMask, training, initial) : new[] { CallInternal(inputs[0], callMask, training, false, out _) };
            if (!ReturnState && all.Length > 1)
            {
                for (int i = 1; i < all.Length; i++) all[i].Dispose();
                all = new[] { all[0] };
            }
            masks = new Tensor?[all.Length];
            masks[0] = ReturnSequences ? mask?.alias() : null; // Keras' compute_mask: the sequence's mask; none for the states
            return all;
        }

        KerasTensor[] IMultiOutputLayer.CallSaved(SavedCall call) => RecurrentCalls.Replay(this, call);

        JsonObject IMultiOutputLayer.SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor) => RecurrentCalls.Save(node, tensor);

        /// <inheritdoc />
        protected sealed override Tensor CallCore(Tensor inputs, bool? training) => CallCoreWithMask(inputs, null, training);

        /// <inheritdoc />
        protected sealed override Tensor CallCoreWithMask(Tensor inputs, Tensor? mask, bool? training)
        {
            long batch = inputs.shape[0], steps = inputs.shape[1];
            var type = Dtypes.ToScalarType(ComputeDtype);
            if (Stateful && _states is not null && _states[0].shape[0] != batch)
                throw new KerasArgumentException(
                    "If an RNN is stateful, the batch size of the input sequences must be the same as the batch size of the initial state. \n" +
                    $"- Expected batch size: {_states[0].shape[0]}\n- Received batch size: {batch}\n" +
                    $"Layer \"{Name}\" is stateful: use the same batch size, or call ResetStates() first.");
            if (steps == 0) throw new KerasArgumentException($"Layer \"{Name}\" received a sequence with no time steps.");
            if (mask is not null)
            {
                CheckMask(inputs, mask);
                if (mask.dim() != 2)
                    throw new KerasArgumentException($"Layer \"{Name}\" expects a mask of shape (batch, time); received {FormatShape(mask.shape)}.");
            }
            bool keepStates = _finalStates is not null;
            var initial = _initialState;
            if (initial != null)
                foreach (var s in initial)
                    if (s.dim() != 2 || s.shape[0] != batch || s.shape[1] != Units)
                        throw new KerasArgumentException(
                            $"Layer \"{Name}\": each initial state must have shape ({batch}, {Units}). Received: {FormatShape(s.shape)}.");
            bool train = training == true;
            using var scope = torch.NewDisposeScope();
            try
            {
                // Keras' dropout masks: drawn once per call, the same for every step.
                Tensor[]? inputMasks = null;
                if (train && Dropout > 0)
                {
                    using var first = inputs.select(1, 0);
                    inputMasks = DropoutMasks(first, Dropout, DropoutMaskCount);
                }
                if (train && RecurrentDropout > 0)
                {
                    using var like = torch.zeros(new[] { batch, (long)Units }, type, inputs.device);
                    _recurrentMasks = DropoutMasks(like, RecurrentDropout, DropoutMaskCount);
                }
                var states = new Tensor[StateCount];
                for (int i = 0; i < states.Length; i++)
                    states[i] = initial != null ? initial[i].to_type(type)
                        : Stateful && _states is not null ? _states[i].to_type(type)
                        : torch.zeros(new[] { batch, (long)Units }, type, inputs.device);
                long[]? lengths = null;
                Tensor? rowLengths = null;
                bool fused = UsesFusedKernel() && inputs.device_type != DeviceType.META; // the meta device (shape audits) has no fused kernel
                if (fused && mask is not null)
                {
                    // Keras' cuDNN rule for masks: right-padded rows, none fully masked, run as packed sequences; any other mask takes the loop.
                    lengths = RightPaddedLengths(mask, steps, out rowLengths);
                    if (lengths is null) fused = false;
                    else if (lengths.All(l => l == steps)) lengths = null; // nothing masked: the plain fused call computes the same
                }
                if (fused)
                {
                    // Keras' fused path: the input dropout mask is applied to the whole sequence, go_backwards flips it first
                    // (with lengths: each row's kept steps, as Keras' cuDNN path reverses them with reverse_sequence).
                    var x = inputMasks is null ? inputs : inputs.mul(inputMasks[0].unsqueeze(1));
                    if (GoBackwards) x = lengths is null ? x.flip(1) : x.gather(1, RowIndex(rowLengths!, steps, reverse: true).unsqueeze(-1).expand(batch, steps, x.shape[2]));
                    var (kernel, recurrent, bias) = CellWeights;
                    _fused ??= new FusedRecurrence(FusedKind!.Value, inputs.shape[2], Units);
                    // With a mask, two exact ways: the padded kernel over every step, read at each row's last kept step (the
                    // outputs before a row's length do not depend on what follows), or packed sequences. The padded kernel is
                    // the faster on the CPU (LSTM 3.3x, GRU 1.1x, the rnn benchmark); only the packed one gives the LSTM's
                    // cell state at a row's last kept step, needed when the states are kept (return_state, stateful).
                    bool packed = lengths is not null && StateCount > 1 && (keepStates || Stateful);
                    var run = _fused.Run(x, kernel.Value.to_type(type), recurrent.Value.to_type(type), bias!.Value.to_type(type), states[0],
                        states.Length > 1 ? states[1] : null, packed ? lengths : null);
                    System.Threading.Interlocked.Increment(ref _fusedCalls);
                    if (lengths is null) return FinishCall(run.Skip(1).ToArray(), ReturnSequences ? run[0] : run[0].select(1, steps - 1), keepStates);
                    System.Threading.Interlocked.Increment(ref _maskedFusedCalls);
                    if (packed)
                    {
                        System.Threading.Interlocked.Increment(ref _packedCalls);
                        return FinishCall(run.Skip(1).ToArray(), PackedOutput(run[0], run[1], mask!, rowLengths!, steps), keepStates);
                    }
                    // The padded run: h at each row's last kept step is its output there; the steps after it are zeroed as
                    // the packed kernel leaves them. Its other final states belong to the padding and are never kept here.
                    using var lastKept = rowLengths!.sub(1).view(batch, 1, 1).expand(batch, 1, Units);
                    using var gathered = run[0].gather(1, lastKept);
                    var h = gathered.squeeze(1);
                    using var keepSteps = mask!.to_type(ScalarType.Bool).unsqueeze(-1);
                    var sequence = ZeroOutputForMask || (GoBackwards && ReturnSequences) ? run[0].masked_fill(keepSteps.logical_not(), 0) : run[0];
                    return FinishCall(new[] { h }, PackedOutput(sequence, h, mask!, rowLengths!, steps), keepStates);
                }
                var projected = Project(inputs, inputMasks, type, batch * steps).reshape(batch, steps, -1);
                Tensor? maskSteps = mask is null ? null : mask.to_type(ScalarType.Bool).unsqueeze(-1); // (batch, time, 1)
                Tensor? zeroOutput = mask is null ? null : torch.zeros(new[] { batch, (long)Units }, type, inputs.device);
                Tensor? previousOutput = zeroOutput;
                var outputs = ReturnSequences ? new List<Tensor>((int)steps) : null;
                Tensor last = null!;
                for (long k = 0; k < steps; k++)
                {
                    long t = GoBackwards ? steps - 1 - k : k;
                    var next = Step(projected.select(1, t), states, type);
                    Tensor output;
                    if (maskSteps is null)
                    {
                        states = next;
                        output = next[0];
                    }
                    else
                    {
                        // Keras' masked step: the states keep their previous values, the output repeats the previous output (zeros with zero_output_for_mask).
                        var m = maskSteps.select(1, t);
                        for (int i = 0; i < states.Length; i++) states[i] = torch.where(m, next[i], states[i]);
                        output = torch.where(m, next[0], ZeroOutputForMask ? zeroOutput! : previousOutput!);
                        previousOutput = output;
                    }
                    outputs?.Add(output);
                    last = output;
                }
                return FinishCall(states, outputs != null ? torch.stack(outputs, 1) : last, keepStates);
            }
            finally
            {
                _recurrentMasks = null;
                EndCall();
            }
        }

        /// <summary>Keeps a stateful layer's states and CallWithStates' states; returns the call's output (moved out of the call's scope).</summary>
        private Tensor FinishCall(Tensor[] states, Tensor output, bool keepStates)
        {
            if (Stateful)
            {
                ResetStates();
                _states = states.Select(s =>
                {
                    using var detached = s.detach();
                    return detached.clone().DetachFromDisposeScope();
                }).ToArray();
            }
            if (keepStates) _finalStates = states.Select(s => s.alias().MoveToOuterDisposeScope()).ToArray();
            return output.alias().MoveToOuterDisposeScope();
        }

        private FusedRecurrence? _fused;
        private long _fusedCalls, _maskedFusedCalls, _packedCalls;

        /// <summary>Tests only: how many calls ran on the fused kernel (masked or not).</summary>
        internal long FusedCalls => System.Threading.Interlocked.Read(ref _fusedCalls);

        /// <summary>Tests only: how many calls ran on the fused kernel with a right-padded mask (by lengths or packed).</summary>
        internal long MaskedFusedCalls => System.Threading.Interlocked.Read(ref _maskedFusedCalls);

        /// <summary>Tests only: how many of those ran on packed sequences (an LSTM whose states are kept).</summary>
        internal long PackedCalls => System.Threading.Interlocked.Read(ref _packedCalls);

        /// <summary>
        /// Keras' masked outputs from the fused kernel's (zeros after each row's length; <paramref name="h"/> the state at
        /// each row's last kept step, which is also its output there). Forwards: a masked step repeats the previous output
        /// (zeros with zero_output_for_mask). Backwards: the processing order starts with the masked steps (reversed, the
        /// padding comes first), whose output is the initial zeros, then the kept steps' outputs.
        /// </summary>
        private Tensor PackedOutput(Tensor sequence, Tensor h, Tensor mask, Tensor rowLengths, long steps)
        {
            if (GoBackwards)
            {
                if (!ReturnSequences) return h.alias(); // the last processed step is a row's first, always kept
                // Row b in processing order: (steps - length) zeros, then its outputs; the packed output's zeros sit after its length.
                using var shift = RowIndex(rowLengths, steps, reverse: false);
                using var index = shift.unsqueeze(-1).expand(sequence.shape[0], steps, sequence.shape[2]);
                return sequence.gather(1, index);
            }
            if (ZeroOutputForMask) return ReturnSequences ? sequence.alias() : sequence.select(1, steps - 1);
            if (!ReturnSequences) return h.alias();
            using var keep = mask.to_type(ScalarType.Bool).unsqueeze(-1);
            using var previous = h.unsqueeze(1);
            return torch.where(keep, sequence, previous);
        }

        /// <summary>
        /// Per-row gather indices (batch, time) from each row's length L: with <paramref name="reverse"/>, (L - 1 - t) mod T
        /// (the kept steps reversed in place, the padding permuted among itself); otherwise (t + L) mod T (a right shift by
        /// T - L that brings the padding, at positions L.., to the front).
        /// </summary>
        private static Tensor RowIndex(Tensor rowLengths, long steps, bool reverse)
        {
            using var positions = torch.arange(steps, ScalarType.Int64, device: rowLengths.device);
            using var t = positions.unsqueeze(0);
            using var l = rowLengths.unsqueeze(1);
            using var raw = reverse ? l.sub(t).sub_(1) : l.add(t);
            return raw.remainder(steps);
        }

        /// <summary>
        /// Keras' cuDNN mask check (backend/tensorflow/rnn.py: is_sequence_right_padded and has_fully_masked_sequence):
        /// each row's kept steps are a prefix of at least one step. Returns the rows' lengths on the host (and on the
        /// mask's device), or null when a row breaks the rule. Tensor ops over the whole mask, one transfer of the lengths.
        /// </summary>
        private static long[]? RightPaddedLengths(Tensor mask, long steps, out Tensor? rowLengths)
        {
            using var keep = mask.to_type(ScalarType.Bool);
            var counts = keep.sum(1, type: ScalarType.Int64);
            using var positions = torch.arange(steps, ScalarType.Int64, device: mask.device);
            using var t = positions.unsqueeze(0);
            using var c = counts.unsqueeze(1);
            using var prefix = t.lt(c);
            using var same = prefix.eq(keep);
            using var rowOk = same.all(1);
            using var code = counts.mul(rowOk); // 0 where a row is not a prefix (or is fully masked)
            using var host = code.cpu();
            var lengths = host.data<long>().ToArray();
            if (lengths.Length == 0 || lengths.Min() < 1)
            {
                counts.Dispose();
                rowLengths = null;
                return null;
            }
            rowLengths = counts;
            return lengths;
        }

        /// <summary>
        /// Tests only: run the step loop even where the fused kernel applies (to compare the two paths).
        /// </summary>
        internal bool ForceStepLoop { get; set; }

        /// <summary>The fused kernel that computes this layer's cell, or null (set by the subclass for its activations).</summary>
        private protected virtual FusedRecurrence.Kind? FusedKind => null;

        /// <summary>The cell's kernel, recurrent kernel and bias (Keras' layout).</summary>
        private protected abstract (KerasVariable Kernel, KerasVariable Recurrent, KerasVariable? Bias) CellWeights { get; }

        /// <summary>
        /// Keras' cuDNN rule (backend/torch/rnn.py cudnn_ok and the layers' inner_loop; for masks backend/tensorflow/rnn.py's
        /// right-padding check): the fused kernel runs when the activations are the kernel's (FusedKind), the layer has a
        /// bias, no recurrent dropout, and there is no mask or a right-padded one with no fully masked row (read at each
        /// row's length, or packed sequences); other masks take the step loop. Input dropout is applied to the sequence first, as Keras does.
        /// </summary>
        internal bool UsesFusedKernelForTests(Tensor? mask)
        {
            if (!UsesFusedKernel()) return false;
            if (mask is null) return true;
            var lengths = RightPaddedLengths(mask, mask.shape[1], out var rowLengths);
            rowLengths?.Dispose();
            return lengths is not null;
        }

        private bool UsesFusedKernel() => !ForceStepLoop && FusedKind is not null && UseBias && RecurrentDropout == 0;

        private protected override void DisposeChildren()
        {
            _fused?.Dispose();
            _fused = null;
        }

        /// <summary>The input projection of every step, with the inputs' dropout masks (one, or one per gate) applied.</summary>
        private Tensor Project(Tensor inputs, Tensor[]? masks, ScalarType type, long rows)
        {
            if (masks is null)
            {
                using var flat = inputs.reshape(rows, -1);
                return ProjectInputs(flat, type);
            }
            var parts = new Tensor[masks.Length];
            for (int g = 0; g < masks.Length; g++)
            {
                using var perStep = masks[g].unsqueeze(1);
                using var dropped = inputs.mul(perStep);
                using var flat = dropped.reshape(rows, -1);
                if (g > 0) EndCall(); // each projection casts the step weights again; the last cast serves the steps
                var all = ProjectInputs(flat, type);
                // One mask: the whole projection; one per gate: that gate's columns of its own projection.
                parts[g] = masks.Length == 1 ? all : all.narrow(1, (long)g * Units, Units);
            }
            return masks.Length == 1 ? parts[0] : torch.cat(parts, 1);
        }

        /// <summary>Keras' <c>random.dropout(ones_like(x), rate)</c>: kept entries 1/(1-rate), dropped ones 0.</summary>
        private Tensor[] DropoutMasks(Tensor like, double rate, int count)
        {
            var masks = new Tensor[count];
            for (int g = 0; g < count; g++)
            {
                if (rate >= 1)
                {
                    masks[g] = torch.zeros_like(like);
                    continue;
                }
                using var uniform = _seeds!.Uniform(like);
                using var keep = uniform.ge(rate);
                using var kept = keep.to_type(like.dtype);
                masks[g] = kept.div(1 - rate);
            }
            return masks;
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
        /// <summary>zero_output_for_mask: masked steps output zeros instead of the previous output (Bidirectional sets it).</summary>
        public bool ZeroOutputForMask { get; init; }
        /// <summary>The dtype policy name (null: the global policy).</summary>
        public string? Dtype { get; init; }
    }
}

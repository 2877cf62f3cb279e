using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Layer</c>: a named, callable unit with weights. Names are generated from the class name
    /// ("dense", "dense_1", ...) unless given. The layer builds itself on its first call, creating its weights in the
    /// dtype policy's variable dtype, and computes in the policy's compute dtype (float inputs are cast to it).
    /// Subclasses implement <see cref="CallCore"/> and usually <see cref="Build"/> and <see cref="ComputeOutputShape"/>.
    /// </summary>
    [SavingLib.KerasKind("keras.layers", "layer")]
    public abstract partial class Layer : IDisposable, ISessionObject
    {
        private readonly List<KerasVariable> _trainableVariables = new List<KerasVariable>();
        private readonly List<KerasVariable> _nonTrainableVariables = new List<KerasVariable>();
        private readonly object _buildGate = new object();
        private ReleaseReason? _released;
        private bool _disposed;
        private bool _trainable;
        private torch.ScalarType? _computeType;
        private torch.Device? _device;

        /// <summary>Creates the layer; <paramref name="dtype"/> is a dtype policy name (null: the global policy).</summary>
        protected Layer(string? name = null, bool trainable = true, string? dtype = null)
        {
            Native.EnsureLoaded();
            if (name != null && name.Contains('/'))
                throw new KerasArgumentException(
                    $"Argument `name` must be a string and cannot contain character `/`. Received: name={name} (of type str)", nameof(name));
            Name = name ?? Naming.AutoName(GetType().Name);
            _trainable = trainable;
            dtype ??= SavingLib.ModelSerialization.DtypeWhileLoading;
            DtypePolicy = dtype == null ? Config.DtypePolicy() : new DTypePolicy(dtype);
            GlobalState.Registry.Register(this);
            SavingLib.LoadContext.Current?.Created(this);
        }

        /// <summary>The Keras class name this layer is saved under (its catalog name; a custom layer's class name).</summary>
        internal string KerasClassName => SavingLib.KerasCatalog.Of(GetType())?.ClassName ?? GetType().Name;

        /// <summary>The layer's name.</summary>
        public string Name { get; }

        /// <summary>The layer's dtype policy.</summary>
        public DTypePolicy DtypePolicy { get; }

        /// <summary>The dtype of the layer's variables.</summary>
        public string VariableDtype => DtypePolicy.VariableDtype;

        /// <summary>The dtype the layer computes in.</summary>
        public string ComputeDtype => DtypePolicy.ComputeDtype;

        /// <summary>Whether the layer's weights are trained. Models set it on every layer they contain.</summary>
        public virtual bool Trainable
        {
            get => _trainable;
            set => _trainable = value;
        }

        /// <summary>
        /// Keras' <c>activity_regularizer</c>: a penalty on the layer's output, recorded at each call (divided by the
        /// batch size, as Keras 3.15 does) and added to the training loss through <see cref="Models.Model.Losses"/>.
        /// </summary>
        public Regularizers.Regularizer? ActivityRegularizer { get; set; }

        private Tensor? _activityLoss;

        /// <summary>The activity-regularization loss of the latest call, or null.</summary>
        internal Tensor? ActivityLoss => _activityLoss;

        /// <summary>Whether <see cref="Build"/> has run.</summary>
        public bool Built { get; protected set; }

        /// <summary>The input shape the layer was built with (-1 for unknown dimensions), or null.</summary>
        public long[]? BuildInputShape { get; private set; }

        /// <summary>True once Dispose, ClearSession or SetBackend released the layer's native memory.</summary>
        public bool IsReleased => _released != null || _disposed;

        /// <summary>Trainable weights: empty when the layer is frozen (<see cref="Trainable"/> false).</summary>
        public virtual IReadOnlyList<KerasVariable> TrainableWeights =>
            Trainable ? _trainableVariables.ToArray() : Array.Empty<KerasVariable>();

        /// <summary>Non-trainable weights: all of them when the layer is frozen.</summary>
        public virtual IReadOnlyList<KerasVariable> NonTrainableWeights =>
            Trainable ? _nonTrainableVariables.ToArray() : _trainableVariables.Concat(_nonTrainableVariables).ToArray();

        /// <summary>
        /// The layer's own variables in creation order, trainable-at-creation first (Keras' <c>_trainable_variables +
        /// _non_trainable_variables</c>): the order weight files use, whatever <see cref="Trainable"/> is now.
        /// </summary>
        internal IReadOnlyList<KerasVariable> OwnVariables => _trainableVariables.Concat(_nonTrainableVariables).ToArray();

        /// <summary>
        /// Where the layer's variables go in a weight file, relative to the layer's own group: by default all of them in
        /// <c>vars</c>. Layers whose Keras counterpart keeps its weights in sublayers (RNN cells, attention projections)
        /// override this so files match Keras' layout.
        /// </summary>
        internal virtual IReadOnlyList<SavingLib.VariableGroup> SavedVariableGroups() =>
            new[] { new SavingLib.VariableGroup("vars", Name, OwnVariables) };

        /// <summary>
        /// Layers this layer holds as Keras attributes (Bidirectional's <c>forward_layer</c>, TimeDistributed's
        /// <c>layer</c>), each saved in the weight file under its own group below this layer's, with its own variables and
        /// sublayers. Models list their layers through <see cref="Models.Model.Layers"/> instead.
        /// </summary>
        internal virtual IReadOnlyList<(string Path, Layer Layer)> SavedSublayers() => Array.Empty<(string, Layer)>();

        /// <summary>
        /// The generators behind the layer's randomness during training (dropout masks). BackupAndRestore saves and
        /// restores their states so that a resumed run draws the same masks as an uninterrupted one.
        /// </summary>
        internal virtual IReadOnlyList<Generator> RandomGenerators => Array.Empty<Generator>();

        /// <summary>
        /// Keras' <c>get_config()</c>: what the saved config of this layer holds (<c>name</c>, <c>trainable</c>,
        /// <c>dtype</c>, and each built-in layer's arguments). A custom layer registered with
        /// <see cref="Keras.Saving.RegisterKerasSerializable{T}"/> overrides it to add its constructor arguments:
        /// <c>var c = base.GetConfig(); c["units"] = Units; return c;</c>.
        /// </summary>
        public virtual System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var config = new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = Name,
                ["trainable"] = Trainable,
                ["dtype"] = SavingLib.ModelSerialization.Policy(DtypePolicy),
            };
            if (ActivityRegularizer != null) config["activity_regularizer"] = SavingLib.KerasObjects.Serialize(ActivityRegularizer);
            return config;
        }

        /// <summary>All weights: trainable first, then non-trainable (Keras' order).</summary>
        public IReadOnlyList<KerasVariable> Weights => TrainableWeights.Concat(NonTrainableWeights).ToArray();

        /// <summary>Keras' <c>get_weights()</c>: copies of every weight on the CPU (the caller owns them), in <see cref="Weights"/> order.</summary>
        public IReadOnlyList<Tensor> GetWeights()
        {
            EnsureAlive();
            return Weights.Select(w =>
            {
                using var detached = w.Value.detach();
                using var onCpu = detached.cpu();
                return onCpu.clone();
            }).ToArray();
        }

        /// <summary>Keras' <c>set_weights(weights)</c>: assigns values in <see cref="Weights"/> order; count and shapes must match.</summary>
        public void SetWeights(IReadOnlyList<Tensor> weights)
        {
            EnsureAlive();
            var own = Weights;
            if (weights is null || weights.Count != own.Count)
                throw new KerasArgumentException(
                    $"You called `set_weights(weights)` on layer \"{Name}\" with a weight list of length {weights?.Count ?? 0}, but the layer was " +
                    $"expecting {own.Count} weights.", nameof(weights));
            for (int i = 0; i < own.Count; i++)
            {
                if (!weights[i].shape.SequenceEqual(own[i].Shape))
                    throw new KerasArgumentException(
                        $"Layer {Name} weight shape ({string.Join(", ", own[i].Shape)}) is not compatible with provided weight shape " +
                        $"({string.Join(", ", weights[i].shape)}).", nameof(weights));
            }
            for (int i = 0; i < own.Count; i++)
            {
                using var value = weights[i].to(own[i].Value.device).to_type(own[i].Value.dtype);
                own[i].Assign(value);
            }
        }

        /// <summary>Total number of scalars in the layer's weights.</summary>
        public long CountParams() => Weights.Sum(w => w.Shape.Aggregate(1L, (a, b) => a * b));

        /// <summary>
        /// Keras' <c>build(input_shape)</c>: creates the weights for inputs of <paramref name="inputShape"/> (batch
        /// dimension included, -1 = unknown), once. Calling the layer builds it automatically.
        /// </summary>
        public void Build(long[] inputShape)
        {
            if (inputShape is null) throw new ArgumentNullException(nameof(inputShape));
            EnsureAlive();
            MaybeBuild(inputShape);
        }

        /// <summary>Creates the layer's weights; override in subclasses (Keras' <c>build</c>).</summary>
        protected virtual void BuildCore(long[] inputShape)
        {
        }

        /// <summary>The output shape for <paramref name="inputShape"/> (-1 = unknown dimension).</summary>
        public virtual long[] ComputeOutputShape(long[] inputShape) => (long[])inputShape.Clone();

        /// <summary>
        /// Keras' input_spec check, run before every call once the layer is built: throw a
        /// <see cref="KerasArgumentException"/> describing the mismatch. (It also keeps bad shapes away from
        /// TorchSharp calls that would abort the process instead of throwing.)
        /// </summary>
        protected virtual void AssertInputCompatibility(long[] inputShape)
        {
        }

        /// <summary>Formats a shape as Keras prints it: (None, 3).</summary>
        protected internal static string FormatShape(long[] shape) =>
            "(" + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) +
            (shape.Length == 1 ? ",)" : ")");

        /// <summary>
        /// Whether the layer's inputs are indices (Embedding, lookups): integer inputs then reach <see cref="CallCore"/>
        /// unchanged instead of being promoted to the compute dtype.
        /// </summary>
        protected virtual bool TakesIndices => false;

        /// <summary>The computation. Inputs arrive in <see cref="ComputeDtype"/>; return a new tensor.</summary>
        protected abstract Tensor CallCore(Tensor inputs, bool? training);

        /// <summary>
        /// Adds a variable to the layer (Keras' add_weight), in the variable dtype (or <paramref name="dtype"/>: Normalization's
        /// int64 <c>count</c>), on the current device. While a file is
        /// being loaded, its size is first checked against the load's budget (<see cref="LoadLimits.MaxModelBytes"/>).
        /// </summary>
        protected KerasVariable AddWeight(string name, long[] shape, Initializer initializer, bool trainable = true,
            Regularizers.Regularizer? regularizer = null, Constraints.Constraint? constraint = null, string? dtype = null)
        {
            EnsureAlive();
            string variableDtype = dtype ?? VariableDtype;
            if (shape is null || shape.Any(d => d < 0))
                throw new KerasArgumentException($"Layer '{Name}': variable '{name}' needs a fully defined shape. Received: ({string.Join(", ", shape ?? Array.Empty<long>())})");
            SavingLib.LoadContext.Current?.ChargeVariable(this, name, shape, variableDtype);
            // A load that fills every variable from the file (LoadModel with weights) skips drawing initial values nobody sees.
            Tensor value = SavingLib.LoadContext.Current is { WeightsFollow: true }
                ? torch.zeros(shape, Dtypes.ToScalarType(variableDtype)) // host: moved below with the initializers' values
                : initializer.Call(shape, variableDtype);
            var device = Devices.Current;
            if (!Devices.IsOn(value, device))
            {
                using var onHost = value;
                value = onHost.to(device);
            }
            var variable = new KerasVariable(name, Name + "/" + name, value, trainable) { Regularizer = regularizer, Constraint = constraint };
            (trainable ? _trainableVariables : _nonTrainableVariables).Add(variable);
            return variable;
        }

        /// <summary>
        /// Calls the layer on a concrete tensor (Keras' <c>layer(x)</c>): builds it on first use, casts float inputs
        /// to the compute dtype, and with traceback filtering on reports failures with the layer's name and
        /// arguments. The caller owns the returned tensor.
        /// </summary>
        public Tensor Call(Tensor inputs, bool? training = null) => CallInternal(inputs, null, training, false, out _);

        /// <summary>
        /// The call behind every concrete call: <paramref name="mask"/> is the mask the input carries (Keras'
        /// <c>_keras_mask</c>), and with <paramref name="wantMask"/> the output's mask is computed (the caller owns both).
        /// </summary>
        internal Tensor CallInternal(Tensor inputs, Tensor? mask, bool? training, bool wantMask, out Tensor? outputMask)
        {
            outputMask = null;
            if (inputs is null) throw new KerasArgumentException("The first argument of Layer.Call must be a tensor. Received: None", nameof(inputs));
            GlobalState.SessionLock.EnterReadLock();
            try
            {
                EnsureAlive();
                try
                {
                    long[] shape = inputs.shape; // one native call, reused
                    if (!Built) MaybeBuild(shape);
                    AssertInputCompatibility(shape);
                    var computeType = _computeType ??= Dtypes.ToScalarType(ComputeDtype);
                    var inputType = inputs.dtype;
                    // Float inputs take the compute dtype (autocast); integer inputs too when they meet float weights, as Keras'
                    // type promotion makes them (an int64 batch into Dense), unless the layer takes indices (Embedding).
                    bool cast = inputType != computeType &&
                                (Dtypes.IsFloating(inputType) || !TakesIndices && Dtypes.IsFloating(computeType) && _trainableVariables.Count + _nonTrainableVariables.Count > 0);
                    // As Keras' torch backend converts inputs to its device: a batch on another device than the weights moves.
                    bool move = _device is { } device && !Devices.IsOn(inputs, device);
                    Tensor x = move ? inputs.to(_device!).to_type(cast ? computeType : inputType) : cast ? inputs.to_type(computeType) : inputs;
                    cast |= move;
                    try
                    {
                        var output = CallMasked(x, mask, training, wantMask, out outputMask);
                        if (ActivityRegularizer != null) RecordActivityLoss(output);
                        return output;
                    }
                    finally
                    {
                        if (cast) x.Dispose();
                    }
                }
                catch (Exception e) when (!TracebackFilter.IsKerasException(e) && GlobalState.TracebackFilteringEnabled)
                {
                    throw TracebackFilter.Rewrap(e, GetType().Name + ".Call()",
                        "  • inputs=torch.Tensor(shape=[" + string.Join(", ", inputs.shape) + "], dtype=" +
                        Dtypes.FromScalarType(inputs.dtype) + ")\n  • training=" + (training?.ToString() ?? "None"));
                }
            }
            finally
            {
                GlobalState.SessionLock.ExitReadLock();
            }
        }

        private void RecordActivityLoss(Tensor output)
        {
            _activityLoss?.Dispose();
            var loss = ActivityRegularizer!.Call(output);
            if (output.dim() > 0 && output.shape[0] > 0) loss.div_(output.shape[0]);
            _activityLoss = loss.DetachFromDisposeScope();
        }

        /// <summary>
        /// Calls the layer symbolically: builds it and returns the output's shape and dtype. <paramref name="training"/>
        /// is Keras' call argument: given, it fixes the mode this call runs in when the graph runs (the fine-tuning
        /// pattern <c>baseModel.Call(inputs, training: false)</c> keeps a frozen model's BatchNormalization and Dropout in
        /// inference mode even while the outer model trains), and it is saved in the node as Keras saves it.
        /// </summary>
        public KerasTensor Call(KerasTensor inputs, bool? training = null)
        {
            if (inputs is null) throw new KerasArgumentException("The first argument of Layer.Call must be a tensor. Received: None", nameof(inputs));
            EnsureAlive();
            if (this is IMultiOutputLayer several) return several.CallSymbolicFirst(inputs, training); // its further outputs stay in the graph's node
            MaybeBuild(inputs.Shape);
            AssertInputCompatibility(inputs.Shape);
            var output = RecordCall(new[] { inputs }, ComputeOutputShape(inputs.Shape));
            output.CallTraining = training;
            return output;
        }

        /// <summary>Records a symbolic call (several inputs for merge layers): Input and Output keep the first call's.</summary>
        private protected KerasTensor RecordCall(IReadOnlyList<KerasTensor> inputs, long[] outputShape, string? dtype = null)
        {
            var output = new KerasTensor(outputShape, dtype ?? ComputeDtype) { SourceLayer = this, SourceInput = inputs[0], SourceInputs = inputs.ToArray() };
            Input ??= inputs[0];
            Output ??= output;
            return output;
        }

        /// <summary>
        /// Records a symbolic call that gives several tensors (Keras' list of outputs: an RNN's output and states): one node,
        /// whose outputs carry their <c>tensor_index</c>. <paramref name="training"/> is the call's <c>training</c> argument.
        /// </summary>
        private protected KerasTensor[] RecordCall(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<long[]> outputShapes, bool? training)
        {
            var sourceInputs = inputs.ToArray();
            var outputs = outputShapes.Select(shape => new KerasTensor(shape, ComputeDtype)
            {
                SourceLayer = this, SourceInput = sourceInputs[0], SourceInputs = sourceInputs, CallTraining = training,
            }).ToArray();
            KerasTensor.JoinOutputs(outputs);
            Input ??= inputs[0];
            Output ??= outputs[0];
            return outputs;
        }

        /// <summary>
        /// Keras' <c>layer.input</c>: the symbolic tensor of the layer's first symbolic call (null before one), so
        /// feature-extraction models can be built from intermediate layers of a functional model.
        /// </summary>
        public KerasTensor? Input { get; private set; }

        /// <summary>Keras' <c>layer.output</c>: the symbolic output of the layer's first symbolic call (null before one).</summary>
        public KerasTensor? Output { get; private set; }

        /// <summary>Builds once, even when several threads make the first call together.</summary>
        internal void MaybeBuild(long[] inputShape)
        {
            if (Built) return;
            lock (_buildGate)
            {
                if (Built) return;
                BuildCore(inputShape);
                BuildInputShape = (long[])inputShape.Clone();
                if (_trainableVariables.Count + _nonTrainableVariables.Count > 0)
                    _device = (_trainableVariables.Count > 0 ? _trainableVariables[0] : _nonTrainableVariables[0]).Value.device;
                Built = true;
            }
        }

        /// <summary>Throws <see cref="KerasObjectReleasedException"/> when the layer's memory was released.</summary>
        protected internal void EnsureAlive()
        {
            if (_disposed) throw new KerasObjectReleasedException(Name, $"The Keras layer '{Name}' has been disposed.");
            if (_released is { } reason) throw new KerasObjectReleasedException(Name, ReleaseMessages.For(KindName, Name, reason));
        }

        /// <summary>"layer" or "model", for messages.</summary>
        private protected virtual string KindName => "layer";

        void ISessionObject.Release(ReleaseReason reason)
        {
            if (_released != null || _disposed) return;
            _released = reason;
            ReleaseVariables(v => ((ISessionObject)v).Release(reason));
        }

        /// <summary>Disposes the layer's variables (their native tensors). Later use raises an error.</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            ReleaseVariables(v => v.Dispose());
            DisposeChildren();
            GC.SuppressFinalize(this);
        }

        /// <summary>Composite layers (models) dispose the layers they own.</summary>
        private protected virtual void DisposeChildren()
        {
        }

        private void ReleaseVariables(Action<KerasVariable> release)
        {
            _activityLoss?.Dispose();
            _activityLoss = null;
            foreach (var v in _trainableVariables) release(v);
            foreach (var v in _nonTrainableVariables) release(v);
        }

        /// <inheritdoc />
        public override string ToString() => $"<{GetType().Name} name={Name}, built={(Built ? "True" : "False")}>";
    }
}

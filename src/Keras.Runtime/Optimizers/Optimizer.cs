using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Keras.Errors;
using Keras.Optimizers.Schedules;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Optimizer</c> (keras/src/optimizers/base_optimizer.py): updates variables from their gradients
    /// with Keras' update rules and Keras' common arguments, in Keras' order of operations per <see cref="Apply(IReadOnlyList{Tensor}, IReadOnlyList{KerasVariable})"/>:
    /// unscale by <c>loss_scale_factor</c>; with <c>gradient_accumulation_steps</c> either add the gradients to the
    /// accumulators or (every n-th call) average them, then clip (<c>clipnorm</c> / <c>global_clipnorm</c> /
    /// <c>clipvalue</c>), apply decoupled weight decay (<c>w *= 1 - weight_decay * lr</c>) and the update rule; then
    /// update the EMA of the weights (<c>use_ema</c>) and overwrite the weights with it every
    /// <c>ema_overwrite_frequency</c> steps; apply constraints; advance the step counter.
    /// The optimizer's variables follow Keras' order in weight files: iteration, learning_rate (absent with a schedule),
    /// the EMA averages, the gradient accumulators, then the optimizer's own slots as its <see cref="BuildSlots"/> adds them.
    /// Named automatically from the class ("adam", "adam_1", "rm_sprop", ...) as Keras 3.15 does.
    /// </summary>
    [KerasKind("keras.optimizers", "optimizer")]
    public abstract class Optimizer : IKerasConfigurable
    {
        /// <summary>One optimizer variable in Keras' order: how to read it for saving and how to load it back.</summary>
        private sealed class StateEntry
        {
            public StateEntry(string name, long[] shape, Func<Tensor> save, Action<Tensor> load)
            {
                Name = name;
                Shape = shape;
                Save = save;
                Load = load;
            }

            public string Name { get; }
            public long[] Shape { get; }
            public Func<Tensor> Save { get; }
            public Action<Tensor> Load { get; }
        }

        private readonly List<StateEntry> _variables = new List<StateEntry>();
        private readonly List<Tensor> _ownedTensors = new List<Tensor>();
        private KerasVariable[]? _built;
        private Dictionary<KerasVariable, int>? _indices;
        private long _iterations;
        private double _learningRate;
        private LearningRateSchedule? _schedule;
        private Tensor[]? _averages;
        private Tensor[]? _accumulators;
        private HashSet<KerasVariable>? _excludedVariables;
        private Regex? _excludedPattern;
        private readonly Dictionary<KerasVariable, bool> _decayCache = new Dictionary<KerasVariable, bool>(ReferenceEqualityComparer.Instance);
        private bool _warnedMissingGradients;

        /// <summary>Creates the optimizer with Keras' common arguments (keras/src/optimizers/base_optimizer.py).</summary>
        protected Optimizer(LearningRateSetting learningRate, double? weightDecay = null, double? clipnorm = null, double? clipvalue = null,
            double? globalClipnorm = null, bool useEma = false, double emaMomentum = 0.99, int? emaOverwriteFrequency = null,
            double? lossScaleFactor = null, int? gradientAccumulationSteps = null, string? name = null)
        {
            if (gradientAccumulationSteps is int steps && steps != 0 && steps < 2)
                throw new KerasArgumentException(
                    $"`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps={steps}", nameof(gradientAccumulationSteps));
            if (useEma)
            {
                if (emaMomentum > 1 || emaMomentum < 0)
                    throw new KerasArgumentException(
                        $"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={Shared.KerasFacts.PythonFloat(emaMomentum)}", nameof(emaMomentum));
                if (emaOverwriteFrequency is int frequency && frequency != 0 && frequency < 1)
                    throw new KerasArgumentException(
                        $"`ema_overwrite_frequency` must be an integer >= 1 or None. Received: ema_overwrite_frequency={frequency}", nameof(emaOverwriteFrequency));
            }
            if (new[] { clipnorm, clipvalue, globalClipnorm }.Count(a => a != null) > 1)
                throw new KerasArgumentException(
                    $"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm={Py(clipnorm)}, clipvalue={Py(clipvalue)}, " +
                    $"global_clipnorm={Py(globalClipnorm)}");
            Name = name ?? Naming.AutoName(GetType().Name);
            WeightDecay = weightDecay;
            Clipnorm = clipnorm;
            Clipvalue = clipvalue;
            GlobalClipnorm = globalClipnorm;
            UseEma = useEma;
            EmaMomentum = emaMomentum;
            EmaOverwriteFrequency = emaOverwriteFrequency;
            LossScaleFactor = lossScaleFactor;
            GradientAccumulationSteps = gradientAccumulationSteps;

            _variables.Add(new StateEntry("iteration", Array.Empty<long>(), () => torch.tensor(_iterations), // host: a snapshot for the weights file
                value => _iterations = ScalarValue(value, ScalarType.Int64, v => v.item<long>())));
            if (learningRate.Schedule is { } schedule)
            {
                _schedule = schedule;
            }
            else
            {
                double rate = learningRate.Value;
                if (double.IsNaN(rate) || double.IsInfinity(rate))
                    throw new KerasArgumentException(
                        "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a callable (that takes in the current " +
                        $"iteration value and returns the corresponding learning rate value). Received instead: learning_rate={Shared.KerasFacts.PythonFloat(rate)}",
                        nameof(learningRate));
                _learningRate = rate;
                _variables.Add(new StateEntry("learning_rate", Array.Empty<long>(), () => torch.tensor((float)_learningRate), value => // host: a snapshot for the weights file
                {
                    // Files hold the rate as float32 (Keras' variable); keep the exact double when it is the same value.
                    float stored = ScalarValue(value, ScalarType.Float32, v => v.item<float>());
                    if ((float)_learningRate != stored) _learningRate = stored;
                }));
            }
        }

        private static string Py(double? value) => value is double d ? Shared.KerasFacts.PythonFloat(d) : "None";

        /// <summary>The optimizer's name.</summary>
        public string Name { get; }

        /// <summary>weight_decay: decoupled weight decay (<c>w *= 1 - weight_decay * lr</c> before the update), or null.</summary>
        public double? WeightDecay { get; }

        /// <summary>clipnorm: each gradient is clipped to this L2 norm, or null.</summary>
        public double? Clipnorm { get; }

        /// <summary>clipvalue: each gradient element is clipped to [-clipvalue, clipvalue], or null.</summary>
        public double? Clipvalue { get; }

        /// <summary>global_clipnorm: all gradients together are clipped to this global L2 norm, or null.</summary>
        public double? GlobalClipnorm { get; }

        /// <summary>use_ema: keep an exponential moving average of the weights.</summary>
        public bool UseEma { get; }

        /// <summary>ema_momentum: <c>average = ema_momentum * average + (1 - ema_momentum) * weight</c>.</summary>
        public double EmaMomentum { get; }

        /// <summary>ema_overwrite_frequency: every this many steps the weights are overwritten by their average; null for never (Fit does it at the end).</summary>
        public int? EmaOverwriteFrequency { get; }

        /// <summary>loss_scale_factor: the loss is multiplied by it before the gradients and the gradients divided by it; or null.</summary>
        public double? LossScaleFactor { get; internal set; }

        /// <summary>gradient_accumulation_steps: update only every this many calls, with the average gradient; or null.</summary>
        public int? GradientAccumulationSteps { get; }

        private bool Accumulating => GradientAccumulationSteps is int s && s != 0;

        /// <summary>The learning-rate schedule the optimizer was created with, or null for a fixed rate.</summary>
        public virtual LearningRateSchedule? Schedule => _schedule;

        /// <summary>
        /// Keras' <c>optimizer.learning_rate</c>: the fixed rate, or the schedule's value at the current step. Setting it
        /// (callbacks such as ReduceLROnPlateau do) fails for an optimizer created with a schedule, as in Keras.
        /// </summary>
        public virtual double LearningRate
        {
            get => _schedule?.Call(_iterations) ?? _learningRate;
            set
            {
                if (_schedule != null)
                    throw new KerasTypeException(
                        "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, hence its learning " +
                        "rate is not settable. If you need the learning rate to be settable, you should instantiate the optimizer with a float " +
                        "`learning_rate` argument (a number in C#).");
                _learningRate = value;
            }
        }

        /// <summary>
        /// Keras' <c>optimizer.iterations</c>: the number of updates applied. With gradient accumulation it counts
        /// updates, not calls (the calls divided by <see cref="GradientAccumulationSteps"/>, as Keras).
        /// </summary>
        public virtual long Iterations => Accumulating ? _iterations / GradientAccumulationSteps!.Value : _iterations;

        /// <summary>Keras' <c>optimizer._iterations</c>: the number of <see cref="Apply(IReadOnlyList{Tensor}, IReadOnlyList{KerasVariable})"/> calls (what the weight file stores).</summary>
        internal long RawIterations => _iterations;

        /// <summary>Whether the optimizer's variables exist (Keras' <c>optimizer.built</c>): after the first step or <see cref="Build"/>.</summary>
        public bool Built => _built != null;

        /// <summary>The variables the optimizer was built for, in order (Keras' <c>_trainable_variables</c>).</summary>
        internal IReadOnlyList<KerasVariable> BuiltVariables => _built ?? Array.Empty<KerasVariable>();

        /// <summary>The EMA averages, one per built variable (Keras' <c>_model_variables_moving_average</c>); null without EMA or before building.</summary>
        internal IReadOnlyList<Tensor>? MovingAverages => _averages;

        // ------------------------------------------------------------------ build and variables

        /// <summary>
        /// Keras' <c>optimizer.build(variables)</c>: creates the optimizer's variables now (EMA averages, gradient
        /// accumulators, then the subclass' slots), so a saved optimizer state can be loaded before training resumes.
        /// Later calls do nothing.
        /// </summary>
        public void Build(IReadOnlyList<KerasVariable> variables)
        {
            if (_built != null) return;
            if (variables is null) throw new KerasArgumentException("`variables` must be a list of variables.", nameof(variables));
            var built = variables.ToArray();
            _indices = new Dictionary<KerasVariable, int>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < built.Length; i++) _indices[built[i]] = i;
            _built = built;
            using (torch.no_grad())
            {
                if (UseEma) _averages = AddOptimizerVariables(built, "average")[0];
                if (Accumulating) _accumulators = built.Select(v => AddVariableFromReference(v, "gradient_accumulator")).ToArray();
                BuildSlots(built);
            }
        }

        /// <summary>
        /// Keras' <c>build()</c> override point: create the optimizer's own variables with
        /// <see cref="AddVariableFromReference"/>, <c>AddOptimizerVariables</c> or <see cref="AddVariable"/>, in
        /// Keras' order (that order is the weight file's). Called once, after the common variables exist.
        /// </summary>
        protected virtual void BuildSlots(IReadOnlyList<KerasVariable> variables)
        {
        }

        /// <summary>Keras' <c>add_variable(shape, initializer, dtype, name)</c>: a constant-initialised optimizer variable.</summary>
        protected Tensor AddVariable(long[] shape, ScalarType dtype, Device device, string name, double initialValue = 0)
        {
            var tensor = torch.full(shape, initialValue, dtype: dtype, device: device).DetachFromDisposeScope();
            _ownedTensors.Add(tensor);
            // copy_ converts the dtype and moves to the tensor's device itself: no intermediate tensors (which, undisposed,
            // were left to the finalizer thread on every load).
            _variables.Add(new StateEntry(name, shape, () => tensor.alias(), value => tensor.copy_(value)));
            return tensor;
        }

        /// <summary>Keras' <c>add_variable_from_reference(variable, name)</c>: shaped and typed like the model variable.</summary>
        protected Tensor AddVariableFromReference(KerasVariable reference, string name, double initialValue = 0) =>
            AddVariable(reference.Shape, reference.Value.dtype, reference.Value.device, reference.Path.Replace('/', '_') + "_" + name, initialValue);

        /// <summary>
        /// Keras' <c>add_optimizer_variables(variables, names)</c>: one variable per name per model variable, interleaved
        /// per model variable (m_0, v_0, m_1, v_1, ...); returns one array per name.
        /// </summary>
        protected Tensor[][] AddOptimizerVariables(IReadOnlyList<KerasVariable> variables, string[] names, double[]? initialValues = null)
        {
            var result = names.Select(_ => new Tensor[variables.Count]).ToArray();
            for (int i = 0; i < variables.Count; i++)
                for (int k = 0; k < names.Length; k++)
                    result[k][i] = AddVariableFromReference(variables[i], names[k], initialValues?[k] ?? 0);
            return result;
        }

        /// <inheritdoc cref="AddOptimizerVariables(IReadOnlyList{KerasVariable}, string[], double[])"/>
        protected Tensor[][] AddOptimizerVariables(IReadOnlyList<KerasVariable> variables, string name, double initialValue = 0) =>
            AddOptimizerVariables(variables, new[] { name }, new[] { initialValue });

        /// <summary>A scalar optimizer variable held as a C# value (saved as a 0-d tensor of <paramref name="dtype"/>).</summary>
        private protected void AddScalarVariable(string name, ScalarType dtype, Func<double> get, Action<double> set) =>
            _variables.Add(new StateEntry(name, Array.Empty<long>(), () => torch.tensor(get(), dtype: dtype), // host: a snapshot for the weights file
                value => set(ScalarValue(value, ScalarType.Float64, v => v.item<double>()))));

        /// <summary>A saved scalar's value read as <paramref name="dtype"/>; a converted copy is disposed at once.</summary>
        private static T ScalarValue<T>(Tensor value, ScalarType dtype, Func<Tensor, T> read)
        {
            if (value.dtype == dtype) return read(value);
            using var converted = value.to_type(dtype);
            return read(converted);
        }

        /// <summary>The index of <paramref name="variable"/> among the variables the optimizer was built for (Keras' <c>_get_variable_index</c>).</summary>
        protected int VariableIndex(KerasVariable variable) =>
            _indices != null && _indices.TryGetValue(variable, out int i) ? i
                : throw new KerasArgumentException(
                    $"Unknown variable: {variable}. This optimizer can only be called for the variables it was originally built with. When working with a " +
                    "new set of variables, you should recreate a new optimizer instance.");

        // ------------------------------------------------------------------ state in the weight file

        /// <summary>
        /// The optimizer's variables in Keras' weight-file order (Keras' <c>optimizer.variables</c>): iteration,
        /// learning_rate (not with a schedule), then what <see cref="Build"/> created. The caller disposes the tensors.
        /// </summary>
        internal virtual IReadOnlyList<(string Name, Tensor Value)> StateTensors() => _variables.Select(e => (e.Name, e.Save())).ToArray();

        /// <summary>How many tensors <see cref="StateTensors"/> holds, without creating them.</summary>
        internal virtual int StateCount => _variables.Count;

        /// <summary>Shapes of <see cref="StateTensors"/>, in order.</summary>
        private protected virtual IEnumerable<(string Name, long[] Shape)> StateShapes() => _variables.Select(e => (e.Name, e.Shape));

        /// <summary>Loads <see cref="StateTensors"/> values back, in the same order (the count was checked by the caller).</summary>
        internal void LoadState(IReadOnlyList<Tensor> values)
        {
            var shapes = StateShapes().ToArray();
            if (values.Count != shapes.Length) throw new InvalidOperationException("optimizer state count mismatch");
            for (int i = 0; i < shapes.Length; i++)
                if (!shapes[i].Shape.SequenceEqual(values[i].shape))
                    throw new KerasArgumentException(
                        $"Optimizer '{Name}' variable {i} ({shapes[i].Name}) has shape ({string.Join(", ", shapes[i].Shape)}) but the saved value has " +
                        $"shape ({string.Join(", ", values[i].shape)}): the shapes must match.");
            using (torch.no_grad()) LoadEntries(values, 0);
        }

        /// <summary>Loads this optimizer's entries from <paramref name="values"/> starting at <paramref name="offset"/>; returns the next offset.</summary>
        private protected virtual int LoadEntries(IReadOnlyList<Tensor> values, int offset)
        {
            foreach (var entry in _variables) entry.Load(values[offset++]);
            return offset;
        }

        /// <summary><see cref="StateShapes"/> of another optimizer (for wrappers).</summary>
        internal IEnumerable<(string Name, long[] Shape)> StateShapesOf() => StateShapes();

        /// <summary><see cref="LoadEntries"/> of another optimizer (for wrappers).</summary>
        internal int LoadEntriesOf(IReadOnlyList<Tensor> values, int offset) => LoadEntries(values, offset);

        /// <summary>Optimizers Keras saves as attributes of this one (<c>optimizer/inner_optimizer/vars</c>), with their attribute names.</summary>
        internal virtual IEnumerable<(string Attribute, Optimizer Child)> SavedChildren() => Array.Empty<(string, Optimizer)>();

        // ------------------------------------------------------------------ applying gradients

        /// <summary>Applies one step to <paramref name="variables"/> from their current gradients (<c>.grad</c>); variables without one are skipped.</summary>
        public void Apply(IReadOnlyList<KerasVariable> variables)
        {
            if (variables is null) throw new KerasArgumentException("`variables` must be a list of variables.", nameof(variables));
            using var scope = torch.NewDisposeScope();
            var gradients = new Tensor?[variables.Count];
            for (int i = 0; i < variables.Count; i++) gradients[i] = variables[i].Value.grad;
            Apply(gradients, variables);
        }

        /// <summary>
        /// Keras' <c>optimizer.apply(grads, trainable_variables)</c>: one step with the given gradients (null entries are
        /// skipped, as Keras filters empty gradients). Builds the optimizer on the first call.
        /// </summary>
        public virtual void Apply(IReadOnlyList<Tensor?> gradients, IReadOnlyList<KerasVariable> variables)
        {
            if (gradients is null) throw new KerasArgumentException("`grads` must be a list of gradients.", nameof(gradients));
            if (variables is null) throw new KerasArgumentException("`trainable_variables` must be a list of variables.", nameof(variables));
            if (gradients.Count == 0) return; // Keras: an empty gradient list is a no-op
            if (gradients.Count != variables.Count)
                throw new KerasArgumentException(
                    $"`grads` and `trainable_variables` must have the same length. Received {gradients.Count} gradients for {variables.Count} variables.");
            using var noGrad = torch.no_grad();
            using var scope = torch.NewDisposeScope();
            if (!Built) Build(variables);
            foreach (var v in variables) VariableIndex(v); // Keras' _check_variables_are_known

            var grads = new List<Tensor>();
            var vars = new List<KerasVariable>();
            var missing = new List<string>();
            for (int i = 0; i < gradients.Count; i++)
            {
                if (gradients[i] is { } g)
                {
                    grads.Add(g);
                    vars.Add(variables[i]);
                }
                else
                {
                    missing.Add(variables[i].Path);
                }
            }
            if (grads.Count == 0) throw new KerasArgumentException("No gradients provided for any variable.");
            if (missing.Count > 0 && !_warnedMissingGradients)
            {
                _warnedMissingGradients = true;
                Utilities.IoUtils.Warn(
                    $"Gradients do not exist for variables [{string.Join(", ", missing.Select(m => "'" + m + "'"))}] when minimizing the loss. If using " +
                    "`model.compile()`, did you forget to provide a `loss` argument?");
            }

            if (LossScaleFactor is double factor)
                for (int i = 0; i < grads.Count; i++) grads[i] = grads[i].div(factor);
            BackendApplyGradients(grads, vars);
            foreach (var variable in vars)
            {
                if (variable.Constraint is not { } constraint) continue;
                using var constrained = constraint.Call(variable.Value);
                variable.Value.copy_(constrained);
            }
            _iterations++;
        }

        /// <summary>Keras' <c>_backend_apply_gradients</c>: accumulation, clipping, weight decay, the update, and the EMA.</summary>
        private void BackendApplyGradients(List<Tensor> grads, List<KerasVariable> vars)
        {
            if (Accumulating)
            {
                int steps = GradientAccumulationSteps!.Value;
                var accumulated = vars.Select(v => _accumulators![VariableIndex(v)]).ToArray();
                if ((_iterations + 1) % steps == 0)
                {
                    var averaged = grads.Select((g, i) => g.add(accumulated[i]).div_(steps)).ToList();
                    var clipped = ClipGradients(averaged);
                    ApplyWeightDecay(vars);
                    BackendUpdateStep(clipped, vars, LearningRate);
                    foreach (var a in _accumulators!) a.zero_();
                }
                else
                {
                    for (int i = 0; i < grads.Count; i++) accumulated[i].add_(grads[i]);
                }
            }
            else
            {
                var clipped = ClipGradients(grads);
                ApplyWeightDecay(vars);
                BackendUpdateStep(clipped, vars, LearningRate);
            }

            if (UseEma)
            {
                UpdateMovingAverages();
                if (EmaOverwriteFrequency is int frequency && frequency != 0 && (Iterations + 1) % frequency == 0)
                    OverwriteWithAverages(_built!);
            }
        }

        /// <summary>Keras' <c>_clip_gradients</c>.</summary>
        private IReadOnlyList<Tensor> ClipGradients(IReadOnlyList<Tensor> grads)
        {
            if (Clipnorm is double clipnorm && clipnorm > 0)
            {
                return grads.Select(g =>
                {
                    var l2sum = g.square().sum();
                    var l2norm = torch.where(l2sum.gt(0), l2sum.sqrt(), l2sum);
                    return g.mul(clipnorm).div_(l2norm.clamp_min(clipnorm));
                }).ToArray();
            }
            if (GlobalClipnorm is double global && global > 0)
            {
                var norm = torch.stack(grads.Select(g => g.square().sum().to_type(ScalarType.Float32)).ToArray()).sum().sqrt();
                // clip * min(1/norm, 1/clip), plus (norm - norm) so a non-finite norm gives NaN gradients, as Keras.
                var scale = norm.reciprocal().clamp_max(1.0 / global).mul_(global).add_(norm.sub(norm));
                return grads.Select(g => g.mul(scale.to_type(g.dtype))).ToArray();
            }
            if (Clipvalue is double value && value > 0)
                return grads.Select(g => g.clamp(-value, value)).ToArray();
            return grads;
        }

        /// <summary>
        /// Keras' <c>exclude_from_weight_decay(var_list, var_names)</c>: variables listed, or whose name contains a match of
        /// one of <paramref name="varNames"/> (a regular expression searched in the variable's name, e.g. "bias"), get no
        /// weight decay. Each call replaces the previous exclusions.
        /// </summary>
        public void ExcludeFromWeightDecay(IEnumerable<KerasVariable>? varList = null, IEnumerable<string>? varNames = null)
        {
            // Keras guards this with `hasattr(self, "_built")`, an attribute no optimizer has, so it also works after build.
            _excludedVariables = new HashSet<KerasVariable>(varList ?? Enumerable.Empty<KerasVariable>(), ReferenceEqualityComparer.Instance);
            var names = varNames?.Distinct().ToArray();
            _excludedPattern = names is { Length: > 0 } ? new Regex(string.Join("|", names), RegexOptions.CultureInvariant) : null;
            _decayCache.Clear();
        }

        /// <summary>Keras' <c>_use_weight_decay</c>.</summary>
        private bool UseWeightDecay(KerasVariable variable)
        {
            if (_decayCache.TryGetValue(variable, out bool cached)) return cached;
            bool use = !(_excludedVariables?.Contains(variable) ?? false) && !(_excludedPattern?.IsMatch(variable.Name) ?? false);
            _decayCache[variable] = use;
            return use;
        }

        /// <summary>Keras' (torch backend's) <c>_apply_weight_decay</c>: <c>w *= 1 - weight_decay * lr</c>.</summary>
        private void ApplyWeightDecay(IReadOnlyList<KerasVariable> vars)
        {
            if (WeightDecay is not double wd) return;
            double factor = 1 - wd * LearningRate;
            foreach (var v in vars)
                if (UseWeightDecay(v)) v.Value.mul_(factor);
        }

        private void UpdateMovingAverages()
        {
            // The first update (iterations == 0) copies the weights: momentum is ema_momentum only after it.
            double momentum = Iterations != 0 ? EmaMomentum : 0.0;
            for (int i = 0; i < _built!.Length; i++)
                _averages![i].mul_(momentum).add_(_built[i].Value, alpha: 1 - momentum);
        }

        private void OverwriteWithAverages(IReadOnlyList<KerasVariable> vars)
        {
            if (_averages == null || vars.Count != _averages.Length)
                throw new KerasArgumentException(
                    $"The length of model variables ({vars.Count}) to override does not match the length of model variables stored in the optimizer " +
                    $"({_averages?.Length ?? 0}). Please check if the optimizer was called on your model.");
            using var _ = torch.no_grad();
            for (int i = 0; i < vars.Count; i++) vars[i].Value.copy_(_averages[i]);
        }

        /// <summary>
        /// Keras' <c>finalize_variable_values(var_list)</c>: with EMA, overwrites the variables with their moving average
        /// (Fit calls it after the last epoch). Does nothing without EMA or before the optimizer is built.
        /// </summary>
        public virtual void FinalizeVariableValues(IReadOnlyList<KerasVariable> varList)
        {
            if (UseEma && Built) OverwriteWithAverages(varList);
        }

        /// <summary>
        /// Keras' <c>scale_loss(loss)</c>: the loss times <c>loss_scale_factor</c> (the training step differentiates this);
        /// the loss itself when no factor is set.
        /// </summary>
        public virtual Tensor ScaleLoss(Tensor loss) => LossScaleFactor is double factor ? loss.mul(factor) : loss;

        /// <summary>Keras' <c>_backend_update_step</c>: the update rule for every variable with a gradient.</summary>
        protected virtual void BackendUpdateStep(IReadOnlyList<Tensor> gradients, IReadOnlyList<KerasVariable> variables, double learningRate)
        {
            for (int i = 0; i < gradients.Count; i++) UpdateStep(gradients[i], variables[i], learningRate);
        }

        /// <summary>Keras' <c>update_step(gradient, variable, learning_rate)</c>: the update rule, in place, for one variable.</summary>
        protected abstract void UpdateStep(Tensor gradient, KerasVariable variable, double learningRate);

        // ------------------------------------------------------------------ config

        /// <summary>
        /// Keras' <c>get_config()</c>: name, learning_rate (the number, or the serialized schedule), the common arguments,
        /// then each optimizer's own keys.
        /// </summary>
        public virtual JsonObject GetConfig() => new JsonObject
        {
            ["name"] = Name,
            // Keras records float(variable.numpy()), the float32 value; the exact double is written here so a reloaded model continues bit for
            // bit (Python reads either into the same float32).
            ["learning_rate"] = _schedule != null ? KerasObjects.Serialize(_schedule) : JsonValue.Create(_learningRate),
            ["weight_decay"] = WeightDecay,
            ["clipnorm"] = Clipnorm,
            ["global_clipnorm"] = GlobalClipnorm,
            ["clipvalue"] = Clipvalue,
            ["use_ema"] = UseEma,
            ["ema_momentum"] = EmaMomentum,
            ["ema_overwrite_frequency"] = EmaOverwriteFrequency,
            ["loss_scale_factor"] = LossScaleFactor,
            ["gradient_accumulation_steps"] = GradientAccumulationSteps,
        };

        /// <summary>Keras' common constructor arguments as read from a config, for each class' FromConfig.</summary>
        private protected readonly struct CommonArguments
        {
            public CommonArguments(ConfigReader c, double defaultLearningRate)
            {
                LearningRate = ReadLearningRate(c, defaultLearningRate);
                WeightDecay = c.OptionalDouble("weight_decay");
                Clipnorm = c.OptionalDouble("clipnorm");
                GlobalClipnorm = c.OptionalDouble("global_clipnorm");
                Clipvalue = c.OptionalDouble("clipvalue");
                UseEma = c.Bool("use_ema", false);
                EmaMomentum = c.Double("ema_momentum", 0.99);
                EmaOverwriteFrequency = c.OptionalInt("ema_overwrite_frequency");
                LossScaleFactor = c.OptionalDouble("loss_scale_factor");
                GradientAccumulationSteps = c.OptionalInt("gradient_accumulation_steps");
                Name = c.Name;
                if (c.Has("decay")) Utilities.IoUtils.Warn("Argument `decay` is no longer supported and will be ignored.");
                // tf.keras 2.x optimizer configs: flags that change nothing here.
                c.Ignore("decay", "is_legacy_optimizer", "jit_compile");
            }

            public LearningRateSetting LearningRate { get; }
            public double? WeightDecay { get; }
            public double? Clipnorm { get; }
            public double? GlobalClipnorm { get; }
            public double? Clipvalue { get; }
            public bool UseEma { get; }
            public double EmaMomentum { get; }
            public int? EmaOverwriteFrequency { get; }
            public double? LossScaleFactor { get; }
            public int? GradientAccumulationSteps { get; }
            public string? Name { get; }
        }

        /// <summary>learning_rate from a config: a number or a serialized <see cref="LearningRateSchedule"/>.</summary>
        private static LearningRateSetting ReadLearningRate(ConfigReader c, double defaultValue)
        {
            if (c.Has("learning_rate") && c.Config["learning_rate"] is JsonObject)
                return c.OptionalObject<LearningRateSchedule>("learning_rate")!;
            return c.Double("learning_rate", defaultValue);
        }

        /// <summary>
        /// <c>keras.optimizers.get(identifier)</c>: an optimizer by name, matched case-insensitively as Keras does ("adam",
        /// "SGD", "rmsprop", "adamw", "nadam", ...), with Keras' defaults.
        /// </summary>
        public static Optimizer Get(string identifier)
        {
            if (identifier is null) throw new KerasArgumentException("Could not interpret optimizer identifier: None", nameof(identifier));
            try
            {
                return KerasObjects.Deserialize<Optimizer>(JsonValue.Create(identifier)!, "keras.optimizers.get");
            }
            catch (KerasConfigException e)
            {
                // e.g. "LossScaleOptimizer" needs its inner optimizer: Keras raises a TypeError for the missing argument.
                throw new KerasTypeException($"Could not build optimizer '{identifier}' from its name alone: {e.Message}");
            }
        }
    }
}

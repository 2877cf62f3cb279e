using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using Keras.Errors;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Optimizers
{
    /// <summary>
    /// <c>keras.optimizers.Optimizer</c>: updates variables from their gradients with Keras' own update rules (Keras'
    /// epsilon placement, not torch's). Slots (momenta) are created per variable on first use. Named automatically
    /// ("adam", "adam_1", ...) from the shared name counters.
    /// </summary>
    public abstract class Optimizer
    {
        private readonly ConditionalWeakTable<KerasVariable, Dictionary<string, Tensor>> _slots = new();
        private KerasVariable[]? _built;

        /// <summary>Creates the optimizer.</summary>
        protected Optimizer(double learningRate, double? weightDecay, string? name)
        {
            if (double.IsNaN(learningRate) || learningRate < 0 || double.IsInfinity(learningRate))
                throw new KerasArgumentException($"Argument `learning_rate` should be a non-negative finite float. Received instead: learning_rate={learningRate}",
                    nameof(learningRate));
            LearningRate = learningRate;
            WeightDecay = weightDecay;
            Name = name ?? Naming.AutoName(GetType().Name);
        }

        /// <summary>The optimizer's name.</summary>
        public string Name { get; }

        /// <summary>The learning rate (callbacks such as ReduceLROnPlateau change it).</summary>
        public double LearningRate { get; set; }

        /// <summary>Decoupled weight decay (applied as <c>w -= w * weight_decay * lr</c> before the update), or null.</summary>
        public double? WeightDecay { get; }

        /// <summary>Number of steps applied so far (Keras' <c>iterations</c>).</summary>
        public long Iterations { get; internal set; }

        /// <summary>Whether the slots exist (Keras' <c>optimizer.built</c>): after the first step or <see cref="Build"/>.</summary>
        public bool Built => _built != null;

        /// <summary>
        /// Keras' <c>optimizer.build(variables)</c>: creates the slots (zeros) of every variable now, so a saved optimizer
        /// state can be loaded before training resumes. Later calls do nothing.
        /// </summary>
        public void Build(IReadOnlyList<KerasVariable> variables)
        {
            if (_built != null) return;
            if (variables is null) throw new KerasArgumentException("`variables` must be a list of variables.", nameof(variables));
            _built = variables.ToArray();
            foreach (var variable in _built)
            {
                var slots = SlotsOf(variable);
                foreach (var block in SlotLayout)
                    foreach (var name in block) Slot(slots, name, variable.Value);
            }
        }

        /// <summary>
        /// The slot names, in Keras' variable order: each inner list is laid out interleaved per variable
        /// (Adam: m_0, v_0, m_1, v_1, ...), and the blocks follow one another (RMSprop: all velocities, then momentums).
        /// A custom optimizer lists the slot names its <see cref="Update"/> uses so they are built up front and saved with
        /// the weights; slots not listed still work but are neither saved nor restored.
        /// </summary>
        protected virtual IReadOnlyList<string[]> SlotLayout => Array.Empty<string[]>();

        /// <summary>
        /// The optimizer's state in Keras' weight-file order: iteration, learning_rate, then the slots of the variables it
        /// was built for. Empty before it is built, as in Keras.
        /// </summary>
        internal IReadOnlyList<(string Name, Tensor Value)> StateTensors()
        {
            if (_built == null) return Array.Empty<(string, Tensor)>();
            var list = new List<(string, Tensor)>
            {
                ("iteration", torch.tensor(Iterations)),
                ("learning_rate", torch.tensor((float)LearningRate)),
            };
            foreach (var block in SlotLayout)
                foreach (var variable in _built)
                {
                    var slots = SlotsOf(variable);
                    foreach (var name in block) list.Add((name, Slot(slots, name, variable.Value).alias()));
                }
            return list;
        }

        /// <summary>How many tensors <see cref="StateTensors"/> holds, without creating them.</summary>
        internal int StateCount => _built == null ? 0 : 2 + _built.Length * SlotLayout.Sum(block => block.Length);

        /// <summary>Loads <see cref="StateTensors"/> values back, in the same order (counts already checked).</summary>
        internal void LoadState(IReadOnlyList<Tensor> values)
        {
            var own = StateTensors();
            try
            {
                if (values.Count != own.Count) throw new InvalidOperationException("optimizer state count mismatch");
                for (int i = 2; i < own.Count; i++)
                    if (!own[i].Value.shape.SequenceEqual(values[i].shape))
                        throw new KerasArgumentException(
                            $"Optimizer '{Name}' variable {i} ({own[i].Name}) has shape ({string.Join(", ", own[i].Value.shape)}) but the saved value has " +
                            $"shape ({string.Join(", ", values[i].shape)}): the shapes must match.");
                Iterations = values[0].to_type(ScalarType.Int64).item<long>();
                // Files hold the rate as float32 (as Keras' variable); keep the exact double when it is the same value.
                float rate = values[1].to_type(ScalarType.Float32).item<float>();
                if ((float)LearningRate != rate) LearningRate = rate;
                using (torch.no_grad())
                    for (int i = 2; i < own.Count; i++)
                    {
                        using var converted = values[i].to(own[i].Value.device).to_type(own[i].Value.dtype);
                        own[i].Value.copy_(converted);
                    }
            }
            finally
            {
                foreach (var (_, value) in own) value.Dispose();
            }
        }

        private Dictionary<string, Tensor> SlotsOf(KerasVariable variable)
        {
            if (!_slots.TryGetValue(variable, out var slots))
            {
                slots = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                _slots.Add(variable, slots);
            }
            return slots;
        }

        /// <summary>Applies one step to <paramref name="variables"/> from their current gradients; variables without one are skipped.</summary>
        public void Apply(IReadOnlyList<KerasVariable> variables)
        {
            if (_built == null) Build(variables);
            using var _ = torch.no_grad();
            long step = Iterations + 1;
            foreach (var variable in variables)
            {
                var value = variable.Value;
                using var grad = value.grad; // a new handle to the gradient: ours to release
                if (grad is null) continue;
                if (WeightDecay is { } wd && wd != 0)
                {
                    using var decay = value.mul(wd * LearningRate);
                    value.sub_(decay);
                }
                Update(value, grad, step, SlotsOf(variable));
            }
            // Keras applies each variable's constraint after the update.
            foreach (var variable in variables)
            {
                if (variable.Constraint is not { } constraint) continue;
                using var constrained = constraint.Call(variable.Value);
                variable.Value.copy_(constrained);
            }
            Iterations = step;
        }

        /// <summary>Zero-initialised slot tensor shaped like <paramref name="like"/>.</summary>
        protected static Tensor Slot(Dictionary<string, Tensor> slots, string name, Tensor like)
        {
            if (!slots.TryGetValue(name, out var slot))
            {
                slot = torch.zeros_like(like).DetachFromDisposeScope();
                slots[name] = slot;
            }
            return slot;
        }

        /// <summary>Keras' per-variable update rule, in place on <paramref name="variable"/>.</summary>
        protected abstract void Update(Tensor variable, Tensor gradient, long step, Dictionary<string, Tensor> slots);

        /// <summary><c>keras.optimizers.get(identifier)</c> for the names this runtime knows.</summary>
        public static Optimizer Get(string identifier) => identifier.ToLowerInvariant() switch
        {
            "sgd" => new SGD(),
            "adam" => new Adam(),
            "adamw" => new AdamW(),
            "rmsprop" => new RMSprop(),
            _ => throw new KerasArgumentException(
                $"Could not interpret optimizer identifier: {identifier}" +
                (Shared.KerasFacts.DidYouMean(identifier, new[] { "sgd", "adam", "adamw", "rmsprop" }) is { } near ? $". Did you mean '{near}'?" : "")),
        };
    }

    /// <summary><c>keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False)</c>.</summary>
    public sealed class SGD : Optimizer
    {
        /// <summary>Creates the optimizer.</summary>
        public SGD(double learningRate = 0.01, double momentum = 0.0, bool nesterov = false, double? weightDecay = null, string? name = null)
            : base(learningRate, weightDecay, name)
        {
            if (momentum < 0 || momentum > 1) throw new KerasArgumentException("`momentum` must be a float between [0, 1].", nameof(momentum));
            Momentum = momentum;
            Nesterov = nesterov;
        }

        /// <summary>Momentum.</summary>
        public double Momentum { get; }

        /// <summary>Nesterov momentum.</summary>
        public bool Nesterov { get; }

        /// <inheritdoc />
        protected override IReadOnlyList<string[]> SlotLayout =>
            Momentum == 0 ? Array.Empty<string[]>() : new[] { new[] { "momentum" } };

        /// <inheritdoc />
        protected override void Update(Tensor variable, Tensor gradient, long step, Dictionary<string, Tensor> slots)
        {
            if (Momentum == 0)
            {
                variable.add_(gradient, alpha: -LearningRate);
                return;
            }
            var m = Slot(slots, "momentum", variable);
            using var scaled = gradient.mul(LearningRate);
            m.mul_(Momentum).sub_(scaled); // m = momentum*m - lr*g
            if (Nesterov)
            {
                using var ahead = m.mul(Momentum);
                variable.add_(ahead).sub_(scaled);
            }
            else
            {
                variable.add_(m);
            }
        }
    }

    /// <summary><c>keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)</c>.</summary>
    public class Adam : Optimizer
    {
        /// <summary>Creates the optimizer.</summary>
        public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double? weightDecay = null, string? name = null)
            : base(learningRate, weightDecay, name)
        {
            Beta1 = beta1;
            Beta2 = beta2;
            Epsilon = epsilon;
        }

        /// <summary>beta_1.</summary>
        public double Beta1 { get; }

        /// <summary>beta_2.</summary>
        public double Beta2 { get; }

        /// <summary>epsilon (Keras' 1e-7, added after the square root).</summary>
        public double Epsilon { get; }

        /// <inheritdoc />
        protected override IReadOnlyList<string[]> SlotLayout => new[] { new[] { "m", "v" } };

        /// <inheritdoc />
        protected override void Update(Tensor variable, Tensor gradient, long step, Dictionary<string, Tensor> slots)
        {
            var m = Slot(slots, "m", variable);
            var v = Slot(slots, "v", variable);
            double alpha = LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));
            // m += (g - m) * (1 - beta_1), Keras' form. (Not lerp_: TorchSharp's lerp_ with a scalar weight leaks a handle.)
            m.mul_(Beta1).add_(gradient, alpha: 1 - Beta1);
            v.mul_(Beta2).addcmul_(gradient, gradient, value: 1 - Beta2);
            using var denominator = v.sqrt().add_(Epsilon);
            variable.addcdiv_(m, denominator, value: -alpha);
        }
    }

    /// <summary><c>keras.optimizers.AdamW(learning_rate=0.001, weight_decay=0.004, ...)</c>.</summary>
    public sealed class AdamW : Adam
    {
        /// <summary>Creates the optimizer.</summary>
        public AdamW(double learningRate = 0.001, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, string? name = null)
            : base(learningRate, beta1, beta2, epsilon, weightDecay, name)
        {
        }
    }

    /// <summary><c>keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-07, centered=False)</c>.</summary>
    public sealed class RMSprop : Optimizer
    {
        /// <summary>Creates the optimizer.</summary>
        public RMSprop(double learningRate = 0.001, double rho = 0.9, double momentum = 0.0, double epsilon = 1e-7, bool centered = false,
            double? weightDecay = null, string? name = null)
            : base(learningRate, weightDecay, name)
        {
            Rho = rho;
            Momentum = momentum;
            Epsilon = epsilon;
            Centered = centered;
        }

        /// <summary>rho.</summary>
        public double Rho { get; }

        /// <summary>momentum.</summary>
        public double Momentum { get; }

        /// <summary>epsilon.</summary>
        public double Epsilon { get; }

        /// <summary>centered.</summary>
        public bool Centered { get; }

        /// <inheritdoc />
        protected override IReadOnlyList<string[]> SlotLayout
        {
            get
            {
                var blocks = new List<string[]> { new[] { "velocity" } };
                if (Momentum > 0) blocks.Add(new[] { "momentum" });
                if (Centered) blocks.Add(new[] { "average_gradient" });
                return blocks;
            }
        }

        /// <inheritdoc />
        protected override void Update(Tensor variable, Tensor gradient, long step, Dictionary<string, Tensor> slots)
        {
            var velocity = Slot(slots, "velocity", variable);
            velocity.mul_(Rho).addcmul_(gradient, gradient, value: 1 - Rho);
            using var denominator = velocity.clone();
            if (Centered)
            {
                var average = Slot(slots, "average_gradient", variable);
                average.mul_(Rho).add_(gradient, alpha: 1 - Rho);
                using var squared = average.square();
                denominator.sub_(squared);
            }
            using var increment = gradient.mul(LearningRate).div_(denominator.add_(Epsilon).sqrt_());
            if (Momentum > 0)
            {
                var m = Slot(slots, "momentum", variable);
                m.mul_(Momentum).add_(increment);
                variable.sub_(m);
            }
            else
            {
                variable.sub_(increment);
            }
        }
    }
}

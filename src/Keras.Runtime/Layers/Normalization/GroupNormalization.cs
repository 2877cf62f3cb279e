using System.Linq;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GroupNormalization(groups=32, axis=-1, epsilon=1e-3, center=True, scale=True)</c>: the channels
    /// of <c>axis</c> are split into <c>groups</c> consecutive groups and each example is normalized per group over the
    /// group's channels and every other non-batch axis (biased variance), then scaled by gamma and shifted by beta per
    /// channel. <c>groups=-1</c> makes one group per channel (instance normalization); Keras then saves the channel count.
    /// Statistics are computed in at least float32, the output cast back to the input dtype.
    /// </summary>
    [KerasClass("GroupNormalization")]
    public sealed class GroupNormalization : Layer
    {
        /// <summary>Creates the layer.</summary>
        public GroupNormalization(int groups = 32, int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null, Regularizer? betaRegularizer = null,
            Regularizer? gammaRegularizer = null, Constraint? betaConstraint = null, Constraint? gammaConstraint = null,
            string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            if (groups <= 0 && groups != -1)
                throw new KerasArgumentException(
                    "Received an invalid value for argument `groups`, expected a positive integer (or `-1` for instance normalization). " +
                    $"Received: groups={groups}", nameof(groups));
            Groups = groups;
            Axis = axis;
            Epsilon = epsilon;
            Center = center;
            Scale = scale;
            BetaInitializer = betaInitializer ?? new Zeros();
            GammaInitializer = gammaInitializer ?? new Ones();
            BetaRegularizer = betaRegularizer;
            GammaRegularizer = gammaRegularizer;
            BetaConstraint = betaConstraint;
            GammaConstraint = gammaConstraint;
        }

        /// <summary>The number of groups (-1 until built when one group per channel was asked).</summary>
        public int Groups { get; private set; }
        /// <summary>The channel axis.</summary>
        public int Axis { get; }
        /// <summary>Variance epsilon.</summary>
        public double Epsilon { get; }
        /// <summary>Whether beta is added.</summary>
        public bool Center { get; }
        /// <summary>Whether gamma multiplies.</summary>
        public bool Scale { get; }
        /// <summary>beta's initializer.</summary>
        public Initializer BetaInitializer { get; }
        /// <summary>gamma's initializer.</summary>
        public Initializer GammaInitializer { get; }
        /// <summary>beta's regularizer, or null.</summary>
        public Regularizer? BetaRegularizer { get; }
        /// <summary>gamma's regularizer, or null.</summary>
        public Regularizer? GammaRegularizer { get; }
        /// <summary>beta's constraint, or null.</summary>
        public Constraint? BetaConstraint { get; }
        /// <summary>gamma's constraint, or null.</summary>
        public Constraint? GammaConstraint { get; }
        /// <summary>gamma (one per channel), or null.</summary>
        public KerasVariable? Gamma { get; private set; }
        /// <summary>beta (one per channel), or null.</summary>
        public KerasVariable? Beta { get; private set; }

        private long _channels = -1;
        private int _rank = -1;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["groups"] = Groups;
            c["axis"] = Axis;
            c["epsilon"] = Epsilon;
            c["center"] = Center;
            c["scale"] = Scale;
            c["beta_initializer"] = KerasObjects.Serialize(BetaInitializer);
            c["gamma_initializer"] = KerasObjects.Serialize(GammaInitializer);
            c["beta_regularizer"] = KerasObjects.SerializeOptional(BetaRegularizer);
            c["gamma_regularizer"] = KerasObjects.SerializeOptional(GammaRegularizer);
            c["beta_constraint"] = KerasObjects.SerializeOptional(BetaConstraint);
            c["gamma_constraint"] = KerasObjects.SerializeOptional(GammaConstraint);
            return c;
        }

        internal static GroupNormalization FromConfig(ConfigReader c) =>
            new GroupNormalization(c.Int("groups", 32), c.Int("axis", -1), c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true),
                c.Object<Initializer>("beta_initializer", new Zeros()), c.Object<Initializer>("gamma_initializer", new Ones()),
                c.OptionalObject<Regularizer>("beta_regularizer"), c.OptionalObject<Regularizer>("gamma_regularizer"),
                c.OptionalObject<Constraint>("beta_constraint"), c.OptionalObject<Constraint>("gamma_constraint"), c.Name);

        private int ResolvedAxis(long[] inputShape)
        {
            if (Axis >= inputShape.Length || Axis < -inputShape.Length)
                throw new KerasArgumentException($"Axis {Axis} is out of bounds for input shape {FormatShape(inputShape)}. Received: axis={Axis}");
            return Axis < 0 ? Axis + inputShape.Length : Axis;
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            int axis = ResolvedAxis(inputShape);
            if (_rank < 0) return;
            if (inputShape.Length != _rank)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim={_rank}, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            if (inputShape[axis] >= 0 && inputShape[axis] != _channels)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected axis {Axis} of input shape to have value {_channels}, but received input with shape {FormatShape(inputShape)}");
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            int axis = ResolvedAxis(inputShape);
            long dim = inputShape[axis];
            if (dim < 0)
                throw new KerasArgumentException($"Axis {Axis} of input tensor should have a defined dimension but the layer received an input with shape {FormatShape(inputShape)}.");
            int groups = Groups == -1 ? (int)dim : Groups;
            if (dim < groups)
                throw new KerasArgumentException($"Number of groups ({groups}) cannot be more than the number of channels ({dim}).");
            if (dim % groups != 0)
                throw new KerasArgumentException($"Number of groups ({groups}) must be a multiple of the number of channels ({dim}).");
            Groups = groups;
            _channels = dim;
            _rank = inputShape.Length;
            if (Scale) Gamma = AddWeight("gamma", new[] { dim }, GammaInitializer, regularizer: GammaRegularizer, constraint: GammaConstraint);
            if (Center) Beta = AddWeight("beta", new[] { dim }, BetaInitializer, regularizer: BetaRegularizer, constraint: BetaConstraint);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            long[] shape = inputs.shape;
            int rank = shape.Length;
            int axis = ResolvedAxis(shape);
            // (..., C, ...) -> (..., groups, C/groups, ...): the group axis sits at `axis`.
            var grouped = shape.Take(axis).Append(Groups).Append(shape[axis] / Groups).Concat(shape.Skip(axis + 1)).ToArray();
            var reduce = Enumerable.Range(1, rank).Where(i => i != axis).Select(i => (long)i).ToArray();
            var broadcast = Enumerable.Repeat(1L, rank + 1).ToArray();
            broadcast[axis] = Groups;
            broadcast[axis + 1] = shape[axis] / Groups;
            var outType = inputs.dtype;
            using var x0 = inputs.reshape(grouped);
            using var x = outType == ScalarType.Float16 || outType == ScalarType.BFloat16 ? x0.to_type(ScalarType.Float32) : x0.alias();
            using var mean = x.mean(reduce, keepdim: true);
            using var variance = x.var(reduce, unbiased: false, keepdim: true);
            using var inv = variance.add(Epsilon).rsqrt_();
            using var centered = x.sub(mean);
            var y = centered.mul(inv);
            y = NormalizationMath.ScaleAndCenter(y, Gamma, Beta, broadcast);
            using (y)
            {
                var back = y.reshape(shape);
                if (back.dtype == outType) return back;
                using (back) return back.to_type(outType);
            }
        }
    }
}

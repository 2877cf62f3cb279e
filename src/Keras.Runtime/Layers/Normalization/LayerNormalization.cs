using System.Collections.Generic;
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
    /// <c>keras.layers.LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True)</c>: each example is normalized
    /// over <c>axis</c> (one axis or several), <c>y = (x - mean) / sqrt(var + epsilon) * gamma + beta</c> with the biased
    /// variance; gamma and beta have the shape of the normalized axes. Statistics are computed in at least float32 (half
    /// precision inputs are upcast) and the output is cast back to the compute dtype, as Keras does. The deprecated
    /// <c>rms_scaling=True</c> is honoured as Keras computes it: <c>x / sqrt(var + epsilon) * gamma</c>, no beta.
    /// </summary>
    [KerasClass("LayerNormalization")]
    public sealed class LayerNormalization : Layer
    {
        private int[] _axes;
        private bool _axisIsList;

        /// <summary>Creates the layer normalizing over one axis.</summary>
        public LayerNormalization(int axis = -1, double epsilon = 1e-3, bool center = true, bool scale = true,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null, Regularizer? betaRegularizer = null,
            Regularizer? gammaRegularizer = null, Constraint? betaConstraint = null, Constraint? gammaConstraint = null, bool rmsScaling = false,
            string? name = null, bool trainable = true, string? dtype = null)
            : this(new[] { axis }, false, epsilon, center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer,
                betaConstraint, gammaConstraint, rmsScaling, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer normalizing jointly over several axes (Keras' list <c>axis</c>).</summary>
        public LayerNormalization(int[] axis, double epsilon = 1e-3, bool center = true, bool scale = true,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null, Regularizer? betaRegularizer = null,
            Regularizer? gammaRegularizer = null, Constraint? betaConstraint = null, Constraint? gammaConstraint = null, bool rmsScaling = false,
            string? name = null, bool trainable = true, string? dtype = null)
            : this(axis, true, epsilon, center, scale, betaInitializer, gammaInitializer, betaRegularizer, gammaRegularizer,
                betaConstraint, gammaConstraint, rmsScaling, name, trainable, dtype)
        {
        }

        private LayerNormalization(int[] axis, bool axisIsList, double epsilon, bool center, bool scale, Initializer? betaInitializer,
            Initializer? gammaInitializer, Regularizer? betaRegularizer, Regularizer? gammaRegularizer, Constraint? betaConstraint,
            Constraint? gammaConstraint, bool rmsScaling, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            if (axis == null || axis.Length == 0)
                throw new KerasTypeException($"Expected an int or a list/tuple of ints for the argument 'axis', but received: {(axis == null ? "None" : "[]")}");
            _axes = (int[])axis.Clone();
            _axisIsList = axisIsList;
            Epsilon = epsilon;
            Center = center;
            Scale = scale;
            RmsScaling = rmsScaling;
            BetaInitializer = betaInitializer ?? new Zeros();
            GammaInitializer = gammaInitializer ?? new Ones();
            BetaRegularizer = betaRegularizer;
            GammaRegularizer = gammaRegularizer;
            BetaConstraint = betaConstraint;
            GammaConstraint = gammaConstraint;
        }

        /// <summary>The normalized axes (sorted once built, as Keras keeps them).</summary>
        public IReadOnlyList<int> Axis => _axes;
        /// <summary>Variance epsilon.</summary>
        public double Epsilon { get; }
        /// <summary>Whether beta is added.</summary>
        public bool Center { get; }
        /// <summary>Whether gamma multiplies.</summary>
        public bool Scale { get; }
        /// <summary>Keras' deprecated <c>rms_scaling</c>: no centering, gamma only.</summary>
        public bool RmsScaling { get; }
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
        /// <summary>gamma, or null.</summary>
        public KerasVariable? Gamma { get; private set; }
        /// <summary>beta, or null.</summary>
        public KerasVariable? Beta { get; private set; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            // Keras turns an int axis into a one-element list when it builds.
            c["axis"] = _axisIsList || Built ? BaseConv.Json(_axes) : JsonValue.Create(_axes[0]);
            c["epsilon"] = Epsilon;
            c["center"] = Center;
            c["scale"] = Scale;
            c["rms_scaling"] = RmsScaling;
            c["beta_initializer"] = KerasObjects.Serialize(BetaInitializer);
            c["gamma_initializer"] = KerasObjects.Serialize(GammaInitializer);
            c["beta_regularizer"] = KerasObjects.SerializeOptional(BetaRegularizer);
            c["gamma_regularizer"] = KerasObjects.SerializeOptional(GammaRegularizer);
            c["beta_constraint"] = KerasObjects.SerializeOptional(BetaConstraint);
            c["gamma_constraint"] = KerasObjects.SerializeOptional(GammaConstraint);
            return c;
        }

        internal static LayerNormalization FromConfig(ConfigReader c)
        {
            bool list = c.Config["axis"] is JsonArray;
            var axes = c.IntList("axis", new[] { -1 });
            if (axes.Length == 0) throw c.Error("axis", "an integer or a non-empty list of integers");
            return new LayerNormalization(axes, list, c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true),
                c.Object<Initializer>("beta_initializer", new Zeros()), c.Object<Initializer>("gamma_initializer", new Ones()),
                c.OptionalObject<Regularizer>("beta_regularizer"), c.OptionalObject<Regularizer>("gamma_regularizer"),
                c.OptionalObject<Constraint>("beta_constraint"), c.OptionalObject<Constraint>("gamma_constraint"), c.Bool("rms_scaling", false),
                c.Name, true, null);
        }

        private int[] Resolved(int rank)
        {
            var resolved = new int[_axes.Length];
            for (int i = 0; i < _axes.Length; i++)
            {
                int a = _axes[i];
                if (a >= rank || a < -rank)
                    throw new KerasArgumentException($"Axis {a} is out of bounds for input shape ({string.Join(", ", Enumerable.Repeat("_", rank))}). Received: axis={AxisText()}");
                resolved[i] = a < 0 ? a + rank : a;
            }
            return resolved;
        }

        private string AxisText() => _axisIsList || Built ? "[" + string.Join(", ", _axes) + "]" : _axes[0].ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            foreach (int a in _axes)
                if (a >= inputShape.Length || a < -inputShape.Length)
                    throw new KerasArgumentException($"Axis {a} is out of bounds for input shape {FormatShape(inputShape)}. Received: axis={AxisText()}");
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            AssertInputCompatibility(inputShape);
            var axes = Resolved(inputShape.Length);
            if (axes.Distinct().Count() != axes.Length)
                throw new KerasArgumentException($"Duplicate axis in `axis` for layer \"{Name}\". Received: axis={AxisText()}");
            // Keras sorts the (given) axes and takes the weight shape from them.
            var order = Enumerable.Range(0, _axes.Length).OrderBy(i => _axes[i]).ToArray();
            _axes = order.Select(i => _axes[i]).ToArray();
            var shape = order.Select(i => inputShape[axes[i]]).ToArray();
            if (shape.Any(d => d < 0))
                throw new KerasArgumentException($"Layer \"{Name}\": the normalized axes of the input need defined sizes. Received input shape {FormatShape(inputShape)}, axis={AxisText()}.");
            if (Scale || RmsScaling) Gamma = AddWeight("gamma", shape, GammaInitializer, regularizer: GammaRegularizer, constraint: GammaConstraint);
            if (Center && !RmsScaling) Beta = AddWeight("beta", shape, BetaInitializer, regularizer: BetaRegularizer, constraint: BetaConstraint);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            int rank = (int)inputs.dim();
            var axes = Resolved(rank).OrderBy(a => a).ToArray();
            var reduce = axes.Select(a => (long)a).ToArray();
            var broadcast = Enumerable.Repeat(1L, rank).ToArray();
            foreach (int a in axes) broadcast[a] = inputs.shape[a];
            var outType = inputs.dtype;
            using var x = outType == ScalarType.Float16 || outType == ScalarType.BFloat16 ? inputs.to_type(ScalarType.Float32) : inputs.alias();
            using var mean = x.mean(reduce, keepdim: true);
            using var variance = x.var(reduce, unbiased: false, keepdim: true);
            using var inv = variance.add(Epsilon).rsqrt_();
            Tensor y;
            if (RmsScaling)
            {
                y = x.mul(inv);
            }
            else
            {
                using var centered = x.sub(mean);
                y = centered.mul(inv);
            }
            y = NormalizationMath.ScaleAndCenter(y, Gamma, Beta, broadcast);
            if (y.dtype == outType) return y;
            using (y) return y.to_type(outType);
        }
    }
}

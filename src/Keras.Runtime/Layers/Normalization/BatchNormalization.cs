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
    /// <c>keras.layers.BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True)</c>. Batch
    /// statistics are used, and the moving statistics updated (<c>moving = moving*momentum + batch*(1-momentum)</c>,
    /// biased variance), only when training <i>and</i> the layer is trainable: a frozen BatchNormalization always runs
    /// in inference mode, Keras' special case.
    /// </summary>
    [KerasClass("BatchNormalization")]
    public sealed class BatchNormalization : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        /// <summary>Creates the layer.</summary>
        public BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null,
            Initializer? betaInitializer = null, Initializer? gammaInitializer = null, Initializer? movingMeanInitializer = null,
            Initializer? movingVarianceInitializer = null, Regularizer? betaRegularizer = null, Regularizer? gammaRegularizer = null,
            Constraint? betaConstraint = null, Constraint? gammaConstraint = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            Axis = axis;
            Momentum = momentum;
            Epsilon = epsilon;
            Center = center;
            Scale = scale;
            BetaInitializer = betaInitializer ?? new Zeros();
            GammaInitializer = gammaInitializer ?? new Ones();
            MovingMeanInitializer = movingMeanInitializer ?? new Zeros();
            MovingVarianceInitializer = movingVarianceInitializer ?? new Ones();
            BetaRegularizer = betaRegularizer;
            GammaRegularizer = gammaRegularizer;
            BetaConstraint = betaConstraint;
            GammaConstraint = gammaConstraint;
        }

        /// <summary>beta's initializer.</summary>
        public Initializer BetaInitializer { get; }
        /// <summary>gamma's initializer.</summary>
        public Initializer GammaInitializer { get; }
        /// <summary>The moving mean's initializer.</summary>
        public Initializer MovingMeanInitializer { get; }
        /// <summary>The moving variance's initializer.</summary>
        public Initializer MovingVarianceInitializer { get; }
        /// <summary>beta's regularizer, or null.</summary>
        public Regularizer? BetaRegularizer { get; }
        /// <summary>gamma's regularizer, or null.</summary>
        public Regularizer? GammaRegularizer { get; }
        /// <summary>beta's constraint, or null.</summary>
        public Constraint? BetaConstraint { get; }
        /// <summary>gamma's constraint, or null.</summary>
        public Constraint? GammaConstraint { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            c["momentum"] = Momentum;
            c["epsilon"] = Epsilon;
            c["center"] = Center;
            c["scale"] = Scale;
            c["beta_initializer"] = KerasObjects.Serialize(BetaInitializer);
            c["gamma_initializer"] = KerasObjects.Serialize(GammaInitializer);
            c["moving_mean_initializer"] = KerasObjects.Serialize(MovingMeanInitializer);
            c["moving_variance_initializer"] = KerasObjects.Serialize(MovingVarianceInitializer);
            c["beta_regularizer"] = KerasObjects.SerializeOptional(BetaRegularizer);
            c["gamma_regularizer"] = KerasObjects.SerializeOptional(GammaRegularizer);
            c["beta_constraint"] = KerasObjects.SerializeOptional(BetaConstraint);
            c["gamma_constraint"] = KerasObjects.SerializeOptional(GammaConstraint);
            c["synchronized"] = false;
            return c;
        }

        internal static BatchNormalization FromConfig(ConfigReader c)
        {
            // tf.keras may write the axis as a one-element list.
            var axes = c.IntList("axis", new[] { -1 });
            if (axes.Length != 1) throw c.Unsupported("axis", "normalizing over several axes");
            c.ExpectBool("renorm", false, "batch renormalization (renorm=True)");
            c.Ignore("renorm_clipping", "renorm_momentum", "synchronized"); // meaningful only with renorm / several devices
            return new BatchNormalization(axes[0], c.Double("momentum", 0.99), c.Double("epsilon", 1e-3), c.Bool("center", true), c.Bool("scale", true),
                c.Name, c.Object<Initializer>("beta_initializer", new Zeros()), c.Object<Initializer>("gamma_initializer", new Ones()),
                c.Object<Initializer>("moving_mean_initializer", new Zeros()), c.Object<Initializer>("moving_variance_initializer", new Ones()),
                c.OptionalObject<Regularizer>("beta_regularizer"), c.OptionalObject<Regularizer>("gamma_regularizer"),
                c.OptionalObject<Constraint>("beta_constraint"), c.OptionalObject<Constraint>("gamma_constraint"));
        }

        /// <summary>The normalized (feature) axis.</summary>
        public int Axis { get; }
        /// <summary>Momentum of the moving statistics.</summary>
        public double Momentum { get; }
        /// <summary>Variance epsilon.</summary>
        public double Epsilon { get; }
        /// <summary>Whether beta is added.</summary>
        public bool Center { get; }
        /// <summary>Whether gamma multiplies.</summary>
        public bool Scale { get; }
        /// <summary>gamma (trainable), or null.</summary>
        public KerasVariable? Gamma { get; private set; }
        /// <summary>beta (trainable), or null.</summary>
        public KerasVariable? Beta { get; private set; }
        /// <summary>Moving mean (non-trainable).</summary>
        public KerasVariable? MovingMean { get; private set; }
        /// <summary>Moving variance (non-trainable).</summary>
        public KerasVariable? MovingVariance { get; private set; }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            int axis = Axis < 0 ? inputShape.Length + Axis : Axis;
            if (axis < 0 || axis >= inputShape.Length)
                throw new KerasArgumentException($"Invalid axis {Axis} for layer \"{Name}\": the input has rank {inputShape.Length} ({FormatShape(inputShape)}).");
            long features = inputShape[axis];
            if (features < 0)
                throw new KerasArgumentException($"Axis {Axis} of input tensor should have a defined dimension but the layer received an input with shape {FormatShape(inputShape)}.");
            var shape = new[] { features };
            if (Scale) Gamma = AddWeight("gamma", shape, GammaInitializer, regularizer: GammaRegularizer, constraint: GammaConstraint);
            if (Center) Beta = AddWeight("beta", shape, BetaInitializer, regularizer: BetaRegularizer, constraint: BetaConstraint);
            MovingMean = AddWeight("moving_mean", shape, MovingMeanInitializer, trainable: false);
            MovingVariance = AddWeight("moving_variance", shape, MovingVarianceInitializer, trainable: false);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            int rank = (int)inputs.dim();
            int axis = Axis < 0 ? rank + Axis : Axis;
            long[] reduce = Enumerable.Range(0, rank).Where(i => i != axis).Select(i => (long)i).ToArray();
            var broadcast = Enumerable.Repeat(1L, rank).ToArray();
            broadcast[axis] = inputs.shape[axis];
            // Computation in at least float32, output back in the compute dtype (Keras upcasts BN).
            var outType = inputs.dtype;
            using var x = outType == ScalarType.Float16 || outType == ScalarType.BFloat16 ? inputs.to_type(ScalarType.Float32) : inputs.alias();
            Tensor mean, variance;
            if (training == true && Trainable)
            {
                mean = x.mean(reduce);
                variance = x.var(reduce, unbiased: false);
                using (torch.no_grad())
                {
                    using var batchMean = mean.detach();
                    using var batchVariance = variance.detach();
                    using var meanUpdate = batchMean.to_type(MovingMean!.Value.dtype);
                    using var varianceUpdate = batchVariance.to_type(MovingVariance!.Value.dtype);
                    MovingMean.Value.mul_(Momentum).add_(meanUpdate, alpha: 1 - Momentum);
                    MovingVariance.Value.mul_(Momentum).add_(varianceUpdate, alpha: 1 - Momentum);
                }
            }
            else
            {
                mean = MovingMean!.Value.to_type(x.dtype);
                variance = MovingVariance!.Value.to_type(x.dtype);
            }
            using (mean)
            using (variance)
            {
                using var m = mean.reshape(broadcast);
                using var v = variance.reshape(broadcast);
                using var centered = x.sub(m);
                using var std = v.add(Epsilon).rsqrt_();
                var y = centered.mul(std);
                y = NormalizationMath.ScaleAndCenter(y, Gamma, Beta, broadcast);
                if (y.dtype == outType) return y;
                using (y) return y.to_type(outType);
            }
        }
    }
}

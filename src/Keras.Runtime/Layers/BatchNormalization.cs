using System.Linq;
using Keras.Initializers;
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
    public sealed class BatchNormalization : Layer
    {
        /// <summary>Creates the layer.</summary>
        public BatchNormalization(int axis = -1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null)
            : base(name)
        {
            Axis = axis;
            Momentum = momentum;
            Epsilon = epsilon;
            Center = center;
            Scale = scale;
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
            long features = inputShape[Axis < 0 ? inputShape.Length + Axis : Axis];
            var shape = new[] { features };
            if (Scale) Gamma = AddWeight("gamma", shape, new Ones());
            if (Center) Beta = AddWeight("beta", shape, new Zeros());
            MovingMean = AddWeight("moving_mean", shape, new Zeros(), trainable: false);
            MovingVariance = AddWeight("moving_variance", shape, new Ones(), trainable: false);
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
                if (Gamma != null)
                {
                    using var gamma = Gamma.Value.to_type(x.dtype);
                    using var g = gamma.reshape(broadcast);
                    using var scaled = y;
                    y = scaled.mul(g);
                }
                if (Beta != null)
                {
                    using var beta = Beta.Value.to_type(x.dtype);
                    using var b = beta.reshape(broadcast);
                    using var shifted = y;
                    y = shifted.add(b);
                }
                if (y.dtype == outType) return y;
                using (y) return y.to_type(outType);
            }
        }
    }
}

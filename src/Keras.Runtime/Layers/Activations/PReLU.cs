using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using Keras.Regularizers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.PReLU(alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None, shared_axes=None)</c>:
    /// relu(x) - alpha·relu(-x) with a learned <c>alpha</c> of the input's per-sample shape, size 1 along
    /// <c>shared_axes</c> (1-based, the batch axis excluded).
    /// </summary>
    [KerasClass("PReLU")]
    public sealed class PReLU : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        private readonly int[]? _sharedAxes;

        /// <summary>Creates the layer.</summary>
        public PReLU(Initializer? alphaInitializer = null, Regularizer? alphaRegularizer = null, Constraint? alphaConstraint = null,
            int[]? sharedAxes = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            AlphaInitializer = alphaInitializer ?? new Zeros();
            AlphaRegularizer = alphaRegularizer;
            AlphaConstraint = alphaConstraint;
            _sharedAxes = sharedAxes == null ? null : (int[])sharedAxes.Clone();
        }

        /// <summary>The alpha's initializer.</summary>
        public Initializer AlphaInitializer { get; }
        /// <summary>The alpha's regularizer, or null.</summary>
        public Regularizer? AlphaRegularizer { get; }
        /// <summary>The alpha's constraint, or null.</summary>
        public Constraint? AlphaConstraint { get; }
        /// <summary>Axes along which alpha is shared (1-based), or null.</summary>
        public IReadOnlyList<int>? SharedAxes => _sharedAxes;
        /// <summary>The learned slopes, after build.</summary>
        public KerasVariable? Alpha { get; private set; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["alpha_initializer"] = KerasObjects.Serialize(AlphaInitializer);
            c["alpha_regularizer"] = KerasObjects.SerializeOptional(AlphaRegularizer);
            c["alpha_constraint"] = KerasObjects.SerializeOptional(AlphaConstraint);
            c["shared_axes"] = _sharedAxes == null ? null : BaseConv.Json(_sharedAxes);
            return c;
        }

        internal static PReLU FromConfig(ConfigReader c) =>
            new PReLU(c.Object<Initializer>("alpha_initializer", new Zeros()), c.OptionalObject<Regularizer>("alpha_regularizer"),
                c.OptionalObject<Constraint>("alpha_constraint"), c.Has("shared_axes") ? c.IntList("shared_axes") : Consumed(c), c.Name);

        private static int[]? Consumed(ConfigReader c)
        {
            c.Ignore("shared_axes");
            return null;
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            var shape = inputShape.Skip(1).ToArray();
            foreach (int axis in _sharedAxes ?? System.Array.Empty<int>())
            {
                if (axis < 1 || axis > shape.Length)
                    throw new KerasArgumentException(
                        $"Invalid `shared_axes` for PReLU: axis {axis} is not an axis of inputs of shape {FormatShape(inputShape)} (1-based, the batch axis excluded).");
                shape[axis - 1] = 1;
            }
            if (shape.Any(d => d < 0))
                throw new KerasArgumentException(
                    $"PReLU needs every non-shared axis of its input to be known. Received input_shape={FormatShape(inputShape)}; share the unknown axes with `shared_axes`.");
            Alpha = AddWeight("alpha", shape, AlphaInitializer, regularizer: AlphaRegularizer, constraint: AlphaConstraint);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            var alpha = Alpha!.Shape;
            if (inputShape.Length != alpha.Length + 1)
                throw ConvUtils.WrongRank(Name, alpha.Length + 1, inputShape, exact: true);
            for (int i = 1; i < inputShape.Length; i++)
            {
                bool shared = _sharedAxes != null && _sharedAxes.Contains(i);
                if (!shared && inputShape[i] >= 0 && inputShape[i] != alpha[i - 1])
                    throw ConvUtils.WrongAxis(Name, i, alpha[i - 1], inputShape);
            }
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var alpha = Alpha!.Value.to_type(Dtypes.ToScalarType(ComputeDtype));
            using var positive = nn.functional.relu(inputs);
            using var flipped = inputs.neg();
            using var negative = nn.functional.relu(flipped);
            using var scaled = negative.mul(alpha);
            return positive.sub(scaled);
        }
    }
}

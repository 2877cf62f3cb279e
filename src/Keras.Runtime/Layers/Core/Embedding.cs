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
    /// <c>keras.layers.Embedding(input_dim, output_dim, embeddings_initializer="uniform")</c>: integer indices in
    /// [0, input_dim) to vectors; Keras' default initializer is uniform in [-0.05, 0.05].
    /// </summary>
    [KerasClass("Embedding")]
    public sealed class Embedding : Layer
    {
        private readonly Initializer _initializer;

        /// <summary>Creates the layer.</summary>
        public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, string? name = null,
            Regularizer? embeddingsRegularizer = null, Regularizer? activityRegularizer = null, Constraint? embeddingsConstraint = null,
            bool maskZero = false, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (Shared.KerasArgumentRules.EmbeddingInputDim.Problem(inputDim) is { } inputProblem) throw new KerasArgumentException(inputProblem, nameof(inputDim));
            if (Shared.KerasArgumentRules.EmbeddingOutputDim.Problem(outputDim) is { } outputProblem) throw new KerasArgumentException(outputProblem, nameof(outputDim));
            InputDim = inputDim;
            OutputDim = outputDim;
            _initializer = embeddingsInitializer ?? new RandomUniform(-0.05, 0.05);
            EmbeddingsRegularizer = embeddingsRegularizer;
            ActivityRegularizer = activityRegularizer;
            EmbeddingsConstraint = embeddingsConstraint;
            MaskZero = maskZero;
        }

        /// <summary>Keras' <c>mask_zero</c>: index 0 is padding; the output carries the mask <c>inputs != 0</c>.</summary>
        public bool MaskZero { get; }

        /// <inheritdoc />
        public override bool SupportsMasking => MaskZero;

        /// <summary>Keras' <c>compute_mask</c>: <c>inputs != 0</c> with mask_zero, none otherwise.</summary>
        public override Tensor? ComputeMask(Tensor inputs, Tensor? previousMask) => MaskZero ? inputs.ne(0) : null;

        /// <summary>The embeddings' initializer.</summary>
        public Initializer EmbeddingsInitializer => _initializer;
        /// <summary>The embeddings' regularizer, or null.</summary>
        public Regularizer? EmbeddingsRegularizer { get; }
        /// <summary>The embeddings' constraint, or null.</summary>
        public Constraint? EmbeddingsConstraint { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["input_dim"] = InputDim;
            c["output_dim"] = OutputDim;
            c["embeddings_initializer"] = KerasObjects.Serialize(_initializer);
            c["embeddings_regularizer"] = KerasObjects.SerializeOptional(EmbeddingsRegularizer);
            c["activity_regularizer"] = KerasObjects.SerializeOptional(ActivityRegularizer);
            c["embeddings_constraint"] = KerasObjects.SerializeOptional(EmbeddingsConstraint);
            c["mask_zero"] = MaskZero;
            return c;
        }

        internal static Embedding FromConfig(ConfigReader c)
        {
            c.Expect("lora_rank", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "LoRA (lora_rank)");
            c.Expect("quantization_config", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "quantization");
            c.Ignore("lora_alpha", "input_length"); // input_length: tf.keras only, shapes come from the inputs
            return new Embedding(c.Int("input_dim", min: 1), c.Int("output_dim", min: 1), c.Object<Initializer>("embeddings_initializer", new RandomUniform()),
                c.Name, c.OptionalObject<Regularizer>("embeddings_regularizer"), null, c.OptionalObject<Constraint>("embeddings_constraint"),
                c.Bool("mask_zero", false));
        }

        /// <summary>Vocabulary size.</summary>
        public int InputDim { get; }
        /// <summary>Vector size.</summary>
        public int OutputDim { get; }
        /// <summary>The embedding matrix (input_dim, output_dim), after build.</summary>
        public KerasVariable? Embeddings { get; private set; }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) =>
            Embeddings = AddWeight("embeddings", new long[] { InputDim, OutputDim }, _initializer, regularizer: EmbeddingsRegularizer, constraint: EmbeddingsConstraint);

        /// <inheritdoc />
        protected override bool TakesIndices => true;

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => inputShape.Concat(new long[] { OutputDim }).ToArray();

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var indices = inputs.to_type(ScalarType.Int64);
            // Out-of-range indices abort a CUDA context (a device-side assert), so they are checked first; the meta device has no values.
            if (indices.numel() > 0 && indices.device_type != TorchSharp.DeviceType.META)
            {
                using var largest = indices.max();
                using var smallest = indices.min();
                long max = largest.item<long>(), min = smallest.item<long>();
                if (min < 0 || max >= InputDim)
                    throw new KerasArgumentException($"Embedding '{Name}': indices must be in [0, {InputDim}). Received values from {min} to {max}.");
            }
            // As Keras: the rows are taken from the variable (float32 under mixed precision), then cast to the compute dtype.
            using var flat = indices.reshape(-1);
            using var rows = Embeddings!.Value.index(new[] { TensorIndex.Tensor(flat) });
            var computeType = Interop.Dtypes.ToScalarType(ComputeDtype);
            using var cast = rows.dtype == computeType ? rows.alias() : rows.to_type(computeType);
            return cast.reshape(indices.shape.Concat(new long[] { OutputDim }).ToArray());
        }
    }
}

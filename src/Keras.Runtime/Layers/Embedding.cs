using System.Linq;
using Keras.Errors;
using Keras.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Embedding(input_dim, output_dim, embeddings_initializer="uniform")</c>: integer indices in
    /// [0, input_dim) to vectors; Keras' default initializer is uniform in [-0.05, 0.05].
    /// </summary>
    public sealed class Embedding : Layer
    {
        private readonly Initializer _initializer;

        /// <summary>Creates the layer.</summary>
        public Embedding(int inputDim, int outputDim, Initializer? embeddingsInitializer = null, string? name = null) : base(name)
        {
            if (inputDim <= 0 || outputDim <= 0)
                throw new KerasArgumentException(
                    $"Both `input_dim` and `output_dim` should be positive, Received input_dim = {inputDim} and output_dim = {outputDim}", nameof(inputDim));
            InputDim = inputDim;
            OutputDim = outputDim;
            _initializer = embeddingsInitializer ?? new RandomUniform(-0.05, 0.05);
        }

        /// <summary>Vocabulary size.</summary>
        public int InputDim { get; }
        /// <summary>Vector size.</summary>
        public int OutputDim { get; }
        /// <summary>The embedding matrix (input_dim, output_dim), after build.</summary>
        public KerasVariable? Embeddings { get; private set; }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) =>
            Embeddings = AddWeight("embeddings", new long[] { InputDim, OutputDim }, _initializer);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => inputShape.Concat(new long[] { OutputDim }).ToArray();

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var indices = inputs.to_type(ScalarType.Int64);
            long max = 0, min = 0;
            if (indices.numel() > 0)
            {
                using var largest = indices.max();
                using var smallest = indices.min();
                max = largest.item<long>();
                min = smallest.item<long>();
            }
            if (min < 0 || max >= InputDim)
                throw new KerasArgumentException($"Embedding '{Name}': indices must be in [0, {InputDim}). Received values from {min} to {max}.");
            using var table = Embeddings!.Value.to_type(Interop.Dtypes.ToScalarType(ComputeDtype));
            using var flat = indices.reshape(-1);
            using var rows = table.index_select(0, flat);
            return rows.reshape(indices.shape.Concat(new long[] { OutputDim }).ToArray());
        }
    }
}

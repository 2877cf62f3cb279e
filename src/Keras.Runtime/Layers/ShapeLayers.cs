using System;
using System.Linq;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Flatten(data_format=None)</c>: flattens all but the batch axis. With channels_first inputs of
    /// rank ≥ 3 the channels are moved last first, as Keras does, so a model flattens the same way in both formats.
    /// </summary>
    public sealed class Flatten : Layer
    {
        /// <summary>Creates the layer.</summary>
        public Flatten(string? dataFormat = null, string? name = null) : base(name) =>
            DataFormat = ImageFormats.Standardize(dataFormat);

        /// <summary>The data format used.</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            long rest = inputShape.Skip(1).Any(d => d < 0) ? -1 : inputShape.Skip(1).Aggregate(1L, (a, b) => a * b);
            return new[] { inputShape[0], rest };
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (DataFormat == "channels_first" && inputs.dim() >= 3)
            {
                var order = new long[inputs.dim()];
                order[0] = 0;
                for (int i = 1; i < order.Length - 1; i++) order[i] = i + 1;
                order[order.Length - 1] = 1;
                using var moved = inputs.permute(order);
                return moved.reshape(inputs.shape[0], -1);
            }
            return inputs.reshape(inputs.shape[0], -1);
        }
    }

    /// <summary><c>keras.layers.Reshape(target_shape)</c>: per-sample shape (one dimension may be -1).</summary>
    public sealed class Reshape : Layer
    {
        /// <summary>Creates the layer.</summary>
        public Reshape(long[] targetShape, string? name = null) : base(name)
        {
            if (targetShape == null || targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d == 0 || d < -1))
                throw new KerasArgumentException("`target_shape` must be positive dimensions with at most one -1. Received: target_shape=(" +
                                                 string.Join(", ", targetShape ?? Array.Empty<long>()) + ")", nameof(targetShape));
            TargetShape = (long[])targetShape.Clone();
        }

        /// <summary>The per-sample target shape.</summary>
        public long[] TargetShape { get; }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var output = new long[TargetShape.Length + 1];
            output[0] = inputShape[0];
            long known = inputShape.Skip(1).Any(d => d < 0) ? -1 : inputShape.Skip(1).Aggregate(1L, (a, b) => a * b);
            long fixedPart = TargetShape.Where(d => d > 0).Aggregate(1L, (a, b) => a * b);
            for (int i = 0; i < TargetShape.Length; i++)
                output[i + 1] = TargetShape[i] == -1 ? (known < 0 ? -1 : known / fixedPart) : TargetShape[i];
            return output;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) =>
            inputs.reshape(new[] { inputs.shape[0] }.Concat(TargetShape).ToArray());
    }

    /// <summary><c>keras.layers.Activation(activation)</c>.</summary>
    public sealed class Activation : Layer
    {
        private readonly Func<Tensor, Tensor> _function;

        /// <summary>Creates the layer.</summary>
        public Activation(string activation, string? name = null) : base(name)
        {
            _function = Activations.Get(activation);
            Function = activation;
        }

        /// <summary>The activation's name.</summary>
        public string Function { get; }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => _function(inputs);
    }

    /// <summary>Keras' standardize_data_format: null means the global image data format.</summary>
    internal static class ImageFormats
    {
        public static string Standardize(string? dataFormat)
        {
            if (dataFormat == null) return Config.ImageDataFormat();
            string? normalized = Shared.KerasFacts.NormalizeImageDataFormat(dataFormat);
            return normalized ?? throw new KerasArgumentException(
                "The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=" + dataFormat.ToLowerInvariant(),
                nameof(dataFormat));
        }

        /// <summary>TF/Keras "same" padding: (before, after) for one spatial axis.</summary>
        public static (long Before, long After) SamePadding(long size, long kernel, long stride)
        {
            long outSize = (size + stride - 1) / stride;
            long total = Math.Max((outSize - 1) * stride + kernel - size, 0);
            return (total / 2, total - total / 2);
        }
    }
}

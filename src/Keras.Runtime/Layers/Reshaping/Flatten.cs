using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Flatten(data_format=None)</c>: flattens all but the batch axis. With channels_first inputs of
    /// rank ≥ 3 the channels are moved last first, as Keras does, so a model flattens the same way in both formats.
    /// </summary>
    [KerasClass("Flatten")]
    public sealed class Flatten : Layer
    {
        /// <summary>Creates the layer.</summary>
        public Flatten(string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) =>
            DataFormat = ImageFormats.Standardize(dataFormat);

        /// <summary>The data format used.</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["data_format"] = DataFormat;
            return c;
        }

        internal static Flatten FromConfig(ConfigReader c) => new Flatten(ImageFormats.Read(c), c.Name);

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
}

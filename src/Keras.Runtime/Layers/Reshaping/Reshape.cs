using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.Reshape(target_shape)</c>: per-sample shape (one dimension may be -1).</summary>
    [KerasClass("Reshape")]
    public sealed class Reshape : Layer
    {
        /// <summary>Creates the layer.</summary>
        public Reshape(long[] targetShape, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            if (targetShape == null || targetShape.Count(d => d == -1) > 1 || targetShape.Any(d => d == 0 || d < -1))
                throw new KerasArgumentException("`target_shape` must be positive dimensions with at most one -1. Received: target_shape=(" +
                                                 string.Join(", ", targetShape ?? Array.Empty<long>()) + ")", nameof(targetShape));
            TargetShape = (long[])targetShape.Clone();
        }

        /// <summary>The per-sample target shape.</summary>
        public long[] TargetShape { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["target_shape"] = new JsonArray(TargetShape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray());
            return c;
        }

        internal static Reshape FromConfig(ConfigReader c)
        {
            var node = c.Raw("target_shape");
            if (node is not JsonArray list) throw c.Error("target_shape", "a list of dimensions (positive integers, at most one -1)");
            var shape = list.Select(d => d is JsonValue v && v.TryGetValue<long>(out long x) ? x
                : throw c.Error("target_shape", "a list of dimensions (positive integers, at most one -1)")).ToArray();
            return new Reshape(shape, c.Name);
        }

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
}

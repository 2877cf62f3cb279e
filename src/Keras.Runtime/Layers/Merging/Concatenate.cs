using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.Concatenate(axis=-1)</c>: joins the inputs along <see cref="Axis"/>.</summary>
    [KerasClass("Concatenate")]
    public sealed class Concatenate : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Concatenate(int axis = -1, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) => Axis = axis;

        /// <summary>The concatenation axis (negative counts from the end).</summary>
        public int Axis { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            return c;
        }

        internal static Concatenate FromConfig(ConfigReader c) => new Concatenate(c.Int("axis", -1), c.Name);

        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes)
        {
            int rank = shapes[0].Length;
            int axis = Axis < 0 ? Axis + rank : Axis;
            bool ok = axis >= 0 && axis < rank && shapes.All(s => s.Length == rank);
            var result = (long[])shapes[0].Clone();
            for (int i = 0; ok && i < rank; i++)
            {
                if (i == axis)
                {
                    result[i] = shapes.Any(s => s[i] < 0) ? -1 : shapes.Sum(s => s[i]);
                    continue;
                }
                foreach (var s in shapes)
                {
                    if (s[i] >= 0 && result[i] >= 0 && s[i] != result[i]) ok = false;
                    else if (result[i] < 0) result[i] = s[i];
                }
            }
            if (!ok)
                throw new KerasArgumentException(
                    "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. Received: input_shape=[" +
                    string.Join(", ", shapes.Select(FormatShape)) + "]");
            return result;
        }

        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => torch.cat(inputs.ToArray(), Axis);

        /// <summary>
        /// Keras' Concatenate.compute_mask: each input's mask (all true where it has none) broadcast to the input's shape,
        /// concatenated along the axis, and reduced with "any" over the last axis.
        /// </summary>
        private protected override Tensor MergeMasks(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            var full = new List<Tensor>();
            try
            {
                for (int i = 0; i < inputs.Count; i++)
                {
                    var shape = inputs[i].shape;
                    if (masks[i] is not { } mask)
                    {
                        full.Add(torch.ones(shape, ScalarType.Bool, inputs[i].device));
                        continue;
                    }
                    using var b = mask.to_type(ScalarType.Bool);
                    if (b.dim() < shape.Length)
                    {
                        using var expanded = b.unsqueeze(-1);
                        full.Add(expanded.expand(shape).contiguous());
                    }
                    else
                    {
                        full.Add(b.alias());
                    }
                }
                using var joined = torch.cat(full.ToArray(), Axis);
                return joined.any(-1);
            }
            finally
            {
                foreach (var t in full) t.Dispose();
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Dot(axes, normalize=False)</c>: the per-sample dot product of two tensors along <c>axes</c> (one
    /// axis for both, or one per input; never the batch axis), Keras' <c>batch_dot</c>: the output keeps the first input's
    /// other axes, then the second's (a (batch, 1) tensor when nothing else is left). With <c>normalize</c> both inputs
    /// are L2-normalized along the dot axes first (cosine proximity).
    /// </summary>
    [KerasClass("Dot")]
    public sealed class Dot : Merge
    {
        private readonly int[] _axes;
        private readonly bool _single;

        /// <summary>Creates the layer with the same axis for both inputs.</summary>
        public Dot(int axes, bool normalize = false, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            _axes = new[] { axes, axes };
            _single = true;
            Normalize = normalize;
        }

        /// <summary>Creates the layer with one axis per input.</summary>
        public Dot((int First, int Second) axes, bool normalize = false, string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            _axes = new[] { axes.First, axes.Second };
            Normalize = normalize;
        }

        /// <summary>The dot axis of each input (as given: negative counts from the end).</summary>
        public (int First, int Second) Axes => (_axes[0], _axes[1]);
        /// <summary>Whether inputs are L2-normalized along the axes first.</summary>
        public bool Normalize { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axes"] = _single ? JsonValue.Create(_axes[0]) : BaseConv.Json(_axes);
            c["normalize"] = Normalize;
            return c;
        }

        internal static Dot FromConfig(ConfigReader c)
        {
            bool normalize = c.Bool("normalize", false);
            var node = c.Config["axes"];
            if (node is JsonArray)
            {
                var axes = c.IntList("axes");
                if (axes.Length != 2) throw c.Error("axes", "an integer or a list of two integers");
                return new Dot((axes[0], axes[1]), normalize, c.Name);
            }
            return new Dot(c.Int("axes"), normalize, c.Name);
        }

        private protected override int MinInputs => 2;

        private int[] Resolve(IReadOnlyList<long[]> shapes) =>
            new[] { _axes[0] < 0 ? Mod(_axes[0], shapes[0].Length) : _axes[0], _axes[1] < 0 ? Mod(_axes[1], shapes[1].Length) : _axes[1] };

        private static int Mod(int a, int n) => ((a % n) + n) % n;

        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes)
        {
            if (shapes.Count != 2)
                throw new KerasArgumentException($"A `Dot` layer should be called on exactly 2 inputs. Received: {shapes.Count} inputs");
            long[] a = shapes[0], b = shapes[1];
            if (a.Length < 2 || b.Length < 2)
                throw new KerasArgumentException(
                    $"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes {FormatShape(a)} and {FormatShape(b)}.");
            if (a[0] >= 0 && b[0] >= 0 && a[0] != b[0])
                throw new KerasArgumentException(
                    $"Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes {FormatShape(a)} and {FormatShape(b)}.");
            var axes = Resolve(shapes);
            if (axes[0] >= a.Length || axes[1] >= b.Length)
                throw new KerasArgumentException($"Invalid `axes` for Dot: {ConvUtils.Tuple(_axes)} for inputs of shapes {FormatShape(a)} and {FormatShape(b)}.");
            if (axes[0] == 0 || axes[1] == 0)
                throw new KerasArgumentException(
                    "Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch dimension to your inputs using " +
                    "keras.ops.expand_dims(x, 0)");
            if (a[axes[0]] >= 0 && b[axes[1]] >= 0 && a[axes[0]] != b[axes[1]])
                throw new KerasArgumentException(
                    $"Incompatible input shapes: axis values {a[axes[0]]} (at axis {axes[0]}) != {b[axes[1]]} (at axis {axes[1]}). " +
                    $"Full input shapes: {FormatShape(a)}, {FormatShape(b)}");
            var output = a.Where((_, i) => i != axes[0]).Concat(b.Where((_, i) => i != axes[1] && i != 0)).ToList();
            if (output.Count == 1) output.Add(1);
            return output.ToArray();
        }

        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs)
        {
            var axes = Resolve(inputs.Select(t => t.shape).ToArray());
            using var x = Normalize ? L2Normalize(inputs[0], axes[0]) : inputs[0].alias();
            using var y = Normalize ? L2Normalize(inputs[1], axes[1]) : inputs[1].alias();
            long batch = x.shape[0];
            // x: the dot axis last, the other axes squashed; y: the dot axis second, its other axes squashed.
            using var xMoved = x.movedim(new long[] { axes[0] }, new long[] { x.dim() - 1 });
            using var yMoved = y.movedim(new long[] { axes[1] }, new long[] { 1 });
            var xRest = xMoved.shape.Skip(1).Take((int)xMoved.dim() - 2).ToArray();
            var yRest = yMoved.shape.Skip(2).ToArray();
            long k = xMoved.shape[xMoved.dim() - 1];
            using var x3 = xMoved.reshape(batch, -1, k);
            using var y3 = yMoved.reshape(batch, k, -1);
            using var product = x3.bmm(y3);
            var shape = new[] { batch }.Concat(xRest).Concat(yRest).ToList();
            if (shape.Count == 1) shape.Add(1);
            return product.reshape(shape.ToArray());
        }

        /// <summary>Keras' <c>normalize(x, axis)</c>: x · min(1/√Σx², 1/ε).</summary>
        private static Tensor L2Normalize(Tensor x, int axis)
        {
            using var square = x.square();
            using var sum = square.sum(axis, keepdim: true);
            using var inverse = sum.rsqrt();
            using var capped = inverse.clamp_max(1.0 / Config.Epsilon());
            return x.mul(capped);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Ops
{
    /// <summary><c>keras.ops.concatenate(xs, axis=0)</c>.</summary>
    [KerasClass("Concatenate")]
    public sealed class Concatenate : Operation
    {
        /// <summary>Creates the operation.</summary>
        public Concatenate(int axis = 0, string? name = null) : base(name) => Axis = axis;

        /// <summary>The axis.</summary>
        public int Axis { get; }

        private protected override int Arity => 1;
        private protected override bool TakesList => true;

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes)
        {
            int rank = shapes[0].Length;
            long axis = Normalize(Axis, rank, "concatenate");
            if (shapes.Any(s => s.Length != rank)) throw Incompatible(shapes);
            var result = (long[])shapes[0].Clone();
            result[axis] = shapes.Any(s => s[axis] < 0) ? -1 : shapes.Sum(s => s[axis]);
            for (int i = 0; i < rank; i++)
                if (i != axis && shapes.Select(s => s[i]).Where(d => d >= 0).Distinct().Count() > 1) throw Incompatible(shapes);
            return result;
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> a)
        {
            OutputShape(a.Select(t => t.shape).ToArray()); // torch.cat's own checks can abort: Keras' shape rule first
            return torch.cat(a.ToArray(), Axis);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            return c;
        }

        internal static Concatenate FromConfig(ConfigReader c) => new Concatenate(c.Int("axis", 0), c.Name);
    }

    /// <summary><c>keras.ops.reshape(x, newshape)</c> (the whole shape, batch included; one -1 allowed).</summary>
    [KerasClass("Reshape")]
    public sealed class Reshape : Operation
    {
        /// <summary>Creates the operation.</summary>
        public Reshape(long[] newshape, string? name = null) : base(name)
        {
            if (newshape is null || newshape.Count(d => d == -1) > 1 || newshape.Any(d => d < -1))
                throw new KerasArgumentException("`newshape` must hold non-negative dimensions and at most one -1.", nameof(newshape));
            Newshape = (long[])newshape.Clone();
        }

        /// <summary>The target shape.</summary>
        public long[] Newshape { get; }

        private protected override int Arity => 1;

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes) => (long[])Newshape.Clone();

        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].reshape(Newshape);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["newshape"] = new JsonArray(Newshape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray());
            return c;
        }

        internal static Reshape FromConfig(ConfigReader c)
        {
            var node = c.Raw("newshape");
            if (node is not JsonArray list) throw c.Error("newshape", "a list of dimensions");
            return new Reshape(list.Select(d => d is null ? -1L : d is JsonValue v && v.TryGetValue<long>(out long x) ? x : throw c.Error("newshape", "a list of dimensions")).ToArray(), c.Name);
        }
    }

    /// <summary><c>keras.ops.transpose(x, axes=None)</c> (None reverses the axes).</summary>
    [KerasClass("Transpose")]
    public sealed class Transpose : Operation
    {
        /// <summary>Creates the operation.</summary>
        public Transpose(int[]? axes = null, string? name = null) : base(name) => Axes = axes;

        /// <summary>The permutation, or null to reverse.</summary>
        public new int[]? Axes { get; }

        private protected override int Arity => 1;

        private long[] Permutation(int rank)
        {
            if (Axes == null) return Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
            if (Axes.Length != rank) throw new KerasArgumentException($"transpose: axes {string.Join(",", Axes)} do not match a tensor of rank {rank}.");
            var p = Axes.Select(a => Normalize(a, rank, "transpose")).ToArray();
            if (p.Distinct().Count() != rank) throw new KerasArgumentException("transpose: repeated axis in axes.");
            return p;
        }

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes) => Permutation(shapes[0].Length).Select(i => shapes[0][i]).ToArray();

        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].permute(Permutation((int)a[0].dim()));

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axes"] = AxesJson(Axes);
            return c;
        }

        internal static Transpose FromConfig(ConfigReader c) => new Transpose(Operation.Axes(c, "axes"), c.Name);
    }

    /// <summary><c>keras.ops.expand_dims(x, axis)</c>.</summary>
    [KerasClass("ExpandDims")]
    public sealed class ExpandDims : Operation
    {
        /// <summary>Creates the operation.</summary>
        public ExpandDims(int axis, string? name = null) : base(name) => Axis = axis;

        /// <summary>The new axis.</summary>
        public int Axis { get; }

        private protected override int Arity => 1;

        private long Where(int rank) => Normalize(Axis, rank + 1, "expand_dims");

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes)
        {
            var list = shapes[0].ToList();
            list.Insert((int)Where(shapes[0].Length), 1);
            return list.ToArray();
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].unsqueeze(Where((int)a[0].dim()));

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            return c;
        }

        internal static ExpandDims FromConfig(ConfigReader c)
        {
            var axes = c.IntList("axis");
            if (axes.Length != 1) throw c.Unsupported("axis", "expanding several axes at once");
            return new ExpandDims(axes[0], c.Name);
        }
    }

    /// <summary><c>keras.ops.squeeze(x, axis=None)</c>.</summary>
    [KerasClass("Squeeze")]
    public sealed class Squeeze : Operation
    {
        /// <summary>Creates the operation.</summary>
        public Squeeze(int[]? axis = null, string? name = null) : base(name) => Axis = axis;

        /// <summary>The axes removed (size 1), or null for every axis of size 1.</summary>
        public int[]? Axis { get; }

        private protected override int Arity => 1;

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes)
        {
            var shape = shapes[0];
            if (Axis == null) return shape.Where(d => d != 1).ToArray();
            var axes = new HashSet<long>(Axis.Select(a => Normalize(a, shape.Length, "squeeze")));
            foreach (var a in axes)
                if (shape[a] > 1) throw new KerasArgumentException($"squeeze: cannot remove axis {a} of size {shape[a]}.");
            return shape.Where((d, i) => !axes.Contains(i)).ToArray();
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> a)
        {
            var target = OutputShape(new[] { a[0].shape });
            return a[0].reshape(target);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = AxesJson(Axis);
            return c;
        }

        internal static Squeeze FromConfig(ConfigReader c) => new Squeeze(Axes(c, "axis"), c.Name);
    }
}

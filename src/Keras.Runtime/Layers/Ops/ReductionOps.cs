using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Ops
{
    /// <summary>A reduction over axes (all of them when null), keeping them with size 1 when <see cref="Keepdims"/>.</summary>
    public abstract class ReductionOperation : Operation
    {
        /// <summary>Creates the operation.</summary>
        private protected ReductionOperation(int[]? axis, bool keepdims, string? name) : base(name)
        {
            Axis = axis;
            Keepdims = keepdims;
        }

        /// <summary>The axes reduced, or null for all.</summary>
        public int[]? Axis { get; }

        /// <summary>Whether reduced axes are kept with size 1.</summary>
        public bool Keepdims { get; }

        private protected override int Arity => 1;

        private protected long[] Reduced(int rank) =>
            Axis == null ? Enumerable.Range(0, rank).Select(i => (long)i).ToArray() : Axis.Select(a => Normalize(a, rank, KerasClassName)).Distinct().ToArray();

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes)
        {
            var shape = shapes[0];
            var axes = new HashSet<long>(Reduced(shape.Length));
            return Keepdims
                ? shape.Select((d, i) => axes.Contains(i) ? 1L : d).ToArray()
                : shape.Where((d, i) => !axes.Contains(i)).ToArray();
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = AxesJson(Axis);
            c["keepdims"] = Keepdims;
            return c;
        }
    }

    /// <summary><c>keras.ops.mean(x, axis=None, keepdims=False)</c>.</summary>
    [KerasClass("Mean")]
    public sealed class Mean : ReductionOperation
    {
        /// <summary>Creates the operation.</summary>
        public Mean(int[]? axis = null, bool keepdims = false, string? name = null) : base(axis, keepdims, name) { }
        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].mean(Reduced((int)a[0].dim()), Keepdims);
        internal static Mean FromConfig(ConfigReader c) => new Mean(Axes(c, "axis"), c.Bool("keepdims", false), c.Name);
    }

    /// <summary><c>keras.ops.sum(x, axis=None, keepdims=False)</c>.</summary>
    [KerasClass("Sum")]
    public sealed class Sum : ReductionOperation
    {
        /// <summary>Creates the operation.</summary>
        public Sum(int[]? axis = null, bool keepdims = false, string? name = null) : base(axis, keepdims, name) { }
        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].sum(Reduced((int)a[0].dim()), Keepdims);
        internal static Sum FromConfig(ConfigReader c) => new Sum(Axes(c, "axis"), c.Bool("keepdims", false), c.Name);
    }

    /// <summary><c>keras.ops.max(x, axis=None, keepdims=False)</c>.</summary>
    [KerasClass("Max")]
    public sealed class Max : ReductionOperation
    {
        /// <summary>Creates the operation.</summary>
        public Max(int[]? axis = null, bool keepdims = false, string? name = null) : base(axis, keepdims, name) { }
        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].amax(Reduced((int)a[0].dim()), Keepdims);
        internal static Max FromConfig(ConfigReader c)
        {
            c.Expect("initial", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "an initial value");
            return new Max(Axes(c, "axis"), c.Bool("keepdims", false), c.Name);
        }
    }

    /// <summary><c>keras.ops.min(x, axis=None, keepdims=False)</c>.</summary>
    [KerasClass("Min")]
    public sealed class Min : ReductionOperation
    {
        /// <summary>Creates the operation.</summary>
        public Min(int[]? axis = null, bool keepdims = false, string? name = null) : base(axis, keepdims, name) { }
        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => a[0].amin(Reduced((int)a[0].dim()), Keepdims);
        internal static Min FromConfig(ConfigReader c)
        {
            c.Expect("initial", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "an initial value");
            return new Min(Axes(c, "axis"), c.Bool("keepdims", false), c.Name);
        }
    }

    /// <summary>A logical reduction (any, all): the output is boolean; non-boolean inputs count as true where non-zero.</summary>
    public abstract class LogicalReduction : ReductionOperation
    {
        /// <summary>Creates the operation.</summary>
        private protected LogicalReduction(int[]? axis, bool keepdims, string? name) : base(axis, keepdims, name) { }

        private protected override string? OutputDtype => "bool";

        private protected abstract Tensor Reduce(Tensor x, long axis);

        private protected override Tensor Compute(IReadOnlyList<Tensor> a)
        {
            var x = a[0].dtype == ScalarType.Bool ? a[0].alias() : a[0].ne(0);
            foreach (var axis in Reduced((int)a[0].dim()).OrderByDescending(d => d))
            {
                var reduced = Reduce(x, axis);
                x.Dispose();
                x = reduced;
            }
            return x;
        }
    }

    /// <summary>
    /// <c>keras.ops.any(x, axis=None, keepdims=False)</c>: whether any element along the axes is true. Masking's mask is
    /// <c>any(not_equal(inputs, mask_value), axis=-1)</c>.
    /// </summary>
    [KerasClass("Any")]
    public sealed class Any : LogicalReduction
    {
        /// <summary>Creates the operation.</summary>
        public Any(int[]? axis = null, bool keepdims = false, string? name = null) : base(axis, keepdims, name) { }
        private protected override Tensor Reduce(Tensor x, long axis) => x.any(axis, Keepdims);
        internal static Any FromConfig(ConfigReader c) => new Any(Axes(c, "axis"), c.Bool("keepdims", false), c.Name);
    }

    /// <summary><c>keras.ops.all(x, axis=None, keepdims=False)</c>: whether every element along the axes is true.</summary>
    [KerasClass("All")]
    public sealed class All : LogicalReduction
    {
        /// <summary>Creates the operation.</summary>
        public All(int[]? axis = null, bool keepdims = false, string? name = null) : base(axis, keepdims, name) { }
        private protected override Tensor Reduce(Tensor x, long axis) => x.all(axis, Keepdims);
        internal static All FromConfig(ConfigReader c) => new All(Axes(c, "axis"), c.Bool("keepdims", false), c.Name);
    }
}

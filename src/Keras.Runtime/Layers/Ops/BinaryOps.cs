using System;
using System.Collections.Generic;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Ops
{
    /// <summary>An element-wise operation of two arguments with numpy broadcasting.</summary>
    public abstract class BinaryOperation : Operation
    {
        /// <summary>Creates the operation.</summary>
        private protected BinaryOperation(string? name) : base(name) { }

        private protected override int Arity => 2;

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes) => Broadcast(shapes[0], shapes[1]);

        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => Apply(a[0], a[1]);

        private protected abstract Tensor Apply(Tensor x1, Tensor x2);
    }

    /// <summary><c>keras.ops.add(x1, x2)</c> (what <c>x1 + x2</c> records).</summary>
    [KerasClass("Add")]
    public sealed class Add : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Add(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.add(x2);
        internal static Add FromConfig(ConfigReader c) => new Add(c.Name);
    }

    /// <summary><c>keras.ops.subtract(x1, x2)</c> (<c>x1 - x2</c>).</summary>
    [KerasClass("Subtract")]
    public sealed class Subtract : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Subtract(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.sub(x2);
        internal static Subtract FromConfig(ConfigReader c) => new Subtract(c.Name);
    }

    /// <summary><c>keras.ops.multiply(x1, x2)</c> (<c>x1 * x2</c>).</summary>
    [KerasClass("Multiply")]
    public sealed class Multiply : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Multiply(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.mul(x2);
        internal static Multiply FromConfig(ConfigReader c) => new Multiply(c.Name);
    }

    /// <summary><c>keras.ops.divide(x1, x2)</c> (<c>x1 / x2</c>, true division).</summary>
    [KerasClass("Divide", "TrueDivide")]
    public sealed class Divide : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Divide(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.div(x2);
        internal static Divide FromConfig(ConfigReader c) => new Divide(c.Name);
    }

    /// <summary><c>keras.ops.power(x1, x2)</c> (<c>x1 ** x2</c>).</summary>
    [KerasClass("Power")]
    public sealed class Power : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Power(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.pow(x2);
        internal static Power FromConfig(ConfigReader c) => new Power(c.Name);
    }

    /// <summary><c>keras.ops.maximum(x1, x2)</c>.</summary>
    [KerasClass("Maximum")]
    public sealed class Maximum : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Maximum(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => torch.maximum(x1, x2);
        internal static Maximum FromConfig(ConfigReader c) => new Maximum(c.Name);
    }

    /// <summary><c>keras.ops.minimum(x1, x2)</c>.</summary>
    [KerasClass("Minimum")]
    public sealed class Minimum : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Minimum(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x1, Tensor x2) => torch.minimum(x1, x2);
        internal static Minimum FromConfig(ConfigReader c) => new Minimum(c.Name);
    }

    /// <summary><c>keras.ops.matmul(x1, x2)</c> (<c>x1 @ x2</c>), batched as numpy's matmul.</summary>
    [KerasClass("Matmul")]
    public sealed class Matmul : Operation
    {
        /// <summary>Creates the operation.</summary>
        public Matmul(string? name = null) : base(name) { }

        private protected override int Arity => 2;

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes)
        {
            long[] a = shapes[0], b = shapes[1];
            if (a.Length < 2 || b.Length < 2) throw new Errors.KerasArgumentException($"Matmul needs operands of rank 2 or more. Received: {FormatShape(a)} and {FormatShape(b)}.");
            long inner = a[a.Length - 1], other = b[b.Length - 2];
            if (inner >= 0 && other >= 0 && inner != other) throw Incompatible(new[] { a, b });
            var batch = Broadcast(a.AsSpan(0, a.Length - 2).ToArray(), b.AsSpan(0, b.Length - 2).ToArray());
            var result = new long[batch.Length + 2];
            batch.CopyTo(result, 0);
            result[batch.Length] = a[a.Length - 2];
            result[batch.Length + 1] = b[b.Length - 1];
            return result;
        }

        private protected override Tensor Compute(IReadOnlyList<Tensor> a)
        {
            // matmul aborts the process on mismatched shapes: check first (as Keras' shape inference would).
            long[] s1 = a[0].shape, s2 = a[1].shape;
            if (s1.Length < 2 || s2.Length < 2 || s1[s1.Length - 1] != s2[s2.Length - 2]) throw Incompatible(new[] { s1, s2 });
            return a[0].matmul(a[1]);
        }

        internal static Matmul FromConfig(ConfigReader c) => new Matmul(c.Name);
    }

    /// <summary>
    /// <c>keras.ops.equal(x1, x2)</c>: element-wise <c>x1 == x2</c>, boolean. Keras records it when a mask is computed on
    /// symbolic tensors.
    /// </summary>
    [KerasClass("Equal")]
    public sealed class Equal : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Equal(string? name = null) : base(name) { }
        private protected override string? OutputDtype => "bool";
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.eq(x2);
        internal static Equal FromConfig(ConfigReader c) => new Equal(c.Name);
    }

    /// <summary>
    /// <c>keras.ops.not_equal(x1, x2)</c>: element-wise <c>x1 != x2</c>, boolean. Keras 3 saves it in Functional graphs as
    /// the op computing Embedding's <c>mask_zero</c> mask (<c>not_equal(inputs, 0)</c>) and Masking's.
    /// </summary>
    [KerasClass("NotEqual")]
    public sealed class NotEqual : BinaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public NotEqual(string? name = null) : base(name) { }
        private protected override string? OutputDtype => "bool";
        private protected override Tensor Apply(Tensor x1, Tensor x2) => x1.ne(x2);
        internal static NotEqual FromConfig(ConfigReader c) => new NotEqual(c.Name);
    }
}

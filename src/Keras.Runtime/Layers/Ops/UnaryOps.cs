using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Ops
{
    /// <summary>An element-wise operation of one tensor.</summary>
    public abstract class UnaryOperation : Operation
    {
        /// <summary>Creates the operation.</summary>
        private protected UnaryOperation(string? name) : base(name) { }

        private protected override int Arity => 1;

        private protected override long[] OutputShape(IReadOnlyList<long[]> shapes) => (long[])shapes[0].Clone();

        private protected override Tensor Compute(IReadOnlyList<Tensor> a) => Apply(a[0]);

        private protected abstract Tensor Apply(Tensor x);
    }

    /// <summary><c>keras.ops.negative(x)</c> (<c>-x</c>).</summary>
    [KerasClass("Negative")]
    public sealed class Negative : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Negative(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.neg();
        internal static Negative FromConfig(ConfigReader c) => new Negative(c.Name);
    }

    /// <summary><c>keras.ops.absolute(x)</c>.</summary>
    [KerasClass("Absolute")]
    public sealed class Absolute : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Absolute(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.abs();
        internal static Absolute FromConfig(ConfigReader c) => new Absolute(c.Name);
    }

    /// <summary><c>keras.ops.square(x)</c>.</summary>
    [KerasClass("Square")]
    public sealed class Square : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Square(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.square();
        internal static Square FromConfig(ConfigReader c) => new Square(c.Name);
    }

    /// <summary><c>keras.ops.sqrt(x)</c>.</summary>
    [KerasClass("Sqrt")]
    public sealed class Sqrt : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Sqrt(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.sqrt();
        internal static Sqrt FromConfig(ConfigReader c) => new Sqrt(c.Name);
    }

    /// <summary><c>keras.ops.exp(x)</c>.</summary>
    [KerasClass("Exp")]
    public sealed class Exp : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Exp(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.exp();
        internal static Exp FromConfig(ConfigReader c) => new Exp(c.Name);
    }

    /// <summary><c>keras.ops.log(x)</c>.</summary>
    [KerasClass("Log")]
    public sealed class Log : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Log(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.log();
        internal static Log FromConfig(ConfigReader c) => new Log(c.Name);
    }

    /// <summary><c>keras.ops.tanh(x)</c>.</summary>
    [KerasClass("Tanh")]
    public sealed class Tanh : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Tanh(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.tanh();
        internal static Tanh FromConfig(ConfigReader c) => new Tanh(c.Name);
    }

    /// <summary><c>keras.ops.clip(x, x_min, x_max)</c>.</summary>
    [KerasClass("Clip")]
    public sealed class Clip : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Clip(double xMin, double xMax, string? name = null) : base(name)
        {
            XMin = xMin;
            XMax = xMax;
        }

        /// <summary>The lower bound.</summary>
        public double XMin { get; }
        /// <summary>The upper bound.</summary>
        public double XMax { get; }
        private protected override Tensor Apply(Tensor x) => x.clamp(XMin, XMax);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["x_min"] = XMin;
            c["x_max"] = XMax;
            return c;
        }

        internal static Clip FromConfig(ConfigReader c) => new Clip(c.Double("x_min"), c.Double("x_max"), c.Name);
    }

    /// <summary><c>keras.ops.relu(x)</c> (module keras.src.ops.nn).</summary>
    [KerasClass("Relu", Module = "keras.src.ops.nn")]
    public sealed class Relu : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Relu(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => nn.functional.relu(x);
        internal static Relu FromConfig(ConfigReader c) => new Relu(c.Name);
    }

    /// <summary><c>keras.ops.sigmoid(x)</c> (module keras.src.ops.nn).</summary>
    [KerasClass("Sigmoid", Module = "keras.src.ops.nn")]
    public sealed class Sigmoid : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Sigmoid(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => x.sigmoid();
        internal static Sigmoid FromConfig(ConfigReader c) => new Sigmoid(c.Name);
    }

    /// <summary><c>keras.ops.silu(x)</c> (module keras.src.ops.nn).</summary>
    [KerasClass("Silu", Module = "keras.src.ops.nn")]
    public sealed class Silu : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Silu(string? name = null) : base(name) { }
        private protected override Tensor Apply(Tensor x) => nn.functional.silu(x);
        internal static Silu FromConfig(ConfigReader c) => new Silu(c.Name);
    }

    /// <summary><c>keras.ops.gelu(x, approximate=True)</c> (module keras.src.ops.nn).</summary>
    [KerasClass("Gelu", Module = "keras.src.ops.nn")]
    public sealed class Gelu : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Gelu(bool approximate = true, string? name = null) : base(name) => Approximate = approximate;

        /// <summary>Whether the tanh approximation is used (Keras' ops default: true).</summary>
        public bool Approximate { get; }

        private protected override Tensor Apply(Tensor x)
        {
            if (!Approximate) return nn.functional.gelu(x);
            // 0.5 x (1 + tanh(sqrt(2/π) (x + 0.044715 x³))), Keras' approximate form
            using var cube = x.pow(3);
            using var inner = x.add(cube, alpha: 0.044715).mul_(Math.Sqrt(2.0 / Math.PI));
            using var t = inner.tanh_().add_(1.0);
            return x.mul(t).mul_(0.5);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["approximate"] = Approximate;
            return c;
        }

        internal static Gelu FromConfig(ConfigReader c) => new Gelu(c.Bool("approximate", true), c.Name);
    }

    /// <summary><c>keras.ops.softmax(x, axis=-1)</c> (module keras.src.ops.nn).</summary>
    [KerasClass("Softmax", Module = "keras.src.ops.nn")]
    public sealed class Softmax : UnaryOperation
    {
        /// <summary>Creates the operation.</summary>
        public Softmax(int axis = -1, string? name = null) : base(name) => Axis = axis;

        /// <summary>The axis.</summary>
        public int Axis { get; }

        private protected override Tensor Apply(Tensor x) => x.softmax(Axis);

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = Axis;
            return c;
        }

        internal static Softmax FromConfig(ConfigReader c) => new Softmax(c.Int("axis", -1), c.Name);
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Ops
{
    /// <summary>
    /// One argument of an operation call: a symbolic tensor, or a constant number (Keras 3 records <c>x * 2.0</c> as a
    /// Multiply op node with the tensor and <c>2.0</c> as its arguments).
    /// </summary>
    public readonly struct Operand
    {
        private Operand(KerasTensor? tensor, double constant)
        {
            Tensor = tensor;
            Constant = constant;
        }

        /// <summary>The tensor, or null for a constant.</summary>
        public KerasTensor? Tensor { get; }

        /// <summary>The constant, when <see cref="Tensor"/> is null.</summary>
        public double Constant { get; }

        /// <summary>A tensor argument.</summary>
        public static implicit operator Operand(KerasTensor tensor) => new Operand(tensor ?? throw new KerasArgumentException("An operation argument cannot be null."), 0);

        /// <summary>A constant argument.</summary>
        public static implicit operator Operand(double constant) => new Operand(null, constant);
    }

    /// <summary>
    /// Keras 3's operations (<c>keras.ops</c>, module <c>keras.src.ops.numpy</c> / <c>keras.src.ops.nn</c>) as nodes of a
    /// Functional graph: what Keras records for <c>x + res</c>, <c>ops.concatenate(...)</c> or <c>ops.mean(x, axis=1)</c>
    /// in transformer code. An operation has no weights; it is saved with its class name, its config and, per call, its
    /// positional arguments (tensors and constants), and it runs on concrete tensors like any layer of the graph.
    /// </summary>
    [KerasKind("keras.src.ops.numpy", "operation", ModulePrefixes = new[] { "keras.src.ops", "keras.ops" }, WritesRegisteredName = true)]
    public abstract class Operation : Layer, IMultiInputLayer
    {
        /// <summary>Creates the operation.</summary>
        protected Operation(string? name) : base(name)
        {
        }

        /// <summary>How many positional arguments the call takes (a list argument counts as one).</summary>
        private protected abstract int Arity { get; }

        /// <summary>Whether the first argument is a list of tensors (concatenate, stack).</summary>
        private protected virtual bool TakesList => false;

        /// <summary>The output shape for the arguments' shapes (constants have shape []).</summary>
        private protected abstract long[] OutputShape(IReadOnlyList<long[]> shapes);

        /// <summary>The output's dtype when it is not the compute dtype (comparisons give "bool").</summary>
        private protected virtual string? OutputDtype => null;

        /// <summary>The computation on concrete arguments (constants as 0-d tensors on the tensors' device).</summary>
        private protected abstract Tensor Compute(IReadOnlyList<Tensor> arguments);

        /// <summary>Records a call on symbolic tensors and constants.</summary>
        public KerasTensor Call(params Operand[] arguments)
        {
            EnsureAlive();
            if (arguments is null || (TakesList ? arguments.Length == 0 : arguments.Length != Arity))
                throw new KerasArgumentException($"{KerasClassName} takes {Arity} argument(s); received {arguments?.Length ?? 0}.");
            var tensors = arguments.Where(a => a.Tensor != null).Select(a => a.Tensor!).ToArray();
            if (tensors.Length == 0) throw new KerasArgumentException($"{KerasClassName}: at least one argument must be a tensor.");
            var shapes = arguments.Select(a => a.Tensor?.Shape ?? Array.Empty<long>()).ToArray();
            var output = RecordCall(tensors, OutputShape(shapes), OutputDtype);
            output.CallArguments = arguments.Select(a => a.Tensor == null ? (double?)a.Constant : null).ToArray();
            return output;
        }

        /// <summary>Runs the operation on concrete tensors (the caller owns the result).</summary>
        public Tensor Call(IReadOnlyList<Tensor> tensors) =>
            LayerCalls.Run(this, tensors, cast => Compute(cast!));

        /// <summary>Operations are called on lists of arguments, never through the single-tensor path.</summary>
        protected sealed override Tensor CallCore(Tensor inputs, bool? training) => Compute(new[] { inputs });

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) => OutputShape(new[] { inputShape });

        KerasTensor IMultiInputLayer.CallSaved(SavedCall call)
        {
            call.Ignore("training");
            call.Finish();
            if (TakesList)
            {
                var list = call.Tensors(call.Arg(0) ?? call.Kwarg("xs"), "xs");
                return Call(list.Select(t => (Operand)t).ToArray());
            }
            if (call.Args.Count != Arity)
                throw call.Error($"the operation {KerasClassName} takes {Arity} positional argument(s); the node has {call.Args.Count}.");
            var operands = new Operand[Arity];
            for (int i = 0; i < Arity; i++)
            {
                var arg = call.Args[i];
                if (SavedCall.IsTensor(arg)) operands[i] = call.Tensor(arg, $"argument {i}");
                else if (arg is JsonValue v && v.GetValueKind() == JsonValueKind.Number) operands[i] = v.GetValue<double>();
                else throw call.Error($"argument {i} of {KerasClassName} must be a tensor or a number. Received: {ConfigReader.Describe(arg)}");
            }
            return Call(operands);
        }

        Tensor IMultiInputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, bool? training)
        {
            var constants = node.CallArguments as double?[];
            if (constants == null || constants.All(c => c == null)) return Call(inputs);
            var device = inputs[0].device;
            var dtype = Interop.Dtypes.IsFloating(inputs[0].dtype) ? inputs[0].dtype : Interop.Dtypes.ToScalarType(ComputeDtype);
            var arguments = new List<Tensor>();
            var owned = new List<Tensor>();
            int next = 0;
            try
            {
                foreach (var c in constants)
                {
                    if (c is double value)
                    {
                        var scalar = torch.tensor(value, dtype, device);
                        owned.Add(scalar);
                        arguments.Add(scalar);
                    }
                    else
                    {
                        arguments.Add(inputs[next++]);
                    }
                }
                return Call(arguments);
            }
            finally
            {
                foreach (var t in owned) t.Dispose();
            }
        }

        JsonObject IMultiInputLayer.SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor)
        {
            var args = new JsonArray();
            if (TakesList)
            {
                args.Add(LayerCalls.List(node.SourceInputs, tensor));
            }
            else
            {
                var constants = node.CallArguments as double?[] ?? node.SourceInputs.Select(_ => (double?)null).ToArray();
                int next = 0;
                foreach (var c in constants) args.Add(c is double value ? JsonValue.Create(value) : tensor(node.SourceInputs[next++]));
            }
            return new JsonObject { ["args"] = args, ["kwargs"] = new JsonObject() };
        }

        /// <summary>Numpy broadcasting of shapes (-1 = unknown).</summary>
        private protected KerasArgumentException Incompatible(IEnumerable<long[]> shapes) =>
            new KerasArgumentException($"{KerasClassName}: operands could not be broadcast together with shapes " +
                                       string.Join(" ", shapes.Select(FormatShape)) + ".");

        /// <summary>Numpy broadcasting of two shapes (-1 = unknown).</summary>
        private protected long[] Broadcast(long[] a, long[] b)
        {
            int rank = Math.Max(a.Length, b.Length);
            var result = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                long x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
                long y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
                if (x == y || y == 1) result[i] = x;
                else if (x == 1) result[i] = y;
                else if (x < 0 || y < 0) result[i] = x < 0 ? y : x;
                else throw Incompatible(new[] { a, b });
            }
            return result;
        }

        /// <summary>A config axis list: null, an integer, or a list of integers.</summary>
        private protected static int[]? Axes(ConfigReader c, string key) => c.Has(key) ? c.IntList(key) : Null(c, key);

        private static int[]? Null(ConfigReader c, string key)
        {
            c.Ignore(key);
            return null;
        }

        private protected static JsonNode? AxesJson(int[]? axes) =>
            axes == null ? null : new JsonArray(axes.Select(a => (JsonNode)a).ToArray());

        private protected static long Normalize(int axis, int rank, string op)
        {
            int a = axis < 0 ? axis + rank : axis;
            if (a < 0 || a >= rank) throw new KerasArgumentException($"{op}: axis {axis} is out of bounds for a tensor of rank {rank}.");
            return a;
        }

        /// <summary>Operations write only their name (and their own arguments), as Keras' automatic config does.</summary>
        public override JsonObject GetConfig() => new JsonObject { ["name"] = Name };

        internal static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    }
}

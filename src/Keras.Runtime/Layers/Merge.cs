using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' merge layers (<c>keras.layers.Add</c>, <c>Concatenate</c>, ...): called on a list of tensors, symbolic
    /// (<c>Call(a, b)</c> in a Functional graph) or concrete (<c>Call(new[] { a, b })</c>). Element-wise merges broadcast
    /// dimensions of size 1, as Keras.
    /// </summary>
    public abstract class Merge : Layer
    {
        /// <summary>Creates the layer.</summary>
        protected Merge(string? name) : base(name)
        {
        }

        /// <summary>The fewest inputs the layer accepts.</summary>
        private protected virtual int MinInputs => 1;

        /// <summary>Calls the layer symbolically on several tensors (Keras' <c>layer([a, b])</c>).</summary>
        public KerasTensor Call(params KerasTensor[] inputs)
        {
            EnsureAlive();
            var shapes = CheckCount(inputs).Select(t => t.Shape).ToArray();
            var output = MergeShape(shapes);
            MaybeBuild(shapes[0]);
            return RecordCall(inputs, output);
        }

        /// <summary>
        /// Calls the layer on concrete tensors; the caller owns the result. As a single-input call, float inputs are cast
        /// to the compute dtype (mixed precision) and the call holds the session's read lock.
        /// </summary>
        public Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null)
        {
            GlobalState.SessionLock.EnterReadLock();
            try
            {
                EnsureAlive();
                var list = CheckCount(inputs);
                MergeShape(list.Select(t => t.shape).ToArray());
                MaybeBuild(list[0].shape);
                var computeType = Interop.Dtypes.ToScalarType(ComputeDtype);
                var cast = list.Select(t => t.dtype != computeType && Interop.Dtypes.IsFloating(t.dtype) ? t.to_type(computeType) : null).ToArray();
                try
                {
                    return MergeTensors(list.Select((t, i) => cast[i] ?? t).ToArray());
                }
                finally
                {
                    foreach (var c in cast) c?.Dispose();
                }
            }
            finally
            {
                GlobalState.SessionLock.ExitReadLock();
            }
        }

        private IReadOnlyList<T> CheckCount<T>(IReadOnlyList<T>? inputs) where T : class
        {
            if (inputs == null || inputs.Count < MinInputs || inputs.Any(i => i is null))
                throw new KerasArgumentException(
                    $"A merge layer should be called on a list of at least {MinInputs} input{(MinInputs == 1 ? "" : "s")}. Got {inputs?.Count ?? 0} inputs.");
            return inputs;
        }

        /// <summary>A merge layer needs a list of inputs: a single tensor is a usage error.</summary>
        protected sealed override Tensor CallCore(Tensor inputs, bool? training) =>
            throw new KerasArgumentException($"A merge layer should be called on a list of inputs. Received: inputs={FormatShape(inputs.shape)} (not a list)");

        /// <summary>The output shape for the input shapes; throws when they are incompatible.</summary>
        private protected abstract long[] MergeShape(IReadOnlyList<long[]> shapes);

        /// <summary>The computation.</summary>
        private protected abstract Tensor MergeTensors(IReadOnlyList<Tensor> inputs);

        /// <summary>Keras' element-wise rule: equal ranks, each dimension equal, 1 (broadcast) or unknown.</summary>
        private protected long[] BroadcastShape(IReadOnlyList<long[]> shapes)
        {
            var result = (long[])shapes[0].Clone();
            foreach (var shape in shapes.Skip(1))
            {
                if (shape.Length != result.Length) throw Incompatible(shapes);
                for (int i = 0; i < result.Length; i++)
                {
                    long a = result[i], b = shape[i];
                    if (a == b || b == 1) continue;
                    if (a == 1 || a < 0) result[i] = b;
                    else if (b >= 0) throw Incompatible(shapes);
                }
            }
            return result;
        }

        private protected KerasArgumentException Incompatible(IReadOnlyList<long[]> shapes) =>
            new KerasArgumentException($"Inputs have incompatible shapes. Received shapes {string.Join(" and ", shapes.Select(FormatShape))} (layer '{Name}').");

        /// <summary>Applies <paramref name="op"/> pairwise, disposing the intermediate results.</summary>
        private protected static Tensor Fold(IReadOnlyList<Tensor> inputs, Func<Tensor, Tensor, Tensor> op)
        {
            Tensor acc = inputs[0].alias();
            for (int i = 1; i < inputs.Count; i++)
            {
                var next = op(acc, inputs[i]);
                acc.Dispose();
                acc = next;
            }
            return acc;
        }
    }

    /// <summary><c>keras.layers.Add()</c>: the element-wise sum.</summary>
    public sealed class Add : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Add(string? name = null) : base(name) { }
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => a.add(b));
    }

    /// <summary><c>keras.layers.Subtract()</c>: the first input minus the second (exactly two inputs).</summary>
    public sealed class Subtract : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Subtract(string? name = null) : base(name) { }
        private protected override int MinInputs => 2;
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes)
        {
            if (shapes.Count != 2) throw new KerasArgumentException($"A `Subtract` layer should be called on exactly 2 inputs. Received: {shapes.Count} inputs");
            return BroadcastShape(shapes);
        }
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => inputs[0].sub(inputs[1]);
    }

    /// <summary><c>keras.layers.Multiply()</c>: the element-wise product.</summary>
    public sealed class Multiply : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Multiply(string? name = null) : base(name) { }
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => a.mul(b));
    }

    /// <summary><c>keras.layers.Average()</c>: the element-wise mean.</summary>
    public sealed class Average : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Average(string? name = null) : base(name) { }
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs)
        {
            using var sum = Fold(inputs, (a, b) => a.add(b));
            return sum.div(inputs.Count);
        }
    }

    /// <summary><c>keras.layers.Maximum()</c>: the element-wise maximum.</summary>
    public sealed class Maximum : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Maximum(string? name = null) : base(name) { }
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => torch.maximum(a, b));
    }

    /// <summary><c>keras.layers.Minimum()</c>: the element-wise minimum.</summary>
    public sealed class Minimum : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Minimum(string? name = null) : base(name) { }
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => torch.minimum(a, b));
    }

    /// <summary><c>keras.layers.Concatenate(axis=-1)</c>: joins the inputs along <see cref="Axis"/>.</summary>
    public sealed class Concatenate : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Concatenate(int axis = -1, string? name = null) : base(name) => Axis = axis;

        /// <summary>The concatenation axis (negative counts from the end).</summary>
        public int Axis { get; }

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
    }
}

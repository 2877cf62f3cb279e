using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
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
    public abstract class Merge : Layer, IMultiInputLayer
    {
        /// <summary>Creates the layer.</summary>
        protected Merge(string? name, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
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
        /// Calls the layer on concrete tensors; the caller owns the result. As a single-input call, float inputs are cast to
        /// the compute dtype (mixed precision) and the call holds the session's read lock.
        /// </summary>
        public Tensor Call(IReadOnlyList<Tensor> inputs, bool? training = null)
        {
            EnsureAlive();
            var list = CheckCount(inputs);
            MergeShape(list.Select(t => t.shape).ToArray());
            MaybeBuild(list[0].shape);
            return LayerCalls.Run(this, list, cast => MergeTensors(cast!));
        }

        KerasTensor IMultiInputLayer.CallSaved(SavingLib.SavedCall call)
        {
            call.Ignore("training");
            call.ExpectNone("mask", "input masks");
            var inputs = call.Tensors(call.Arg(0) ?? call.Kwarg("inputs"), "inputs");
            call.Finish();
            return Call(inputs.ToArray());
        }

        Tensor IMultiInputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, bool? training) => Call(inputs, training);

        /// <inheritdoc />
        public override bool SupportsMasking => true;

        Tensor? IMultiInputLayer.ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) =>
            masks.All(m => m is null) ? null : MergeMasks(inputs, masks);

        /// <summary>
        /// Keras' Merge.compute_mask: a step is kept only where every input that carries a mask keeps it. Concatenate
        /// has its own rule.
        /// </summary>
        private protected virtual Tensor MergeMasks(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks)
        {
            Tensor? all = null;
            foreach (var mask in masks)
            {
                if (mask is null) continue;
                using var b = mask.to_type(ScalarType.Bool);
                var next = all is null ? b.clone() : all.logical_and(b);
                all?.Dispose();
                all = next;
            }
            return all!;
        }

        JsonObject IMultiInputLayer.SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor) =>
            new JsonObject { ["args"] = new JsonArray(LayerCalls.List(node.SourceInputs, tensor)), ["kwargs"] = new JsonObject() };

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
}

using System;
using System.Linq;

namespace Keras
{
    /// <summary>
    /// A symbolic tensor: a shape and dtype flowing through layer calls without data, as produced by
    /// <see cref="Layers.Input"/> and by calling a layer on another KerasTensor. Dimensions of -1 are unknown
    /// (Keras' None), typically the batch dimension.
    /// </summary>
    public class KerasTensor
    {
        /// <summary>Creates a symbolic tensor.</summary>
        public KerasTensor(long[] shape, string? dtype = null, string? name = null)
        {
            Shape = (long[])(shape ?? throw new ArgumentNullException(nameof(shape))).Clone();
            Dtype = dtype ?? Config.Floatx();
            Name = name;
        }

        /// <summary>The shape; -1 for unknown dimensions.</summary>
        public long[] Shape { get; }

        /// <summary>The dtype name, e.g. "float32".</summary>
        public string Dtype { get; }

        /// <summary>An optional name.</summary>
        public string? Name { get; }

        /// <summary>The layer that produced this tensor, or null for an input.</summary>
        public Layers.Layer? SourceLayer { get; internal set; }

        /// <summary>The symbolic tensor that layer was called on (the first one for a merge layer), or null for an input.</summary>
        public KerasTensor? SourceInput { get; internal set; }

        /// <summary>Every symbolic tensor the layer was called on, in order (several for merge layers).</summary>
        internal System.Collections.Generic.IReadOnlyList<KerasTensor> SourceInputs
        {
            get => _sourceInputs ?? (SourceInput == null ? Array.Empty<KerasTensor>() : new[] { SourceInput });
            set => _sourceInputs = value;
        }

        private System.Collections.Generic.IReadOnlyList<KerasTensor>? _sourceInputs;

        /// <summary>
        /// Which output of its call this tensor is (Keras' <c>tensor_index</c> in <c>keras_history</c>): 0 for the first, 1 and
        /// on for the further outputs of a call that gives several (an RNN's states with <c>return_state</c>).
        /// </summary>
        internal int TensorIndex { get; private set; }

        /// <summary>
        /// The call's first output, which stands for the call (the graph's node) whatever output of it this tensor is; the
        /// tensor itself for single-output calls and inputs.
        /// </summary>
        internal KerasTensor Node => _node ?? this;

        private KerasTensor? _node;

        /// <summary>Every output of the call, in order, on the node (<see cref="Node"/>); null for single-output calls.</summary>
        internal KerasTensor[]? NodeOutputs { get; private set; }

        /// <summary>Makes <paramref name="outputs"/> the outputs of one call: the first stands for the call, the rest point to it.</summary>
        internal static void JoinOutputs(KerasTensor[] outputs)
        {
            if (outputs.Length < 2) return;
            outputs[0].NodeOutputs = outputs;
            for (int i = 1; i < outputs.Length; i++)
            {
                outputs[i]._node = outputs[0];
                outputs[i].TensorIndex = i;
            }
        }

        /// <summary>
        /// Settings of the call that made this tensor beyond its inputs (Attention's <c>use_causal_mask</c>), owned by the
        /// source layer, which reads them back when the graph runs or is saved. Null for most calls.
        /// </summary>
        internal object? CallArguments { get; set; }

        /// <summary>
        /// The <c>training</c> argument the call that made this tensor was given (Keras' <c>base_model(x, training=False)</c>),
        /// or null when none was. Functional graphs run that call in that mode whatever mode the whole model runs in, and
        /// save it in the node's kwargs as Keras does (<c>{"training": false}</c>).
        /// </summary>
        public bool? CallTraining { get; internal set; }

        /// <summary><c>x + y</c> on symbolic tensors records Keras' Add operation (<c>keras.ops.add</c>), as Keras 3 does.</summary>
        public static KerasTensor operator +(KerasTensor x, KerasTensor y) => new Ops.Add().Call(x, y);

        /// <summary><c>x + c</c>: Keras' Add operation with a constant.</summary>
        public static KerasTensor operator +(KerasTensor x, double c) => new Ops.Add().Call(x, c);

        /// <summary><c>x - y</c>: Keras' Subtract operation.</summary>
        public static KerasTensor operator -(KerasTensor x, KerasTensor y) => new Ops.Subtract().Call(x, y);

        /// <summary><c>x - c</c>: Keras' Subtract operation with a constant.</summary>
        public static KerasTensor operator -(KerasTensor x, double c) => new Ops.Subtract().Call(x, c);

        /// <summary><c>x * y</c>: Keras' Multiply operation.</summary>
        public static KerasTensor operator *(KerasTensor x, KerasTensor y) => new Ops.Multiply().Call(x, y);

        /// <summary><c>x * c</c>: Keras' Multiply operation with a constant.</summary>
        public static KerasTensor operator *(KerasTensor x, double c) => new Ops.Multiply().Call(x, c);

        /// <summary><c>c * x</c>: Keras' Multiply operation with the constant first.</summary>
        public static KerasTensor operator *(double c, KerasTensor x) => new Ops.Multiply().Call(c, x);

        /// <summary><c>x / y</c>: Keras' Divide operation.</summary>
        public static KerasTensor operator /(KerasTensor x, KerasTensor y) => new Ops.Divide().Call(x, y);

        /// <summary><c>x / c</c>: Keras' Divide operation with a constant.</summary>
        public static KerasTensor operator /(KerasTensor x, double c) => new Ops.Divide().Call(x, c);

        /// <summary><c>-x</c>: Keras' Negative operation.</summary>
        public static KerasTensor operator -(KerasTensor x) => new Ops.Negative().Call(x);

        /// <inheritdoc />
        public override string ToString() =>
            $"<KerasTensor shape=({string.Join(", ", Shape.Select(d => d < 0 ? "None" : d.ToString()))}{(Shape.Length == 1 ? "," : "")}), dtype={Dtype}" +
            (Name != null ? $", name={Name}" : "") + ">";
    }
}

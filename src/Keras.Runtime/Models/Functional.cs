using System;
using System.Collections.Generic;
using System.Linq;
using Keras.Errors;
using Keras.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>
    /// Keras' Functional model, <c>keras.Model(inputs, outputs)</c>: the graph from an <see cref="Layers.Input"/>
    /// through layer calls on symbolic tensors to an output. Intermediate layers' <see cref="Layer.Output"/> can be the
    /// output of another model that shares their weights (feature extraction, Keras FAQ). Single input and output.
    /// </summary>
    public sealed class Functional : Model
    {
        private readonly List<Layer> _layers = new List<Layer>();
        private readonly List<KerasTensor> _order = new List<KerasTensor>(); // produced tensors, inputs before users

        /// <summary>Creates the model from its symbolic input and output.</summary>
        public Functional(KerasTensor inputs, KerasTensor outputs, string? name = null) : base(name ?? State.Naming.AutoName("functional"))
        {
            InputTensor = inputs ?? throw new KerasArgumentException("`inputs` must be a KerasTensor (for example a keras Input).", nameof(inputs));
            OutputTensor = outputs ?? throw new KerasArgumentException("`outputs` must be a KerasTensor produced from `inputs` by layer calls.", nameof(outputs));
            var chain = new List<KerasTensor>();
            for (var t = outputs; !ReferenceEquals(t, inputs); t = t.SourceInput!)
            {
                if (t.SourceLayer == null || t.SourceInput == null)
                    throw new KerasArgumentException(
                        "The outputs of a Functional model must come from Keras layers called on its inputs: " +
                        $"{outputs} is not reachable from {inputs}.", nameof(outputs));
                chain.Add(t);
            }
            chain.Reverse();
            _order.AddRange(chain);
            foreach (var t in chain)
                if (!_layers.Contains(t.SourceLayer!)) _layers.Add(t.SourceLayer!);
            var duplicate = _layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
            if (duplicate != null)
                throw new KerasArgumentException($"The name \"{duplicate.Key}\" is used {duplicate.Count()} times in the model. All operation names should be unique.");
            MaybeBuild(inputs.Shape);
        }

        /// <summary>The model's symbolic input (Keras' <c>model.input</c>).</summary>
        public KerasTensor InputTensor { get; }

        /// <summary>The model's symbolic output (Keras' <c>model.output</c>).</summary>
        public KerasTensor OutputTensor { get; }

        /// <inheritdoc />
        public override IReadOnlyList<Layer> Layers => _layers.ToArray();

        /// <summary>The tensors the layers produce, inputs before their users (the order a config lists the layers in).</summary>
        internal IReadOnlyList<KerasTensor> OrderedOutputs => _order.ToArray();

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            long[] shape = inputShape;
            foreach (var t in _order) shape = t.SourceLayer!.ComputeOutputShape(shape);
            return shape;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            return RunChain(_order.Select(t => t.SourceLayer!), inputs, training);
        }

        private protected override void DisposeChildren()
        {
            // Layers can be shared with other functional models (feature extraction): they are released by
            // ClearSession or their own Dispose, not by disposing one model that uses them.
        }
    }
}

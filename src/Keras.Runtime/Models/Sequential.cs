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
    /// <c>keras.Sequential(layers=None, name=None)</c>: a plain stack of layers, each taking the previous one's
    /// output. Layer names must be unique within the model.
    /// </summary>
    [SavingLib.KerasClass("Sequential", Module = "keras")]
    public class Sequential : Model
    {
        private readonly List<Layer> _layers = new List<Layer>();

        /// <summary>Creates the model, adding <paramref name="layers"/> in order.</summary>
        public Sequential(IEnumerable<Layer>? layers = null, string? name = null, bool trainable = true)
            : base(name, trainable)
        {
            if (layers != null)
                foreach (var layer in layers) Add(layer);
        }

        /// <inheritdoc />
        public override IReadOnlyList<Layer> Layers => _layers.ToArray();

        /// <summary>Keras' Sequential config: the base keys, the layers (led by an InputLayer once built) and build_input_shape.</summary>
        public override System.Text.Json.Nodes.JsonObject GetConfig()
        {
            var c = base.GetConfig();
            SavingLib.ModelSerialization.SequentialConfig(this, c);
            return c;
        }

        internal static Sequential FromConfig(SavingLib.ConfigReader config) => SavingLib.ModelSerialization.SequentialFromConfig(config);

        /// <summary>Adds a layer on top of the stack.</summary>
        public void Add(Layer layer)
        {
            EnsureAlive();
            if (layer is null)
                throw new KerasArgumentException("Only instances of `keras.Layer` can be added to a Sequential model. Received: None", nameof(layer));
            layer.EnsureAlive();
            if (ReferenceEquals(layer, this))
                throw new KerasArgumentException("A Sequential model cannot be added to itself.", nameof(layer));
            if (_layers.Any(l => l.Name == layer.Name))
                throw new KerasArgumentException(
                    "All layers added to a Sequential model should have unique names. Name '" + layer.Name +
                    "' is already the name of a layer in this model. Update the `name` argument to pass a unique name.", nameof(layer));
            _layers.Add(layer);
            if (!Trainable) layer.Trainable = false;
            if (Built && BuildInputShape != null) layer.MaybeBuild(OutputShapeBefore(_layers.Count - 1, BuildInputShape));
        }

        /// <summary>Removes the last layer (Keras' pop).</summary>
        public Layer Pop()
        {
            EnsureAlive();
            if (_layers.Count == 0) throw new KerasArgumentException("There are no layers in the model.");
            var last = _layers[_layers.Count - 1];
            _layers.RemoveAt(_layers.Count - 1);
            return last;
        }

        /// <summary>Builds every layer for inputs of <paramref name="inputShape"/> (batch dimension included, -1 if unknown).</summary>
        protected override void BuildCore(long[] inputShape)
        {
            if (_layers.Count == 0)
                throw new KerasArgumentException($"Sequential model '{Name}' has no layers yet. Add layers before building it.");
            long[] shape = inputShape;
            foreach (var layer in _layers)
            {
                layer.MaybeBuild(shape);
                shape = layer.ComputeOutputShape(shape);
            }
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            long[] shape = inputShape;
            foreach (var layer in _layers) shape = layer.ComputeOutputShape(shape);
            return shape;
        }

        private long[] OutputShapeBefore(int index, long[] inputShape)
        {
            long[] shape = inputShape;
            for (int i = 0; i < index; i++) shape = _layers[i].ComputeOutputShape(shape);
            return shape;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            if (_layers.Count == 0)
                throw new KerasArgumentException($"Sequential model '{Name}' has no layers; add layers before calling it.");
            return RunChain(_layers, inputs, training);
        }

        /// <inheritdoc />
        private protected override Tensor CallMasked(Tensor inputs, Tensor? mask, bool? training, bool wantMask, out Tensor? outputMask)
        {
            if (_layers.Count == 0)
                throw new KerasArgumentException($"Sequential model '{Name}' has no layers; add layers before calling it.");
            var y = RunChain(_layers, inputs, mask, training, out outputMask);
            if (!wantMask)
            {
                outputMask?.Dispose();
                outputMask = null;
            }
            return y;
        }
    }
}

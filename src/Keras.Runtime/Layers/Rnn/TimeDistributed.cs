using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.TimeDistributed(layer)</c>: applies <c>layer</c> to every time step of inputs
    /// (batch, time, ...), one step after another as Keras does (so layers with batch statistics see one step at a
    /// time), and stacks the results on axis 1. The inner layer's weights are saved in <c>layer/vars</c>; the input's
    /// mask passes through.
    /// </summary>
    [KerasClass("TimeDistributed")]
    public sealed class TimeDistributed : Layer
    {
        /// <summary>Creates the layer.</summary>
        public TimeDistributed(Layer layer, string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            Layer = layer ?? throw new KerasArgumentException("Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: None",
                nameof(layer));
            if (!trainable) Trainable = false;
        }

        /// <summary>The wrapped layer.</summary>
        public Layer Layer { get; }

        /// <inheritdoc />
        public override bool Trainable
        {
            get => base.Trainable;
            set
            {
                base.Trainable = value;
                if (Layer != null) Layer.Trainable = value;
            }
        }

        /// <inheritdoc />
        public override IReadOnlyList<KerasVariable> TrainableWeights => Layer.TrainableWeights;

        /// <inheritdoc />
        public override IReadOnlyList<KerasVariable> NonTrainableWeights => Layer.NonTrainableWeights;

        internal override IReadOnlyList<(string Path, Layer Layer)> SavedSublayers() => new (string, Layer)[] { ("layer", Layer) };

        internal override IReadOnlyList<Generator> RandomGenerators => Layer.RandomGenerators;

        /// <summary>Keras' Wrapper config: the inner layer under <c>layer</c>.</summary>
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["layer"] = ModelSerialization.SerializeLayer(Layer);
            return c;
        }

        internal static TimeDistributed FromConfig(ConfigReader c)
        {
            if (c.Raw("layer") is not JsonObject layer) throw c.Error("layer", "a serialized layer (an object)");
            return new TimeDistributed(ModelSerialization.DeserializeLayer(layer, c.Source), c.Name);
        }

        private static long[] ChildShape(long[] inputShape)
        {
            if (inputShape.Length < 3)
                throw new KerasArgumentException(
                    $"`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, received: {FormatShape(inputShape)}");
            return new[] { inputShape[0] }.Concat(inputShape.Skip(2)).ToArray();
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => Layer.MaybeBuild(ChildShape(inputShape));

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape) => ChildShape(inputShape);

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var child = Layer.ComputeOutputShape(ChildShape(inputShape));
            return new[] { child[0], inputShape[1] }.Concat(child.Skip(1)).ToArray();
        }

        /// <inheritdoc />
        public override bool SupportsMasking => true;

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => CallCoreWithMask(inputs, null, training);

        /// <inheritdoc />
        protected override Tensor CallCoreWithMask(Tensor inputs, Tensor? mask, bool? training)
        {
            if (mask is not null)
            {
                var m = mask.shape;
                if (m.Length < 2)
                    throw new KerasArgumentException(
                        $"The `mask` passed to the `TimeDistributed` layer must be at least 2D (e.g., `(batch_size, timesteps)`), but it has {m.Length} dimension(s) with shape {FormatShape(m)}.");
                if (m[0] != inputs.shape[0] || m[1] != inputs.shape[1])
                    throw new KerasArgumentException(
                        $"The `mask` passed to the `TimeDistributed` layer has a shape {FormatShape(m)} that is incompatible with the input shape " +
                        $"{FormatShape(inputs.shape)}. The first two dimensions of the mask (batch size and timesteps) must match the input's first two dimensions.");
            }
            long steps = inputs.shape[1];
            var outputs = new Tensor[steps];
            try
            {
                for (long t = 0; t < steps; t++)
                {
                    using var step = inputs.select(1, t);
                    outputs[t] = Layer.Call(step, training);
                }
                return torch.stack(outputs, 1);
            }
            finally
            {
                foreach (var output in outputs) output?.Dispose();
            }
        }

        private protected override void DisposeChildren() => Layer.Dispose();
    }
}

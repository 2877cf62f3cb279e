using System;
using System.Collections.Generic;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.GRU(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    /// return_sequences=False, stateful=False, reset_after=True)</c> on inputs (batch, time, features), with Keras'
    /// layout and gate order (z, r, h): kernel (features, 3·units), recurrent_kernel (units, 3·units), bias (2, 3·units)
    /// holding the input and the recurrent bias. <c>h = z * h_prev + (1 - z) * tanh(x_h + r * (h_prev U_h + b_h))</c>.
    /// </summary>
    public sealed class GRU : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly Func<Tensor, Tensor> _recurrentActivation;
        private Tensor? _h;

        /// <summary>Creates the layer.</summary>
        public GRU(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true,
            bool returnSequences = false, bool stateful = false, string? name = null) : base(name)
        {
            if (units <= 0)
                throw new KerasArgumentException($"Received an invalid value for argument `units`, expected a positive integer, got {units}.", nameof(units));
            Units = units;
            _activation = Activations.Get(activation);
            _recurrentActivation = Activations.Get(recurrentActivation);
            UseBias = useBias;
            ReturnSequences = returnSequences;
            Stateful = stateful;
        }

        /// <summary>Output size.</summary>
        public int Units { get; }
        /// <summary>Whether biases are added.</summary>
        public bool UseBias { get; }
        /// <summary>Return every step's output.</summary>
        public bool ReturnSequences { get; }
        /// <summary>Carry the state between calls.</summary>
        public bool Stateful { get; }
        /// <summary>Kernel (features, 3·units).</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Recurrent kernel (units, 3·units).</summary>
        public KerasVariable? RecurrentKernel { get; private set; }
        /// <summary>Bias (2, 3·units): input bias, recurrent bias.</summary>
        public KerasVariable? Bias { get; private set; }
        /// <summary>The carried state of a stateful layer, or null.</summary>
        public Tensor? State => _h;

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim=3, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            Kernel = AddWeight("kernel", new[] { inputShape[2], 3L * Units }, new GlorotUniform());
            RecurrentKernel = AddWeight("recurrent_kernel", new[] { (long)Units, 3L * Units }, new Orthogonal());
            if (UseBias) Bias = AddWeight("bias", new[] { 2L, 3L * Units }, new Zeros());
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) =>
            ReturnSequences ? new[] { inputShape[0], inputShape[1], Units } : new[] { inputShape[0], (long)Units };

        /// <summary>Keras' <c>reset_states()</c>.</summary>
        public void ResetStates()
        {
            _h?.Dispose();
            _h = null;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            long batch = inputs.shape[0], steps = inputs.shape[1];
            var type = Dtypes.ToScalarType(ComputeDtype);
            if (Stateful && _h is not null && _h.shape[0] != batch)
                throw new KerasArgumentException(
                    $"Layer \"{Name}\" is stateful and was called with batch size {_h.shape[0]}; received batch size {batch}. " +
                    "A stateful RNN needs a fixed batch size: use the same batch size, or call ResetStates() first.");
            using var kernel = Kernel!.Value.to_type(type);
            using var recurrent = RecurrentKernel!.Value.to_type(type);
            using var bias = UseBias ? Bias!.Value.to_type(type) : null;
            using var inputBias = bias?.select(0, 0);
            using var recurrentBias = bias?.select(0, 1);
            using var flat = inputs.reshape(batch * steps, -1);
            using var projected = inputBias is null ? flat.matmul(kernel) : torch.addmm(inputBias, flat, kernel, beta: 1, alpha: 1);
            using var xz = projected.reshape(batch, steps, 3L * Units);
            Tensor h = Stateful && _h is not null ? _h.to_type(type) : torch.zeros(new[] { batch, (long)Units }, type);
            var outputs = ReturnSequences ? new List<Tensor>((int)steps) : null;
            bool hInOutputs = false;
            try
            {
                for (long t = 0; t < steps; t++)
                {
                    using var step = xz.select(1, t);
                    using var hu = recurrentBias is null ? h.matmul(recurrent) : torch.addmm(recurrentBias, h, recurrent, beta: 1, alpha: 1);
                    var xs = step.chunk(3, 1);
                    var hs = hu.chunk(3, 1);
                    try
                    {
                        using var zSum = xs[0].add(hs[0]);
                        using var rSum = xs[1].add(hs[1]);
                        using var z = _recurrentActivation(zSum);
                        using var r = _recurrentActivation(rSum);
                        using var gated = r.mul(hs[2]);
                        using var candidateSum = xs[2].add(gated);
                        using var candidate = _activation(candidateSum);
                        using var keep = z.mul(h);
                        using var oneMinusZ = z.neg().add_(1);
                        using var write = oneMinusZ.mul(candidate);
                        var hNext = keep.add(write);
                        if (!hInOutputs) h.Dispose();
                        h = hNext;
                        if (outputs != null)
                        {
                            outputs.Add(h);
                            hInOutputs = true;
                        }
                    }
                    finally
                    {
                        foreach (var part in xs) part.Dispose();
                        foreach (var part in hs) part.Dispose();
                    }
                }
                if (Stateful)
                {
                    ResetStates();
                    _h = h.detach().clone().DetachFromDisposeScope();
                }
                if (outputs == null) return h;
                if (outputs.Count == 0) throw new KerasArgumentException($"Layer \"{Name}\" received a sequence with no time steps.");
                return torch.stack(outputs, 1);
            }
            finally
            {
                if (outputs != null) foreach (var output in outputs) output.Dispose();
            }
        }
    }
}

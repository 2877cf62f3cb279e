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
    /// <c>keras.layers.LSTM(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    /// unit_forget_bias=True, return_sequences=False, stateful=False)</c> on inputs (batch, time, features). Weights use
    /// Keras' layout and gate order (i, f, c, o): kernel (features, 4·units) glorot-uniform, recurrent_kernel
    /// (units, 4·units) orthogonal, bias zeros with the forget gate at 1. A stateful layer carries its last states to the
    /// next call (same batch size required) until <see cref="ResetStates"/>.
    /// </summary>
    public sealed class LSTM : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly Func<Tensor, Tensor> _recurrentActivation;
        private Tensor? _h;
        private Tensor? _c;

        /// <summary>Creates the layer.</summary>
        public LSTM(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true, bool unitForgetBias = true,
            bool returnSequences = false, bool stateful = false, string? name = null) : base(name)
        {
            if (units <= 0)
                throw new KerasArgumentException($"Received an invalid value for argument `units`, expected a positive integer, got {units}.", nameof(units));
            Units = units;
            _activation = Activations.Get(activation);
            _recurrentActivation = Activations.Get(recurrentActivation);
            UseBias = useBias;
            UnitForgetBias = unitForgetBias;
            ReturnSequences = returnSequences;
            Stateful = stateful;
        }

        /// <summary>Output size.</summary>
        public int Units { get; }
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <summary>Forget-gate bias initialised to 1.</summary>
        public bool UnitForgetBias { get; }
        /// <summary>Return every step's output (batch, time, units) instead of the last (batch, units).</summary>
        public bool ReturnSequences { get; }
        /// <summary>Carry states between calls.</summary>
        public bool Stateful { get; }
        /// <summary>Kernel (features, 4·units).</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Recurrent kernel (units, 4·units).</summary>
        public KerasVariable? RecurrentKernel { get; private set; }
        /// <summary>Bias (4·units).</summary>
        public KerasVariable? Bias { get; private set; }

        /// <summary>The carried hidden state of a stateful layer (null before the first call or after ResetStates).</summary>
        public Tensor? State => _h;

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length != 3)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim=3, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            long features = inputShape[2];
            Kernel = AddWeight("kernel", new[] { features, 4L * Units }, new GlorotUniform());
            RecurrentKernel = AddWeight("recurrent_kernel", new[] { (long)Units, 4L * Units }, new Orthogonal());
            if (UseBias) Bias = AddWeight("bias", new[] { 4L * Units }, new ForgetBias(Units, UnitForgetBias));
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) =>
            ReturnSequences ? new[] { inputShape[0], inputShape[1], Units } : new[] { inputShape[0], (long)Units };

        /// <summary>Keras' <c>reset_states()</c>: a stateful layer starts from zeros again.</summary>
        public void ResetStates()
        {
            _h?.Dispose();
            _c?.Dispose();
            _h = null;
            _c = null;
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
            using var projected = UseBias ? torch.addmm(Bias!.Value.to_type(type), inputs.reshape(batch * steps, -1), kernel, beta: 1, alpha: 1)
                                          : inputs.reshape(batch * steps, -1).matmul(kernel);
            using var xz = projected.reshape(batch, steps, 4L * Units);
            Tensor h = Stateful && _h is not null ? _h.to_type(type) : torch.zeros(new[] { batch, (long)Units }, type);
            Tensor c = Stateful && _c is not null ? _c.to_type(type) : torch.zeros(new[] { batch, (long)Units }, type);
            var outputs = ReturnSequences ? new List<Tensor>((int)steps) : null;
            bool hInOutputs = false; // once h is an output, the list owns it
            try
            {
                for (long t = 0; t < steps; t++)
                {
                    using var step = xz.select(1, t);
                    using var recurrentPart = h.matmul(recurrent);
                    using var z = step.add(recurrentPart);
                    var gates = z.chunk(4, 1);
                    try
                    {
                        using var i = _recurrentActivation(gates[0]);
                        using var f = _recurrentActivation(gates[1]);
                        using var g = _activation(gates[2]);
                        using var o = _recurrentActivation(gates[3]);
                        using var keep = f.mul(c);
                        using var write = i.mul(g);
                        var cNext = keep.add(write);
                        using var cActivated = _activation(cNext);
                        var hNext = o.mul(cActivated);
                        c.Dispose();
                        c = cNext;
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
                        foreach (var gate in gates) gate.Dispose();
                    }
                }
                if (Stateful)
                {
                    ResetStates();
                    _h = h.detach().clone().DetachFromDisposeScope();
                    _c = c.detach().clone().DetachFromDisposeScope();
                }
                if (outputs == null) return h;
                if (outputs.Count == 0)
                    throw new KerasArgumentException($"Layer \"{Name}\" received a sequence with no time steps.");
                return torch.stack(outputs, 1);
            }
            finally
            {
                c.Dispose();
                if (outputs != null) foreach (var output in outputs) output.Dispose();
            }
        }

        /// <summary>Zeros, with the forget-gate quarter set to one (Keras' unit_forget_bias).</summary>
        private sealed class ForgetBias : Initializer
        {
            private readonly int _units;
            private readonly bool _forgetOnes;

            public ForgetBias(int units, bool forgetOnes)
            {
                _units = units;
                _forgetOnes = forgetOnes;
            }

            public override Tensor Call(long[] shape, string dtype)
            {
                var bias = torch.zeros(shape, Dtypes.ToScalarType(dtype));
                if (_forgetOnes)
                    using (var forget = bias.narrow(0, _units, _units)) forget.fill_(1);
                return bias;
            }
        }
    }
}

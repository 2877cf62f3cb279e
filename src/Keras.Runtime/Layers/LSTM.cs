using Keras.Initializers;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.LSTM(units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
    /// unit_forget_bias=True, return_sequences=False, stateful=False)</c> on inputs (batch, time, features). Weights use
    /// Keras' layout and gate order (i, f, c, o): kernel (features, 4·units) glorot-uniform, recurrent_kernel
    /// (units, 4·units) orthogonal, bias zeros with the forget gate at 1.
    /// </summary>
    public sealed class LSTM : Recurrent
    {
        private Tensor? _recurrent;

        /// <summary>Creates the layer.</summary>
        public LSTM(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true, bool unitForgetBias = true,
            bool returnSequences = false, bool stateful = false, string? name = null)
            : base(units, activation, recurrentActivation, useBias, returnSequences, stateful, name) => UnitForgetBias = unitForgetBias;

        /// <summary>Forget-gate bias initialised to 1.</summary>
        public bool UnitForgetBias { get; }
        /// <summary>Kernel (features, 4·units).</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Recurrent kernel (units, 4·units).</summary>
        public KerasVariable? RecurrentKernel { get; private set; }
        /// <summary>Bias (4·units).</summary>
        public KerasVariable? Bias { get; private set; }

        private protected override int StateCount => 2; // h, c

        private protected override void BuildWeights(long features)
        {
            Kernel = AddWeight("kernel", new[] { features, 4L * Units }, new GlorotUniform());
            RecurrentKernel = AddWeight("recurrent_kernel", new[] { (long)Units, 4L * Units }, new Orthogonal());
            if (UseBias) Bias = AddWeight("bias", new[] { 4L * Units }, new ForgetBias(Units, UnitForgetBias));
        }

        private protected override Tensor ProjectInputs(Tensor flatInputs, ScalarType type)
        {
            _recurrent = RecurrentKernel!.Value.to_type(type);
            using var kernel = Kernel!.Value.to_type(type);
            if (!UseBias) return flatInputs.matmul(kernel);
            using var bias = Bias!.Value.to_type(type);
            return torch.addmm(bias, flatInputs, kernel, beta: 1, alpha: 1);
        }

        private protected override Tensor[] Step(Tensor projectedStep, Tensor[] states, ScalarType type)
        {
            using var recurrentPart = states[0].matmul(_recurrent!);
            using var z = projectedStep.add(recurrentPart);
            var gates = z.chunk(4, 1);
            try
            {
                using var i = RecurrentActivation(gates[0]);
                using var f = RecurrentActivation(gates[1]);
                using var g = Activation(gates[2]);
                using var o = RecurrentActivation(gates[3]);
                using var keep = f.mul(states[1]);
                using var write = i.mul(g);
                var c = keep.add(write);
                using var cActivated = Activation(c);
                return new[] { o.mul(cActivated), c };
            }
            finally
            {
                foreach (var gate in gates) gate.Dispose();
            }
        }

        private protected override void EndCall()
        {
            _recurrent?.Dispose();
            _recurrent = null;
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
                var bias = torch.zeros(shape, Interop.Dtypes.ToScalarType(dtype));
                if (_forgetOnes)
                    using (var forget = bias.narrow(0, _units, _units)) forget.fill_(1);
                return bias;
            }
        }
    }
}

using System.Text.Json.Nodes;
using Keras.Initializers;
using Keras.SavingLib;
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
    [KerasClass("LSTM")]
    public sealed class LSTM : Recurrent
    {
        private Tensor? _recurrent;

        /// <summary>Creates the layer.</summary>
        public LSTM(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true, bool unitForgetBias = true,
            bool returnSequences = false, bool stateful = false, bool returnState = false, bool goBackwards = false, double dropout = 0,
            double recurrentDropout = 0, int? seed = null, string? name = null, RecurrentOptions? options = null)
            : base(units, activation, recurrentActivation, useBias, returnSequences, stateful, name, options, returnState, goBackwards, dropout, recurrentDropout, seed) =>
            UnitForgetBias = unitForgetBias;

        private protected override void AddCellConfig(JsonObject c) => c["unit_forget_bias"] = UnitForgetBias;

        internal static LSTM FromConfig(ConfigReader c)
        {
            var options = ReadOptions(c);
            return new LSTM(c.Int("units", min: 1), c.Activation("activation", "tanh")!, c.Activation("recurrent_activation", "sigmoid")!, c.Bool("use_bias", true),
                c.Bool("unit_forget_bias", true), c.Bool("return_sequences", false), c.Bool("stateful", false), c.Bool("return_state", false),
                c.Bool("go_backwards", false), c.Double("dropout", 0), c.Double("recurrent_dropout", 0), c.OptionalInt("seed"), c.Name, options);
        }

        /// <summary>Forget-gate bias initialised to 1.</summary>
        public bool UnitForgetBias { get; }
        /// <summary>Kernel (features, 4·units).</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Recurrent kernel (units, 4·units).</summary>
        public KerasVariable? RecurrentKernel { get; private set; }
        /// <summary>Bias (4·units).</summary>
        public KerasVariable? Bias { get; private set; }

        private protected override int StateCount => 2; // h, c

        private protected override int GateCount => 4;

        // Keras' cuDNN rule: tanh and sigmoid (plus the rest checked by Recurrent.UsesFusedKernel) run on the fused kernel.
        private protected override FusedRecurrence.Kind? FusedKind => ActivationName == "tanh" && RecurrentActivationName == "sigmoid" ? FusedRecurrence.Kind.Lstm : null;

        private protected override (KerasVariable Kernel, KerasVariable Recurrent, KerasVariable? Bias) CellWeights => (Kernel!, RecurrentKernel!, Bias);

        private protected override void BuildWeights(long features)
        {
            // Keras' unit_forget_bias: the bias initializer fills the forget quarter with ones (whatever bias_initializer is).
            var (kernel, recurrent, bias) = AddRecurrentWeights(features, 4L * Units, new[] { 4L * Units },
                UnitForgetBias ? new ForgetBias(Units, BiasInitializer) : BiasInitializer);
            Kernel = kernel;
            RecurrentKernel = recurrent;
            Bias = bias;
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
            using var recurrentPart = RecurrentProduct(states[0], _recurrent!);
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

        /// <summary>
        /// Keras' unit_forget_bias initializer: bias_initializer for the input gate, ones for the forget gate,
        /// bias_initializer for the cell and output gates.
        /// </summary>
        private sealed class ForgetBias : Initializer
        {
            private readonly int _units;
            private readonly Initializer _inner;

            public ForgetBias(int units, Initializer inner)
            {
                _units = units;
                _inner = inner;
            }

            public override Tensor Call(long[] shape, string dtype)
            {
                using var input = _inner.Call(new long[] { _units }, dtype);
                using var forget = torch.ones(new long[] { _units }, Interop.Dtypes.ToScalarType(dtype)); // host: initializers draw on the CPU
                using var rest = _inner.Call(new long[] { 2L * _units }, dtype);
                return torch.cat(new[] { input, forget, rest }, 0);
            }
        }
    }
}

using Keras.Initializers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.SimpleRNN(units, activation="tanh", use_bias=True, ..., dropout=0.0, recurrent_dropout=0.0,
    /// return_sequences=False, return_state=False, go_backwards=False, stateful=False)</c> on inputs (batch, time,
    /// features): <c>h_t = activation(x_t · W + b + h_{t-1} · U)</c>, with Keras' layout: kernel (features, units)
    /// glorot-uniform, recurrent_kernel (units, units) orthogonal, bias (units) zeros, kept in <c>cell/vars</c>.
    /// </summary>
    [KerasClass("SimpleRNN")]
    public sealed class SimpleRNN : Recurrent
    {
        private Tensor? _recurrent;

        /// <summary>Creates the layer.</summary>
        public SimpleRNN(int units, string activation = "tanh", bool useBias = true, bool returnSequences = false, bool stateful = false,
            bool returnState = false, bool goBackwards = false, double dropout = 0, double recurrentDropout = 0, int? seed = null, string? name = null,
            RecurrentOptions? options = null)
            : base(units, activation, "sigmoid", useBias, returnSequences, stateful, name, options, returnState, goBackwards, dropout, recurrentDropout, seed)
        {
        }

        internal static SimpleRNN FromConfig(ConfigReader c)
        {
            var options = ReadOptions(c);
            return new SimpleRNN(c.Int("units", min: 1), c.Activation("activation", "tanh")!, c.Bool("use_bias", true), c.Bool("return_sequences", false),
                c.Bool("stateful", false), c.Bool("return_state", false), c.Bool("go_backwards", false), c.Double("dropout", 0),
                c.Double("recurrent_dropout", 0), c.OptionalInt("seed"), c.Name, options);
        }

        private protected override bool WritesSeed => false;

        private protected override bool WritesRecurrentActivation => false;

        /// <summary>Kernel (features, units).</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Recurrent kernel (units, units).</summary>
        public KerasVariable? RecurrentKernel { get; private set; }
        /// <summary>Bias (units).</summary>
        public KerasVariable? Bias { get; private set; }

        private protected override int StateCount => 1;

        private protected override int GateCount => 1;

        private protected override FusedRecurrence.Kind? FusedKind => ActivationName switch { "tanh" => FusedRecurrence.Kind.RnnTanh, "relu" => FusedRecurrence.Kind.RnnRelu, _ => null };

        private protected override (KerasVariable Kernel, KerasVariable Recurrent, KerasVariable? Bias) CellWeights => (Kernel!, RecurrentKernel!, Bias);

        private protected override void BuildWeights(long features)
        {
            var (kernel, recurrent, bias) = AddRecurrentWeights(features, Units, new[] { (long)Units });
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
            using var sum = projectedStep.add(recurrentPart);
            return new[] { Activation(sum) };
        }

        private protected override void EndCall()
        {
            _recurrent?.Dispose();
            _recurrent = null;
        }
    }
}

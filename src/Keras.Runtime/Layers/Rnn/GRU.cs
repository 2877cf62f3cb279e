using System.Text.Json.Nodes;
using Keras.Initializers;
using Keras.SavingLib;
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
    [KerasClass("GRU")]
    public sealed class GRU : Recurrent
    {
        private Tensor? _recurrent;
        private Tensor? _recurrentBias;

        /// <summary>Creates the layer.</summary>
        public GRU(int units, string activation = "tanh", string recurrentActivation = "sigmoid", bool useBias = true,
            bool returnSequences = false, bool stateful = false, bool returnState = false, bool goBackwards = false, double dropout = 0,
            double recurrentDropout = 0, int? seed = null, string? name = null, RecurrentOptions? options = null)
            : base(units, activation, recurrentActivation, useBias, returnSequences, stateful, name, options, returnState, goBackwards, dropout, recurrentDropout, seed)
        {
        }

        private protected override void AddTrailingConfig(JsonObject c) => c["reset_after"] = true;

        internal static GRU FromConfig(ConfigReader c)
        {
            c.ExpectBool("reset_after", true, "reset_after=False");
            var options = ReadOptions(c);
            return new GRU(c.Int("units", min: 1), c.Activation("activation", "tanh")!, c.Activation("recurrent_activation", "sigmoid")!, c.Bool("use_bias", true),
                c.Bool("return_sequences", false), c.Bool("stateful", false), c.Bool("return_state", false),
                c.Bool("go_backwards", false), c.Double("dropout", 0), c.Double("recurrent_dropout", 0), c.OptionalInt("seed"), c.Name, options);
        }

        /// <summary>Kernel (features, 3·units).</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Recurrent kernel (units, 3·units).</summary>
        public KerasVariable? RecurrentKernel { get; private set; }
        /// <summary>Bias (2, 3·units): input bias, recurrent bias.</summary>
        public KerasVariable? Bias { get; private set; }

        private protected override int StateCount => 1;

        private protected override int GateCount => 3;

        private protected override FusedRecurrence.Kind? FusedKind => ActivationName == "tanh" && RecurrentActivationName == "sigmoid" ? FusedRecurrence.Kind.Gru : null;

        private protected override (KerasVariable Kernel, KerasVariable Recurrent, KerasVariable? Bias) CellWeights => (Kernel!, RecurrentKernel!, Bias);

        private protected override void BuildWeights(long features)
        {
            var (kernel, recurrent, bias) = AddRecurrentWeights(features, 3L * Units, new[] { 2L, 3L * Units });
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
            using var inputBias = bias.select(0, 0);
            _recurrentBias = bias.select(0, 1);
            return torch.addmm(inputBias, flatInputs, kernel, beta: 1, alpha: 1);
        }

        private protected override Tensor[] Step(Tensor projectedStep, Tensor[] states, ScalarType type)
        {
            var h = states[0];
            using var hu = RecurrentProduct(h, _recurrent!, _recurrentBias);
            var xs = projectedStep.chunk(3, 1);
            var hs = hu.chunk(3, 1);
            try
            {
                using var zSum = xs[0].add(hs[0]);
                using var rSum = xs[1].add(hs[1]);
                using var z = RecurrentActivation(zSum);
                using var r = RecurrentActivation(rSum);
                using var gated = r.mul(hs[2]);
                using var candidateSum = xs[2].add(gated);
                using var candidate = Activation(candidateSum);
                using var keep = z.mul(h);
                using var oneMinusZ = z.neg().add_(1);
                using var write = oneMinusZ.mul(candidate);
                return new[] { keep.add(write) };
            }
            finally
            {
                foreach (var part in xs) part.Dispose();
                foreach (var part in hs) part.Dispose();
            }
        }

        private protected override void EndCall()
        {
            _recurrent?.Dispose();
            _recurrentBias?.Dispose();
            _recurrent = null;
            _recurrentBias = null;
        }
    }
}

using Keras.Errors;
using Keras.Layers;
using Keras.Losses;
using Keras.Models;
using Keras.Optimizers;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras' masks (Embedding mask_zero, Masking, propagation through Sequential and Functional, masked recurrent steps,
/// masked losses) and the recurrent layers' options: SimpleRNN, go_backwards, return_state, dropout and recurrent
/// dropout. References are Keras' formulas written as plain loops over doubles.
/// </summary>
public class MaskingAndRnnTests : KerasTestBase
{
    internal delegate double[][] CellStep(double[] x, double[][] states);

    /// <summary>
    /// Keras' RNN loop (backend.rnn): steps in order (reversed with go_backwards); on a masked step the states keep their
    /// values and the output repeats the previous output (zeros before the first). Outputs are in processing order.
    /// </summary>
    internal static (Nd Outputs, double[][][] States) ReferenceRnn(Nd x, bool[,]? mask, bool goBackwards, int units, int stateCount, CellStep step,
        bool zeroOutputForMask = false)
    {
        long batch = x.Shape[0], steps = x.Shape[1], features = x.Shape[2];
        var outputs = new Nd(new[] { batch, steps, (long)units });
        var finals = new double[batch][][];
        for (long b = 0; b < batch; b++)
        {
            var states = Enumerable.Range(0, stateCount).Select(_ => new double[units]).ToArray();
            var previous = new double[units];
            for (long k = 0; k < steps; k++)
            {
                long t = goBackwards ? steps - 1 - k : k;
                var xt = new double[features];
                for (long f = 0; f < features; f++) xt[f] = x[b, t, f];
                var next = step(xt, states);
                bool use = mask == null || mask[b, t];
                if (use)
                {
                    states = next;
                    previous = next[0];
                }
                for (int u = 0; u < units; u++) outputs[b, k, u] = use || !zeroOutputForMask ? previous[u] : 0;
            }
            finals[b] = states;
        }
        return (outputs, finals);
    }

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    internal static CellStep SimpleRnnCell(Nd w, Nd u, Nd? bias, Func<double, double> activation) => (x, states) =>
    {
        int units = (int)u.Shape[0];
        var h = new double[units];
        for (int j = 0; j < units; j++)
        {
            double s = bias == null ? 0 : bias[j];
            for (int f = 0; f < x.Length; f++) s += x[f] * w[f, j];
            for (int k = 0; k < units; k++) s += states[0][k] * u[k, j];
            h[j] = activation(s);
        }
        return new[] { h };
    };

    internal static CellStep LstmCell(Nd w, Nd u, Nd bias) => (x, states) =>
    {
        int units = (int)u.Shape[0];
        double Z(int gate, int j)
        {
            int col = gate * units + j;
            double s = bias[col];
            for (int f = 0; f < x.Length; f++) s += x[f] * w[f, col];
            for (int k = 0; k < units; k++) s += states[0][k] * u[k, col];
            return s;
        }
        var h = new double[units];
        var c = new double[units];
        for (int j = 0; j < units; j++)
        {
            double i = Sigmoid(Z(0, j)), f = Sigmoid(Z(1, j)), g = Math.Tanh(Z(2, j)), o = Sigmoid(Z(3, j));
            c[j] = f * states[1][j] + i * g;
            h[j] = o * Math.Tanh(c[j]);
        }
        return new[] { h, c };
    };

    internal static CellStep GruCell(Nd w, Nd u, Nd bias) => (x, states) =>
    {
        int units = (int)u.Shape[0];
        double X(int gate, int j)
        {
            int col = gate * units + j;
            double s = bias[0, col];
            for (int f = 0; f < x.Length; f++) s += x[f] * w[f, col];
            return s;
        }
        double H(int gate, int j)
        {
            int col = gate * units + j;
            double s = bias[1, col];
            for (int k = 0; k < units; k++) s += states[0][k] * u[k, col];
            return s;
        }
        var h = new double[units];
        for (int j = 0; j < units; j++)
        {
            double z = Sigmoid(X(0, j) + H(0, j)), r = Sigmoid(X(1, j) + H(1, j));
            double hh = Math.Tanh(X(2, j) + r * H(2, j));
            h[j] = z * states[0][j] + (1 - z) * hh;
        }
        return new[] { h };
    };

    internal static void SetWeights(Layer layer, params Nd[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            using var t = values[i].Tensor(Interop.Dtypes.ToScalarType(layer.Weights[i].Dtype));
            layer.Weights[i].Assign(t);
        }
    }

    internal static Nd LastStep(Nd outputs)
    {
        long batch = outputs.Shape[0], steps = outputs.Shape[1], units = outputs.Shape[2];
        var last = new Nd(new[] { batch, units });
        for (long b = 0; b < batch; b++)
            for (long j = 0; j < units; j++) last[b, j] = outputs[b, steps - 1, j];
        return last;
    }

    internal static Nd States(double[][][] finals, int index)
    {
        var nd = new Nd(new long[] { finals.Length, finals[0][index].Length });
        for (int b = 0; b < finals.Length; b++)
            for (int j = 0; j < finals[b][index].Length; j++) nd[b, j] = finals[b][index][j];
        return nd;
    }

    internal static readonly bool[,] MiddleMask = { { true, false, true, true, false }, { false, true, true, false, true } };

    internal static torch.Tensor MaskTensor(bool[,] mask)
    {
        var flat = new bool[mask.Length];
        int k = 0;
        foreach (var m in mask) flat[k++] = m;
        return torch.tensor(flat, new long[] { mask.GetLength(0), mask.GetLength(1) });
    }

    // ---- masks ----

    [Fact]
    public void Embedding_with_mask_zero_masks_index_zero_and_saves_mask_zero()
    {
        var embedding = new Embedding(5, 2, maskZero: true);
        using var indices = torch.tensor(new long[] { 3, 0, 1, 0, 0, 4 }, 2, 3);
        var (vectors, mask) = embedding.CallWithMask(indices);
        using (vectors)
        using (mask)
        {
            Assert.Equal(new long[] { 2, 3, 2 }, vectors.shape);
            Assert.Equal(new[] { true, false, true, false, false, true }, mask!.data<bool>().ToArray());
        }
        Assert.True(embedding.GetConfig()["mask_zero"]!.GetValue<bool>());
        var plain = new Embedding(5, 2);
        var (_, none) = plain.CallWithMask(indices);
        Assert.Null(none);
        Assert.False(plain.SupportsMasking);
    }

    [Fact]
    public void Masking_zeroes_steps_whose_features_all_equal_mask_value_and_masks_them()
    {
        var masking = new Masking(maskValue: 2.0);
        using var x = torch.tensor(new float[] { 2, 2, 1, 2, 2, 2, 0, 0 }, 1, 4, 2);
        var (y, mask) = masking.CallWithMask(x);
        using (y)
        using (mask)
        {
            Assert.Equal(new float[] { 0, 0, 1, 2, 0, 0, 0, 0 }, y.data<float>().ToArray());
            Assert.Equal(new[] { false, true, false, true }, mask!.data<bool>().ToArray());
        }
        LayerChecks.ConfigKeys(masking, "mask_value");
        Assert.Equal(2.0, masking.GetConfig()["mask_value"]!.GetValue<double>());
    }

    [Fact]
    public void An_lstm_skips_masked_steps_keeping_its_previous_state_and_output()
    {
        var x = Nd.Random(new long[] { 2, 5, 3 }, 1);
        var lstm = new LSTM(4, returnSequences: true);
        lstm.Build(new long[] { -1, 5, 3 });
        var w = Nd.Random(new long[] { 3, 16 }, 2, 0.5).AsFloat32();
        var u = Nd.Random(new long[] { 4, 16 }, 3, 0.5).AsFloat32();
        var b = Nd.Random(new long[] { 16 }, 4, 0.5).AsFloat32();
        SetWeights(lstm, w, u, b);
        using var xt = x.Tensor();
        using var mask = MaskTensor(MiddleMask);
        using var y = lstm.Call(xt, mask);
        var (expected, _) = ReferenceRnn(x.AsFloat32(), MiddleMask, false, 4, 2, LstmCell(w, u, b));
        LayerChecks.Close(expected, y, 1e-5, 1e-4);
    }

    [Fact]
    public void A_gru_and_a_simple_rnn_skip_masked_steps_too()
    {
        var x = Nd.Random(new long[] { 2, 5, 3 }, 5).AsFloat32();
        var gru = new GRU(3, returnSequences: true);
        gru.Build(new long[] { -1, 5, 3 });
        var w = Nd.Random(new long[] { 3, 9 }, 6, 0.5).AsFloat32();
        var u = Nd.Random(new long[] { 3, 9 }, 7, 0.5).AsFloat32();
        var b = Nd.Random(new long[] { 2, 9 }, 8, 0.5).AsFloat32();
        SetWeights(gru, w, u, b);
        using var xt = x.Tensor();
        using var mask = MaskTensor(MiddleMask);
        using var y = gru.Call(xt, mask);
        LayerChecks.Close(ReferenceRnn(x, MiddleMask, false, 3, 1, GruCell(w, u, b)).Outputs, y, 1e-5, 1e-4);

        var rnn = new SimpleRNN(3);
        rnn.Build(new long[] { -1, 5, 3 });
        var ws = Nd.Random(new long[] { 3, 3 }, 9).AsFloat32();
        var us = Nd.Random(new long[] { 3, 3 }, 10, 0.5).AsFloat32();
        var bs = Nd.Random(new long[] { 3 }, 11).AsFloat32();
        SetWeights(rnn, ws, us, bs);
        using var last = rnn.Call(xt, mask);
        LayerChecks.Close(LastStep(ReferenceRnn(x, MiddleMask, false, 3, 1, SimpleRnnCell(ws, us, bs, Math.Tanh)).Outputs), last, 1e-5, 1e-4);
    }

    [Fact]
    public void Sequential_and_functional_models_carry_the_embedding_mask_through_dense_to_the_rnn()
    {
        Utils.SetRandomSeed(3);
        var embedding = new Embedding(6, 3, maskZero: true);
        var dense = new Dense(3, activation: "tanh");
        var rnn = new SimpleRNN(2, returnSequences: true);
        var sequential = new Sequential(new Layer[] { embedding, dense, rnn });
        using var tokens = torch.tensor(new long[] { 1, 0, 2, 3, 0, 0, 4, 5, 1, 0 }, 2, 5);
        using var y = sequential.Call(tokens);

        // The same computation with the mask handed to the RNN by hand.
        using var vectors = embedding.Call(tokens);
        using var projected = dense.Call(vectors);
        using var mask = tokens.ne(0);
        using var expected = rnn.Call(projected, mask);
        Assert.True(y.allclose(expected, atol: 1e-6));
        using var unmasked = rnn.Call(projected);
        Assert.False(y.allclose(unmasked, atol: 1e-4)); // the mask changed the result

        var input = new Input(new long[] { 5 }, dtype: "int64");
        var functional = new Functional(input, rnn.Call(dense.Call(embedding.Call(input))));
        using var yf = functional.Call(tokens);
        Assert.True(yf.allclose(expected, atol: 1e-6));

        // The RNN's output keeps the mask (return_sequences): the model's output mask is the input's.
        var (output, outputMask) = sequential.CallWithMask(tokens);
        using (output)
        using (outputMask)
            Assert.True(outputMask!.eq(mask).all().item<bool>());
    }

    [Fact]
    public void A_layer_that_does_not_support_masking_drops_the_mask()
    {
        var embedding = new Embedding(6, 3, maskZero: true);
        var reshape = new Reshape(new long[] { 5, 3 }); // Keras' Reshape does not support masking
        var rnn = new SimpleRNN(2);
        var model = new Sequential(new Layer[] { embedding, reshape, rnn });
        using var tokens = torch.tensor(new long[] { 1, 0, 2, 3, 0 }, 1, 5);
        using var y = model.Call(tokens);
        using var vectors = embedding.Call(tokens);
        using var expected = rnn.Call(vectors);
        Assert.True(y.allclose(expected, atol: 1e-6));
    }

    [Fact]
    public void Losses_ignore_masked_timesteps_as_kerass_apply_mask_weights_them()
    {
        var embedding = new Embedding(4, 1, embeddingsInitializer: new Keras.Initializers.Constant(0.5), maskZero: true);
        var model = new Sequential(new Layer[] { embedding });
        model.Compile(new SGD(0.0), new MeanSquaredError());
        using var tokens = torch.tensor(new long[] { 1, 0, 2, 3, 0, 0 }, 2, 3);
        var targets = new float[] { 1, 9, 0.5f, 2, 9, 9 };
        using var y = torch.tensor(targets, 2, 3, 1);
        var logs = model.Evaluate(tokens, y, verbose: 0);
        // Valid steps: (0,0) 1, (0,2) 0.5 and (1,0) 2 against predictions 0.5: mean of (0.25, 0, 2.25) over 3 valid steps.
        double valid = 3, sum = 0.25 + 0 + 2.25;
        Assert.Equal(sum / (valid + 1e-7), logs["loss"], 5);
    }

    [Fact]
    public void Fit_on_a_masked_model_moves_no_weight_from_masked_steps()
    {
        Utils.SetRandomSeed(4);
        var embedding = new Embedding(4, 2, maskZero: true);
        var dense = new Dense(1);
        var model = new Sequential(new Layer[] { embedding, dense });
        model.Compile(new SGD(0.1), new MeanSquaredError());
        using var tokens = torch.tensor(new long[] { 1, 0, 0, 1 }, 2, 2);
        using var y = torch.ones(2, 2, 1);
        model.Build(new long[] { -1, 2 });
        var row0Before = embedding.Embeddings!.ToArray<float>().Take(2).ToArray();
        model.Fit(tokens, y, batchSize: 2, epochs: 1, verbose: 0);
        // Row 0 (padding) only appears at masked steps: its loss weight is 0, so its gradient is 0.
        Assert.Equal(row0Before, embedding.Embeddings!.ToArray<float>().Take(2).ToArray());
    }

    [Fact]
    public void A_mask_of_the_wrong_shape_is_refused()
    {
        var rnn = new SimpleRNN(2);
        using var x = torch.rand(2, 4, 3);
        using var mask = torch.ones(new long[] { 2, 3 }, torch.ScalarType.Bool);
        Assert.Contains("mask", Assert.Throws<KerasArgumentException>(() => rnn.Call(x, mask)).Message);
    }

    // ---- SimpleRNN ----

    [Fact]
    public void SimpleRnn_follows_kerass_formula_forwards_and_backwards()
    {
        var x = Nd.Random(new long[] { 2, 4, 3 }, 12).AsFloat32();
        var w = Nd.Random(new long[] { 3, 2 }, 13).AsFloat32();
        var u = Nd.Random(new long[] { 2, 2 }, 14, 0.6).AsFloat32();
        var b = Nd.Random(new long[] { 2 }, 15).AsFloat32();
        using var xt = x.Tensor();
        foreach (bool backwards in new[] { false, true })
        {
            var rnn = new SimpleRNN(2, returnSequences: true, goBackwards: backwards);
            rnn.Build(new long[] { -1, 4, 3 });
            SetWeights(rnn, w, u, b);
            using var y = rnn.Call(xt);
            LayerChecks.Close(ReferenceRnn(x, null, backwards, 2, 1, SimpleRnnCell(w, u, b, Math.Tanh)).Outputs, y, 1e-5, 1e-4);
        }
        var relu = new SimpleRNN(2, activation: "relu", useBias: false);
        relu.Build(new long[] { -1, 4, 3 });
        SetWeights(relu, w, u);
        using var yr = relu.Call(xt);
        LayerChecks.Close(LastStep(ReferenceRnn(x, null, false, 2, 1, SimpleRnnCell(w, u, null, v => Math.Max(0, v))).Outputs), yr, 1e-5, 1e-4);
    }

    [Fact]
    public void Lstm_and_gru_go_backwards_with_a_mask_as_keras_does()
    {
        var x = Nd.Random(new long[] { 2, 5, 2 }, 16).AsFloat32();
        var w = Nd.Random(new long[] { 2, 12 }, 17, 0.5).AsFloat32();
        var u = Nd.Random(new long[] { 3, 12 }, 18, 0.5).AsFloat32();
        var b = Nd.Random(new long[] { 12 }, 19, 0.5).AsFloat32();
        var lstm = new LSTM(3, returnSequences: true, goBackwards: true);
        lstm.Build(new long[] { -1, 5, 2 });
        SetWeights(lstm, w, u, b);
        using var xt = x.Tensor();
        using var mask = MaskTensor(MiddleMask);
        using var y = lstm.Call(xt, mask);
        LayerChecks.Close(ReferenceRnn(x, MiddleMask, true, 3, 2, LstmCell(w, u, b)).Outputs, y, 1e-5, 1e-4);
    }

    [Fact]
    public void Return_state_gives_the_output_and_the_final_states_and_initial_state_starts_from_them()
    {
        var x = Nd.Random(new long[] { 2, 4, 2 }, 20).AsFloat32();
        var w = Nd.Random(new long[] { 2, 8 }, 21, 0.5).AsFloat32();
        var u = Nd.Random(new long[] { 2, 8 }, 22, 0.5).AsFloat32();
        var b = Nd.Random(new long[] { 8 }, 23, 0.5).AsFloat32();
        var lstm = new LSTM(2, returnState: true);
        lstm.Build(new long[] { -1, 4, 2 });
        SetWeights(lstm, w, u, b);
        using var xt = x.Tensor();
        var results = lstm.CallWithStates(xt);
        var (outputs, finals) = ReferenceRnn(x, null, false, 2, 2, LstmCell(w, u, b));
        Assert.Equal(3, results.Length);
        LayerChecks.Close(LastStep(outputs), results[0], 1e-5, 1e-4);
        LayerChecks.Close(States(finals, 0), results[1], 1e-5, 1e-4);
        LayerChecks.Close(States(finals, 1), results[2], 1e-5, 1e-4);
        Assert.True(lstm.GetConfig()["return_state"]!.GetValue<bool>());

        // Continuing from the returned states equals running the two halves as one sequence.
        using var firstHalf = xt.narrow(1, 0, 2);
        using var secondHalf = xt.narrow(1, 2, 2);
        var half = lstm.CallWithStates(firstHalf);
        var continued = lstm.CallWithStates(secondHalf, initialState: new[] { half[1], half[2] });
        Assert.True(continued[0].allclose(results[0], atol: 1e-5));
        foreach (var t in results.Concat(half).Concat(continued)) t.Dispose();
        using var wrong = torch.zeros(2, 2);
        Assert.Throws<KerasArgumentException>(() => lstm.CallWithStates(xt, initialState: new[] { wrong }));
    }

    [Fact]
    public void Input_dropout_uses_one_mask_for_every_step_and_only_in_training()
    {
        var rnn = new SimpleRNN(4, activation: "linear", useBias: false, returnSequences: true, dropout: 0.5, seed: 7);
        rnn.Build(new long[] { -1, 3, 4 });
        using var eye = torch.eye(4);
        using var zero = torch.zeros(4, 4);
        rnn.Kernel!.Assign(eye);
        rnn.RecurrentKernel!.Assign(zero);
        using var x = torch.rand(5, 3, 4).add_(0.5);
        using var inference = rnn.Call(x, training: false);
        Assert.True(inference.allclose(x, atol: 1e-6));
        using var trained = rnn.Call(x, training: true);
        using var ratio = trained.div(x);
        var r = ratio.data<float>().ToArray();
        Assert.All(r, v => Assert.True(Math.Abs(v) < 1e-5 || Math.Abs(v - 2) < 1e-5, $"ratio {v}"));
        for (int b = 0; b < 5; b++)
            for (int t = 1; t < 3; t++)
                for (int f = 0; f < 4; f++)
                    Assert.Equal(r[b * 12 + f], r[b * 12 + t * 4 + f]); // the same mask at every step
        Assert.Contains(r, v => v == 0);
        Assert.Contains(r, v => Math.Abs(v - 2) < 1e-5);
    }

    [Fact]
    public void Recurrent_dropout_masks_the_previous_state_with_one_mask_for_every_step()
    {
        var rnn = new SimpleRNN(6, activation: "linear", useBias: false, returnSequences: true, recurrentDropout: 0.5, seed: 9);
        rnn.Build(new long[] { -1, 3, 6 });
        using var eye = torch.eye(6);
        rnn.Kernel!.Assign(eye);
        rnn.RecurrentKernel!.Assign(eye);
        using var x = torch.rand(4, 3, 6).add_(0.5);
        using var y = rnn.Call(x, training: true);
        // h1 = x1; h2 = x2 + m·h1; h3 = x3 + m·h2 with the same m in {0, 2}.
        using var h1 = y.select(1, 0);
        using var h2 = y.select(1, 1);
        using var h3 = y.select(1, 2);
        using var m2 = (h2 - x.select(1, 1)).div(h1);
        using var m3 = (h3 - x.select(1, 2)).div(h2);
        Assert.True(h1.allclose(x.select(1, 0), atol: 1e-6));
        Assert.True(m2.allclose(m3, atol: 1e-4));
        Assert.All(m2.data<float>().ToArray(), v => Assert.True(Math.Abs(v) < 1e-4 || Math.Abs(v - 2) < 1e-4, $"mask {v}"));
        using var inference = rnn.Call(x, training: false);
        using var plain = new SimpleRNN(6, activation: "linear", useBias: false, returnSequences: true).Call(x); // other weights: only a shape check
        Assert.Equal(plain.shape, inference.shape);
    }

    [Fact]
    public void Lstm_and_gru_train_with_dropout_and_recurrent_dropout_and_gradients_flow()
    {
        Utils.SetRandomSeed(5);
        foreach (Layer layer in new Layer[] { new LSTM(3, dropout: 0.3, recurrentDropout: 0.3, seed: 1), new GRU(3, dropout: 0.3, recurrentDropout: 0.3, seed: 2) })
        {
            var model = new Sequential(new[] { layer, new Dense(1) });
            model.Compile(new Adam(0.01), new MeanSquaredError());
            using var x = torch.rand(8, 4, 2);
            using var y = torch.rand(8, 1);
            var history = model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
            Assert.True(double.IsFinite(history.HistoryDict["loss"][^1]));
            using var a = model.Predict(x);
            using var b = model.Predict(x);
            Assert.True(a.allclose(b, rtol: 0, atol: 0)); // no dropout at inference
        }
    }

    [Fact]
    public void SimpleRnn_gradients_match_finite_differences_with_a_mask_and_go_backwards()
    {
        var rnn = new SimpleRNN(3, returnSequences: true, goBackwards: true, options: new RecurrentOptions { Dtype = "float64" });
        rnn.Build(new long[] { -1, 5, 2 });
        using var mask = MaskTensor(MiddleMask);
        using var x = torch.randn(new long[] { 2, 5, 2 }, torch.ScalarType.Float64);
        LayerChecks.Gradients(inputs => rnn.Call(inputs[0], mask), new[] { x }, rnn.TrainableWeights);
        var lstm = new LSTM(2, options: new RecurrentOptions { Dtype = "float64" });
        lstm.Build(new long[] { -1, 5, 2 });
        LayerChecks.Gradients(inputs => lstm.Call(inputs[0], mask), new[] { x }, lstm.TrainableWeights);
    }

    [Fact]
    public void SimpleRnn_writes_every_key_keras_writes_and_reads_them_back()
    {
        var rnn = new SimpleRNN(3, activation: "relu", useBias: false, returnSequences: true, stateful: false, returnState: true, goBackwards: true,
            dropout: 0.25, recurrentDropout: 0.5, seed: 3, name: "rnn");
        LayerChecks.ConfigKeys(rnn, "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask", "units", "activation",
            "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
            "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout", "recurrent_dropout");
        var lstm = new LSTM(2, goBackwards: true, dropout: 0.1, recurrentDropout: 0.2, seed: 4);
        LayerChecks.ConfigKeys(lstm, "return_sequences", "return_state", "go_backwards", "stateful", "unroll", "zero_output_for_mask", "units", "activation",
            "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer", "bias_initializer", "unit_forget_bias", "kernel_regularizer",
            "recurrent_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
            "recurrent_dropout", "seed");
        foreach (Layer layer in new Layer[] { rnn, lstm })
        {
            var json = layer.GetConfig().ToJsonString();
            var x = new Input(new long[] { 4, 2 });
            var model = new Functional(x, layer.Call(x));
            string path = Path.Combine(KerasHome, layer.Name + ".keras");
            model.Save(path);
            var reloaded = Saving.LoadModel(path);
            Assert.Equal(json, reloaded.Layers.Single(l => l.Name == layer.Name).GetConfig().ToJsonString());
        }
        Assert.Equal(0.25, rnn.GetConfig()["dropout"]!.GetValue<double>());
        Assert.Equal(1.0, new SimpleRNN(2, dropout: 3).Dropout); // Keras clips the rates into [0, 1]
    }

    [Fact]
    public void SimpleRnn_weights_go_to_the_cell_in_kerass_h5_layout()
    {
        var model = new Sequential(new Layer[] { new SimpleRNN(3), new Dense(1) });
        model.Build(new long[] { -1, 4, 2 });
        string path = Path.Combine(KerasHome, "simple_rnn.weights.h5");
        model.SaveWeights(path);
        var rnn = (SimpleRNN)model.Layers[0];
        using (var file = H5File.OpenRead(path))
        {
            Assert.Empty(file.Group("layers/simple_rnn/vars").Children());
            Assert.Equal(new ulong[] { 2, 3 }, file.Dataset("layers/simple_rnn/cell/vars/0").Space.Dimensions);
            Assert.Equal(new ulong[] { 3, 3 }, file.Dataset("layers/simple_rnn/cell/vars/1").Space.Dimensions);
            Assert.Equal(new ulong[] { 3 }, file.Dataset("layers/simple_rnn/cell/vars/2").Space.Dimensions);
            Assert.Equal(rnn.RecurrentKernel!.ToArray<float>(), file.Dataset("layers/simple_rnn/cell/vars/1").Read<float[]>());
        }
        var copy = new Sequential(new Layer[] { new SimpleRNN(3), new Dense(1) });
        copy.Build(new long[] { -1, 4, 2 });
        copy.LoadWeights(path);
        using var x = torch.rand(2, 4, 2);
        using var a = model.Predict(x);
        using var b = copy.Predict(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    [Fact]
    public void SimpleRnn_raises_kerass_errors()
    {
        Assert.Contains("expected a positive integer, got 0", Assert.Throws<KerasArgumentException>(() => new SimpleRNN(0)).Message);
        var rnn = new SimpleRNN(2);
        using var flat = torch.rand(2, 3);
        Assert.Contains("expected ndim=3, found ndim=2", Assert.Throws<KerasArgumentException>(() => rnn.Call(flat)).Message);
        using var x = torch.rand(2, 3, 4);
        rnn.Call(x).Dispose();
        using var other = torch.rand(2, 3, 5);
        Assert.Contains("expected axis -1 of input shape to have value 4", Assert.Throws<KerasArgumentException>(() => rnn.Call(other)).Message);
        var stateful = new SimpleRNN(2, stateful: true);
        stateful.Call(x).Dispose();
        using var bigger = torch.rand(3, 3, 4);
        Assert.Contains("stateful", Assert.Throws<KerasArgumentException>(() => stateful.Call(bigger)).Message);
    }

    [Fact]
    public void A_stateful_simple_rnn_continues_a_sequence_across_calls_and_skips_masked_steps()
    {
        var stateful = new SimpleRNN(3, stateful: true);
        var reference = new SimpleRNN(3);
        stateful.Build(new long[] { -1, 5, 2 });
        reference.Build(new long[] { -1, 5, 2 });
        for (int i = 0; i < 3; i++) reference.Weights[i].Assign(stateful.Weights[i].Value);
        using var whole = torch.rand(2, 5, 2);
        using var mask = MaskTensor(MiddleMask);
        using var m1 = mask.narrow(1, 0, 3);
        using var m2 = mask.narrow(1, 3, 2);
        stateful.Call(whole.narrow(1, 0, 3), m1).Dispose();
        using var second = stateful.Call(whole.narrow(1, 3, 2), m2);
        using var all = reference.Call(whole, mask);
        // Carried states and masked steps (row 0 repeats its previous output on its last, masked step) as one long call.
        Assert.True(second.allclose(all, atol: 1e-5));
        Assert.NotNull(stateful.State);
    }

    [Fact]
    public void Masked_dropout_and_backwards_recurrent_calls_release_every_intermediate_handle()
    {
        var rnn = new SimpleRNN(4, returnSequences: true, goBackwards: true, dropout: 0.2, recurrentDropout: 0.2, stateful: true);
        var lstm = new LSTM(3, dropout: 0.2, recurrentDropout: 0.3, returnState: true);
        var gru = new GRU(3, goBackwards: true);
        using var x = torch.rand(2, 5, 3);
        using var mask = MaskTensor(MiddleMask);
        void Run()
        {
            rnn.Call(x, mask, training: true).Dispose();
            foreach (var t in lstm.CallWithStates(x, mask, training: true)) t.Dispose();
            gru.Call(x, mask).Dispose();
            var model = new Sequential(new Layer[] { new Masking(), new SimpleRNN(2) });
            model.Call(x).Dispose();
        }
        Run();
        // Every tensor made on this thread while the scope is open joins it unless disposed; finalizers of other tests'
        // garbage cannot change this count, as they change torch.Tensor.TotalCount.
        using var scope = torch.NewDisposeScope();
        for (int i = 0; i < 10; i++)
        {
            rnn.Call(x, mask, training: true).Dispose();
            foreach (var t in lstm.CallWithStates(x, mask, training: true)) t.Dispose();
            gru.Call(x, mask).Dispose();
        }
        Assert.Equal(0, scope.DisposablesCount);
    }
}

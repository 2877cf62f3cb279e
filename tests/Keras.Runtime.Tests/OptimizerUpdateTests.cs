using Keras.Errors;
using Keras.Optimizers;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace Keras.Runtime.Tests;

/// <summary>
/// Every optimizer's update against an independent reference written here in plain double arithmetic from Keras' formulas
/// (keras/src/optimizers/*.py and the torch backend's keras/src/backend/torch/optimizers/*.py), including
/// base_optimizer.py's common arguments: loss_scale_factor, gradient accumulation, clipping, weight decay, EMA.
/// </summary>
public class OptimizerUpdateTests : KerasTestBase
{
    // ------------------------------------------------------------------ the reference

    /// <summary>One variable's Keras update rule on doubles: (t, lr, w, g, shape, slots, optimizer-wide state).</summary>
    private delegate void Rule(int index, long t, double lr, double[] w, double[] g, long[] shape, Dictionary<string, double[]> slots,
        Dictionary<string, double> globals);

    /// <summary>base_optimizer.apply / _backend_apply_gradients, re-implemented on doubles.</summary>
    private sealed class Reference
    {
        public double Lr = 0.1;
        public double? WeightDecay, Clipnorm, Clipvalue, GlobalClipnorm, LossScaleFactor;
        public bool UseEma;
        public double EmaMomentum = 0.99;
        public int? EmaOverwriteFrequency, Accumulation;
        public Func<int, bool> Decays = _ => true;
        public long Raw;
        public readonly List<double[]> W = new();
        public readonly List<long[]> Shapes = new();
        public readonly List<Dictionary<string, double[]>> Slots = new();
        public readonly Dictionary<string, double> Globals = new();
        public List<double[]> Acc = new(), Avg = new();
        public Rule Rule = null!;

        public long Iterations => Accumulation is int n ? Raw / n : Raw;

        public void Add(double[] w, long[] shape)
        {
            W.Add((double[])w.Clone());
            Shapes.Add(shape);
            Slots.Add(new Dictionary<string, double[]>());
            Acc.Add(new double[w.Length]);
            Avg.Add(new double[w.Length]);
        }

        public void Apply(double[][] grads)
        {
            var g = grads.Select(x => x.Select(v => LossScaleFactor is double s ? v / s : v).ToArray()).ToArray();
            bool update = true;
            if (Accumulation is int n)
            {
                update = (Raw + 1) % n == 0;
                if (update)
                {
                    g = g.Select((x, i) => x.Select((v, k) => (v + Acc[i][k]) / n).ToArray()).ToArray();
                    foreach (var a in Acc) Array.Clear(a);
                }
                else
                {
                    for (int i = 0; i < g.Length; i++) for (int k = 0; k < g[i].Length; k++) Acc[i][k] += g[i][k];
                }
            }
            if (update)
            {
                if (Clipnorm is double cn)
                    g = g.Select(x => { double norm = Math.Sqrt(x.Sum(v => v * v)); return x.Select(v => v * cn / Math.Max(norm, cn)).ToArray(); }).ToArray();
                else if (GlobalClipnorm is double gc)
                {
                    double norm = Math.Sqrt(g.Sum(x => x.Sum(v => v * v)));
                    double scale = gc * Math.Min(1 / norm, 1 / gc) + (norm - norm);
                    g = g.Select(x => x.Select(v => v * scale).ToArray()).ToArray();
                }
                else if (Clipvalue is double cv)
                    g = g.Select(x => x.Select(v => Math.Clamp(v, -cv, cv)).ToArray()).ToArray();
                if (WeightDecay is double wd)
                    for (int i = 0; i < W.Count; i++)
                        if (Decays(i)) for (int k = 0; k < W[i].Length; k++) W[i][k] *= 1 - wd * Lr;
                for (int i = 0; i < W.Count; i++) Rule(i, Iterations + 1, Lr, W[i], g[i], Shapes[i], Slots[i], Globals);
            }
            if (UseEma)
            {
                double m = Iterations != 0 ? EmaMomentum : 0;
                for (int i = 0; i < W.Count; i++) for (int k = 0; k < W[i].Length; k++) Avg[i][k] = m * Avg[i][k] + (1 - m) * W[i][k];
                if (EmaOverwriteFrequency is int f && (Iterations + 1) % f == 0)
                    for (int i = 0; i < W.Count; i++) W[i] = (double[])Avg[i].Clone();
            }
            Raw++;
        }
    }

    private static double[] Slot(Dictionary<string, double[]> slots, string name, int length, double initial = 0)
    {
        if (!slots.TryGetValue(name, out var s)) slots[name] = s = Enumerable.Repeat(initial, length).ToArray();
        return s;
    }

    // ------------------------------------------------------------------ harness

    private static readonly (double[] Values, long[] Shape)[] Start =
    {
        (new[] { 0.5, -1.2, 2.0, 0.3, -0.7, 1.1 }, new long[] { 2, 3 }),
        (new[] { 0.25, -0.4, 0.0 }, new long[] { 3 }),
    };

    /// <summary>A fixed, varied gradient for step s, variable i, element k.</summary>
    private static double Grad(int s, int i, int k) => 0.3 * Math.Cos(1.3 * s + 0.7 * i + 0.9 * k) + 0.05 * (k - i);

    private static KerasVariable[] Variables() => Start.Select((v, i) =>
        new KerasVariable(i == 0 ? "kernel" : "bias", i == 0 ? "dense/kernel" : "dense/bias",
            torch.tensor(v.Values.Select(x => (float)x).ToArray(), v.Shape), trainable: true)).ToArray();

    private static double[][] Grads(int s) => Start.Select((v, i) => v.Values.Select((_, k) => Grad(s, i, k)).ToArray()).ToArray();

    private static void Step(Optimizer optimizer, KerasVariable[] variables, double[][] grads) =>
        optimizer.Apply(grads.Select((g, i) => (Tensor?)torch.tensor(g.Select(x => (float)x).ToArray(), variables[i].Shape)).ToArray(), variables);

    /// <summary>Runs <paramref name="steps"/> steps on the optimizer and on the reference; compares every weight after each.</summary>
    private static void Check(Optimizer optimizer, Reference reference, int steps = 5, double tolerance = 2e-5)
    {
        var variables = Variables();
        foreach (var (values, shape) in Start) reference.Add(values, shape);
        for (int s = 0; s < steps; s++)
        {
            var g = Grads(s);
            Step(optimizer, variables, g);
            reference.Apply(g);
            for (int i = 0; i < variables.Length; i++)
            {
                var actual = variables[i].ToArray<float>();
                for (int k = 0; k < actual.Length; k++)
                    Assert.True(Math.Abs(actual[k] - reference.W[i][k]) <= tolerance * (1 + Math.Abs(reference.W[i][k])),
                        $"step {s + 1}, variable {i}, element {k}: expected {reference.W[i][k]}, got {actual[k]}");
            }
            Assert.Equal(reference.Iterations, optimizer.Iterations);
        }
    }

    // ------------------------------------------------------------------ Keras' rules

    private static Rule SgdRule(double momentum, bool nesterov) => (_, _, lr, w, g, _, slots, _) =>
    {
        if (momentum == 0)
        {
            for (int k = 0; k < w.Length; k++) w[k] -= lr * g[k];
            return;
        }
        var m = Slot(slots, "m", w.Length);
        for (int k = 0; k < w.Length; k++)
        {
            m[k] = momentum * m[k] - lr * g[k];
            w[k] += nesterov ? momentum * m[k] - lr * g[k] : m[k];
        }
    };

    private static Rule AdamRule(double b1 = 0.9, double b2 = 0.999, double eps = 1e-7, bool amsgrad = false) => (_, t, lr, w, g, _, slots, _) =>
    {
        var m = Slot(slots, "m", w.Length);
        var v = Slot(slots, "v", w.Length);
        var vh = Slot(slots, "vhat", w.Length);
        double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
        for (int k = 0; k < w.Length; k++)
        {
            m[k] += (g[k] - m[k]) * (1 - b1);
            v[k] += (g[k] * g[k] - v[k]) * (1 - b2);
            double vv = v[k];
            if (amsgrad) vv = vh[k] = Math.Max(vh[k], v[k]);
            w[k] -= m[k] * alpha / (Math.Sqrt(vv) + eps);
        }
    };

    private static Rule RmspropRule(double rho, double momentum, bool centered, double eps = 1e-7) => (_, _, lr, w, g, _, slots, _) =>
    {
        var vel = Slot(slots, "velocity", w.Length);
        var mom = Slot(slots, "momentum", w.Length);
        var avg = Slot(slots, "average", w.Length);
        for (int k = 0; k < w.Length; k++)
        {
            vel[k] = rho * vel[k] + (1 - rho) * g[k] * g[k];
            double den = vel[k] + eps;
            if (centered)
            {
                avg[k] = rho * avg[k] + (1 - rho) * g[k];
                den -= avg[k] * avg[k];
            }
            double inc = lr * g[k] / Math.Sqrt(den);
            if (momentum > 0)
            {
                mom[k] = momentum * mom[k] + inc;
                w[k] -= mom[k];
            }
            else
            {
                w[k] -= inc;
            }
        }
    };

    [Fact]
    public void Sgd_plain_momentum_and_nesterov_follow_kerass_velocity_rule()
    {
        Check(new SGD(learningRate: 0.1), new Reference { Rule = SgdRule(0, false) });
        Check(new SGD(learningRate: 0.1, momentum: 0.9), new Reference { Rule = SgdRule(0.9, false) });
        Check(new SGD(learningRate: 0.1, momentum: 0.8, nesterov: true), new Reference { Rule = SgdRule(0.8, true) });
    }

    [Fact]
    public void Adam_and_amsgrad_follow_kerass_rule_with_epsilon_after_the_square_root()
    {
        Check(new Adam(learningRate: 0.1), new Reference { Rule = AdamRule() });
        Check(new Adam(learningRate: 0.1, beta1: 0.8, beta2: 0.9, epsilon: 1e-3, amsgrad: true),
            new Reference { Rule = AdamRule(0.8, 0.9, 1e-3, amsgrad: true) });
    }

    [Fact]
    public void AdamW_decays_the_weights_by_one_minus_weight_decay_times_lr_before_adams_step()
    {
        Check(new AdamW(learningRate: 0.1, weightDecay: 0.2), new Reference { Rule = AdamRule(), WeightDecay = 0.2 });
        Assert.Equal(0.004, new AdamW().WeightDecay);
    }

    [Fact]
    public void Rmsprop_plain_centered_and_with_momentum_follow_kerass_rule()
    {
        Check(new RMSprop(learningRate: 0.1), new Reference { Rule = RmspropRule(0.9, 0, false) });
        Check(new RMSprop(learningRate: 0.1, rho: 0.8, momentum: 0.5, centered: true), new Reference { Rule = RmspropRule(0.8, 0.5, true) });
    }

    [Fact]
    public void Nadam_follows_kerass_momentum_schedule_with_the_running_u_product()
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-7;
        Rule rule = (index, t, lr, w, g, _, slots, globals) =>
        {
            if (index == 0) globals["u"] = (globals.TryGetValue("u", out var u0) ? u0 : 1.0) * b1 * (1 - 0.5 * Math.Pow(0.96, t));
            double ut = b1 * (1 - 0.5 * Math.Pow(0.96, t)), ut1 = b1 * (1 - 0.5 * Math.Pow(0.96, t + 1));
            double up = globals["u"], up1 = up * ut1;
            var m = Slot(slots, "m", w.Length);
            var v = Slot(slots, "v", w.Length);
            for (int k = 0; k < w.Length; k++)
            {
                m[k] += (g[k] - m[k]) * (1 - b1);
                v[k] += (g[k] * g[k] - v[k]) * (1 - b2);
                double mHat = ut1 * m[k] / (1 - up1) + (1 - ut) * g[k] / (1 - up);
                double vHat = v[k] / (1 - Math.Pow(b2, t));
                w[k] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        };
        Check(new Nadam(learningRate: 0.1), new Reference { Rule = rule });
    }

    [Fact]
    public void Adamax_follows_kerass_infinity_norm_rule()
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-7;
        Check(new Adamax(learningRate: 0.1), new Reference
        {
            Rule = (_, t, lr, w, g, _, slots, _) =>
            {
                var m = Slot(slots, "m", w.Length);
                var u = Slot(slots, "u", w.Length);
                for (int k = 0; k < w.Length; k++)
                {
                    m[k] += (g[k] - m[k]) * (1 - b1);
                    u[k] = Math.Max(b2 * u[k], Math.Abs(g[k]));
                    w[k] -= lr * m[k] / ((1 - Math.Pow(b1, t)) * (u[k] + eps));
                }
            },
        });
    }

    [Fact]
    public void Adagrad_accumulates_squared_gradients_from_initial_accumulator_value()
    {
        Check(new Adagrad(learningRate: 0.1, initialAccumulatorValue: 0.2), new Reference
        {
            Rule = (_, _, lr, w, g, _, slots, _) =>
            {
                var a = Slot(slots, "a", w.Length, 0.2);
                for (int k = 0; k < w.Length; k++)
                {
                    a[k] += g[k] * g[k];
                    w[k] -= lr * g[k] / Math.Sqrt(a[k] + 1e-7);
                }
            },
        });
    }

    [Fact]
    public void Adadelta_follows_kerass_rule_scaled_by_the_learning_rate()
    {
        const double rho = 0.95, eps = 1e-7;
        Check(new Adadelta(learningRate: 1.0), new Reference
        {
            Lr = 1.0,
            Rule = (_, _, lr, w, g, _, slots, _) =>
            {
                var ag = Slot(slots, "ag", w.Length);
                var ad = Slot(slots, "ad", w.Length);
                for (int k = 0; k < w.Length; k++)
                {
                    ag[k] = rho * ag[k] + (1 - rho) * g[k] * g[k];
                    double delta = -Math.Sqrt(ad[k] + eps) * g[k] / Math.Sqrt(ag[k] + eps);
                    ad[k] = rho * ad[k] + (1 - rho) * delta * delta;
                    w[k] += lr * delta;
                }
            },
        }, tolerance: 5e-5);
    }

    [Fact]
    public void Ftrl_follows_kerass_rule_with_l1_l2_shrinkage_and_beta()
    {
        const double power = -0.5, l1 = 0.01, l2 = 0.02, shrink = 0.03, beta = 0.1;
        Check(new Ftrl(learningRate: 0.1, learningRatePower: power, initialAccumulatorValue: 0.1, l1RegularizationStrength: l1,
                l2RegularizationStrength: l2, l2ShrinkageRegularizationStrength: shrink, beta: beta),
            new Reference
            {
                Rule = (_, _, lr, w, g, _, slots, _) =>
                {
                    var acc = Slot(slots, "acc", w.Length, 0.1);
                    var lin = Slot(slots, "lin", w.Length);
                    double l2Reg = l2 + beta / (2 * lr);
                    for (int k = 0; k < w.Length; k++)
                    {
                        double gradToUse = g[k] + 2 * shrink * w[k];
                        double newAcc = acc[k] + g[k] * g[k];
                        lin[k] += gradToUse - (Math.Pow(newAcc, -power) - Math.Pow(acc[k], -power)) / lr * w[k];
                        double quadratic = Math.Pow(newAcc, -power) / lr + 2 * l2Reg;
                        w[k] = (Math.Clamp(lin[k], -l1, l1) - lin[k]) / quadratic;
                        acc[k] = newAcc;
                    }
                },
            });
    }

    [Fact]
    public void Lion_steps_by_the_sign_of_the_interpolated_momentum()
    {
        const double b1 = 0.9, b2 = 0.99;
        Check(new Lion(learningRate: 0.01), new Reference
        {
            Lr = 0.01,
            Rule = (_, _, lr, w, g, _, slots, _) =>
            {
                var m = Slot(slots, "m", w.Length);
                for (int k = 0; k < w.Length; k++)
                {
                    w[k] -= lr * Math.Sign(m[k] * b1 + g[k] * (1 - b1));
                    m[k] = m[k] * b2 + g[k] * (1 - b2);
                }
            },
        });
    }

    [Fact]
    public void Lamb_scales_adams_step_by_the_per_variable_trust_ratio()
    {
        const double b1 = 0.9, b2 = 0.999, eps = 1e-7;
        Check(new Lamb(learningRate: 0.1), new Reference
        {
            Rule = (_, t, lr, w, g, _, slots, _) =>
            {
                var m = Slot(slots, "m", w.Length);
                var v = Slot(slots, "v", w.Length);
                var update = new double[w.Length];
                for (int k = 0; k < w.Length; k++)
                {
                    m[k] += (g[k] - m[k]) * (1 - b1);
                    v[k] += (g[k] * g[k] - v[k]) * (1 - b2);
                    update[k] = m[k] / (1 - Math.Pow(b1, t)) / (Math.Sqrt(v[k] / (1 - Math.Pow(b2, t))) + eps);
                }
                double wNorm = Math.Sqrt(w.Sum(x => x * x)), gNorm = Math.Sqrt(update.Sum(x => x * x));
                double ratio = wNorm > 0 && gNorm > 0 ? wNorm / gNorm : 1.0;
                for (int k = 0; k < w.Length; k++) w[k] -= ratio * lr * update[k];
            },
        });
    }

    [Fact]
    public void Adafactor_factors_the_second_moment_of_matrices_and_keeps_it_full_for_vectors()
    {
        const double decay = -0.8, eps1 = 1e-30, eps2 = 1e-3, clip = 1.0;
        static double Rms(IEnumerable<double> x) => Math.Sqrt(x.Average(v => v * v));
        Check(new Adafactor(learningRate: 0.1), new Reference
        {
            Rule = (_, t, lr, w, g, shape, slots, _) =>
            {
                double rho = Math.Min(Math.Min(lr, 1 / Math.Sqrt(t)), 1 / Math.Sqrt(t));
                double alpha = Math.Max(eps2, Rms(w)) * rho;
                var reg = g.Select(x => x * x + eps1).ToArray();
                double b = 1 - Math.Pow(t, decay);
                var v = Slot(slots, "v", w.Length);
                if (shape.Length == 2)
                {
                    int rows = (int)shape[0], cols = (int)shape[1];
                    var r = Slot(slots, "r", rows);
                    var c = Slot(slots, "c", cols);
                    for (int i = 0; i < rows; i++) r[i] = b * r[i] + (1 - b) * Enumerable.Range(0, cols).Average(j => reg[i * cols + j]);
                    for (int j = 0; j < cols; j++) c[j] = b * c[j] + (1 - b) * Enumerable.Range(0, rows).Average(i => reg[i * cols + j]);
                    double rMean = r.Average();
                    for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) v[i * cols + j] = r[i] / rMean * c[j];
                }
                else
                {
                    for (int k = 0; k < w.Length; k++) v[k] = b * v[k] + (1 - b) * reg[k];
                }
                var u = g.Select((x, k) => x / Math.Sqrt(v[k])).ToArray();
                double denominator = Math.Max(1.0, Rms(u) / clip);
                for (int k = 0; k < w.Length; k++) w[k] -= alpha * u[k] / denominator;
            },
        });
    }

    // ------------------------------------------------------------------ common arguments

    [Fact]
    public void Clipnorm_clips_each_gradient_to_the_norm_before_the_update()
    {
        // By hand for one step of SGD(lr=1, clipnorm=1) on g = [3, 4] (norm 5): g·1/5 = [0.6, 0.8], w = [1, 1] - g.
        var w = new KerasVariable("w", "t/w", torch.tensor(new float[] { 1, 1 }), trainable: true);
        new SGD(learningRate: 1.0, clipnorm: 1.0).Apply(new Tensor?[] { torch.tensor(new float[] { 3, 4 }) }, new[] { w });
        Assert.Equal(new[] { 0.4f, 0.2f }, w.ToArray<float>().Select(x => MathF.Round(x, 6)).ToArray());
        Check(new Adam(learningRate: 0.1, clipnorm: 0.2), new Reference { Rule = AdamRule(), Clipnorm = 0.2 });
    }

    [Fact]
    public void Global_clipnorm_clips_all_gradients_together_and_clipvalue_each_element()
    {
        Check(new SGD(learningRate: 0.5, globalClipnorm: 0.3), new Reference { Lr = 0.5, Rule = SgdRule(0, false), GlobalClipnorm = 0.3 });
        Check(new SGD(learningRate: 0.5, clipvalue: 0.1), new Reference { Lr = 0.5, Rule = SgdRule(0, false), Clipvalue = 0.1 });
    }

    [Fact]
    public void Global_clipnorm_of_a_non_finite_norm_makes_every_gradient_nan_as_keras()
    {
        var a = new KerasVariable("a", "t/a", torch.tensor(new float[] { 1, 1 }), trainable: true);
        var b = new KerasVariable("b", "t/b", torch.tensor(new float[] { 2 }), trainable: true);
        new SGD(learningRate: 0.1, globalClipnorm: 1.0).Apply(
            new Tensor?[] { torch.tensor(new[] { float.PositiveInfinity, 0f }), torch.tensor(new float[] { 1 }) }, new[] { a, b });
        Assert.All(a.ToArray<float>().Concat(b.ToArray<float>()), x => Assert.True(float.IsNaN(x)));
    }

    [Fact]
    public void Weight_decay_applies_to_every_variable_except_those_excluded_by_name_or_by_reference()
    {
        var byName = new SGD(learningRate: 0.1, weightDecay: 0.5);
        byName.ExcludeFromWeightDecay(varNames: new[] { "bias" });
        Check(byName, new Reference { Rule = SgdRule(0, false), WeightDecay = 0.5, Decays = i => i != 1 });

        var variables = Variables();
        var byReference = new Adam(learningRate: 0.1, weightDecay: 0.5);
        byReference.ExcludeFromWeightDecay(varList: new[] { variables[0] });
        var reference = new Reference { Rule = AdamRule(), WeightDecay = 0.5, Decays = i => i != 0 };
        foreach (var (values, shape) in Start) reference.Add(values, shape);
        for (int s = 0; s < 3; s++)
        {
            Step(byReference, variables, Grads(s));
            reference.Apply(Grads(s));
        }
        for (int i = 0; i < 2; i++)
            Assert.Equal(reference.W[i].Select(x => Math.Round(x, 5)), variables[i].ToArray<float>().Select(x => Math.Round((double)x, 5)));
    }

    [Fact]
    public void Loss_scale_factor_divides_the_gradients_and_scales_the_loss()
    {
        Check(new SGD(learningRate: 0.1, momentum: 0.5, lossScaleFactor: 8.0), new Reference { Rule = SgdRule(0.5, false), LossScaleFactor = 8.0 });
        using var loss = torch.tensor(1.5f);
        using var scaled = new SGD(lossScaleFactor: 4.0).ScaleLoss(loss);
        Assert.Equal(6.0f, scaled.item<float>());
        Assert.Same(loss, new SGD().ScaleLoss(loss));
    }

    [Fact]
    public void Gradient_accumulation_updates_every_nth_call_with_the_mean_gradient_and_counts_updates_as_iterations()
    {
        Check(new Adam(learningRate: 0.1, gradientAccumulationSteps: 3), new Reference { Rule = AdamRule(), Accumulation = 3 }, steps: 7);
        // With clipping and weight decay applied to the averaged gradient, at update steps only.
        Check(new SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1, clipnorm: 0.2, gradientAccumulationSteps: 2),
            new Reference { Rule = SgdRule(0.9, false), Accumulation = 2, WeightDecay = 0.1, Clipnorm = 0.2 }, steps: 6);
        var optimizer = new SGD(gradientAccumulationSteps: 2);
        var variables = Variables();
        for (int s = 0; s < 5; s++) Step(optimizer, variables, Grads(s));
        Assert.Equal(2, optimizer.Iterations);
        Assert.Equal(5, optimizer.RawIterations);
    }

    [Fact]
    public void Ema_follows_the_weights_from_the_first_step_and_overwrites_them_every_frequency_steps()
    {
        Check(new SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.9), new Reference { Rule = SgdRule(0, false), UseEma = true, EmaMomentum = 0.9 });
        Check(new Adam(learningRate: 0.1, useEma: true, emaMomentum: 0.8, emaOverwriteFrequency: 2),
            new Reference { Rule = AdamRule(), UseEma = true, EmaMomentum = 0.8, EmaOverwriteFrequency = 2 }, steps: 6);
        // EMA under accumulation: it updates at every call and its "first step" is the accumulated iterations == 0.
        Check(new SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.7, emaOverwriteFrequency: 3, gradientAccumulationSteps: 2),
            new Reference { Rule = SgdRule(0, false), UseEma = true, EmaMomentum = 0.7, EmaOverwriteFrequency = 3, Accumulation = 2 }, steps: 8);
    }

    [Fact]
    public void FinalizeVariableValues_writes_the_moving_average_into_the_weights()
    {
        var optimizer = new SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.5);
        var reference = new Reference { Rule = SgdRule(0, false), UseEma = true, EmaMomentum = 0.5 };
        var variables = Variables();
        foreach (var (values, shape) in Start) reference.Add(values, shape);
        for (int s = 0; s < 3; s++)
        {
            Step(optimizer, variables, Grads(s));
            reference.Apply(Grads(s));
        }
        optimizer.FinalizeVariableValues(variables);
        for (int i = 0; i < 2; i++)
            Assert.Equal(reference.Avg[i].Select(x => Math.Round(x, 5)), variables[i].ToArray<float>().Select(x => Math.Round((double)x, 5)));
    }

    [Fact]
    public void Fit_with_use_ema_ends_with_the_moving_average_in_the_weights()
    {
        Utils.SetRandomSeed(4);
        var model = new Models.Sequential(new Layers.Layer[] { new Layers.Dense(2) });
        model.Build(new long[] { -1, 3 });
        var optimizer = new SGD(learningRate: 0.1, useEma: true, emaMomentum: 0.5);
        model.Compile(optimizer, new Losses.MeanSquaredError());
        using var x = torch.randn(8, 3);
        using var y = torch.randn(8, 2);
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        for (int i = 0; i < model.TrainableWeights.Count; i++)
            Assert.Equal(optimizer.MovingAverages![i].data<float>().ToArray(), model.TrainableWeights[i].ToArray<float>());
    }

    [Fact]
    public void Slots_follow_kerass_variable_order_iteration_learning_rate_averages_accumulators_then_the_optimizers_own()
    {
        var variables = Variables();
        var adam = new Adam(useEma: true, gradientAccumulationSteps: 2, amsgrad: true);
        adam.Build(variables);
        var state = adam.StateTensors();
        var names = state.Select(s => s.Name).ToArray();
        foreach (var (_, value) in state) value.Dispose();
        Assert.Equal(new[]
        {
            "iteration", "learning_rate",
            "dense_kernel_average", "dense_bias_average",
            "dense_kernel_gradient_accumulator", "dense_bias_gradient_accumulator",
            "dense_kernel_momentum", "dense_kernel_velocity", "dense_bias_momentum", "dense_bias_velocity",
            "dense_kernel_velocity_hat", "dense_bias_velocity_hat",
        }, names);

        var rms = new RMSprop(momentum: 0.5, centered: true);
        rms.Build(variables);
        var rmsState = rms.StateTensors();
        Assert.Equal(new[] { "iteration", "learning_rate", "dense_kernel_velocity", "dense_bias_velocity", "dense_kernel_momentum", "dense_bias_momentum",
            "dense_kernel_average_gradient", "dense_bias_average_gradient" }, rmsState.Select(s => s.Name));
        foreach (var (_, value) in rmsState) value.Dispose();

        var nadam = new Nadam();
        nadam.Build(variables);
        var nadamState = nadam.StateTensors();
        Assert.Equal("u_product", nadamState[^1].Name); // created after the slots, a scalar 1.0
        Assert.Equal(1.0f, nadamState[^1].Value.item<float>());
        foreach (var (_, value) in nadamState) value.Dispose();

        var adafactor = new Adafactor();
        adafactor.Build(variables);
        var shapes = adafactor.StateTensors().Select(s => s.Value.shape).ToArray();
        // r, c, v per variable: (2,), (3,), (2, 3) for the kernel; scalar placeholders and (3,) for the bias.
        Assert.Equal(new[] { new long[0], new long[0], new long[] { 2 }, new long[] { 3 }, new long[] { 2, 3 }, new long[0], new long[0], new long[] { 3 } }, shapes);

        var adagrad = new Adagrad(initialAccumulatorValue: 0.3);
        adagrad.Build(variables);
        Assert.All(adagrad.StateTensors().Skip(2), s => Assert.All(s.Value.data<float>().ToArray(), v => Assert.Equal(0.3f, v)));
        var sgd = new SGD();
        sgd.Build(variables);
        Assert.Equal(2, sgd.StateCount); // momentum 0: no slots
    }

    // ------------------------------------------------------------------ Keras' errors and edge cases

    [Fact]
    public void Common_arguments_are_checked_with_kerass_messages()
    {
        Assert.Equal("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: clipnorm=1.0, clipvalue=0.5, global_clipnorm=None",
            Assert.Throws<KerasArgumentException>(() => new SGD(clipnorm: 1.0, clipvalue: 0.5)).Message.Split(" (Parameter")[0]);
        Assert.StartsWith("`gradient_accumulation_steps` must be an integer >= 2. Received: gradient_accumulation_steps=1",
            Assert.Throws<KerasArgumentException>(() => new Adam(gradientAccumulationSteps: 1)).Message);
        Assert.StartsWith("`ema_momentum` must be in the range [0, 1]. Received: ema_momentum=1.5",
            Assert.Throws<KerasArgumentException>(() => new Adam(useEma: true, emaMomentum: 1.5)).Message);
        Assert.StartsWith("`momentum` must be a float between [0, 1].", Assert.Throws<KerasArgumentException>(() => new SGD(momentum: 1.5)).Message);
        Assert.StartsWith("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to SignSGD. Received: beta_1=0.0.",
            Assert.Throws<KerasArgumentException>(() => new Lion(beta1: 0.0)).Message);
        Assert.StartsWith("`learning_rate_power` needs to be negative or zero. Received: learning_rate_power=0.5.",
            Assert.Throws<KerasArgumentException>(() => new Ftrl(learningRatePower: 0.5)).Message);
        Assert.StartsWith("`initial_accumulator_value` needs to be positive or zero.",
            Assert.Throws<KerasArgumentException>(() => new Ftrl(initialAccumulatorValue: -1)).Message);
    }

    [Fact]
    public void Apply_is_a_no_op_for_no_gradients_fails_when_all_are_missing_and_refuses_unknown_variables()
    {
        var variables = Variables();
        var sgd = new SGD();
        sgd.Apply(Array.Empty<Tensor?>(), Array.Empty<KerasVariable>());
        Assert.Equal(0, sgd.Iterations);
        Assert.False(sgd.Built);
        Assert.Equal("No gradients provided for any variable.",
            Assert.Throws<KerasArgumentException>(() => sgd.Apply(new Tensor?[] { null, null }, variables)).Message);
        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        sgd.Apply(new Tensor?[] { null, torch.ones(3) }, variables);
        Assert.Contains("Gradients do not exist for variables ['dense/kernel'] when minimizing the loss.", warnings.ToString());
        Assert.Equal(new[] { 0.5f, -1.2f, 2.0f, 0.3f, -0.7f, 1.1f }, variables[0].ToArray<float>());
        var other = new KerasVariable("w", "other/w", torch.ones(3), trainable: true);
        Assert.Contains("This optimizer can only be called for the variables it was originally built with",
            Assert.Throws<KerasArgumentException>(() => sgd.Apply(new Tensor?[] { torch.ones(3) }, new[] { other })).Message);
    }

    [Fact]
    public void Default_names_are_keras_3_15s_auto_names_from_the_class_name()
    {
        // Keras 3.15.1 (commit "Keras subclass optimizers default name to None", #22972): name=None -> auto_name(class name),
        // to_snake_case("RMSprop") == "rm_sprop", "AdamW" -> "adam_w"; repeated names get _1, _2.
        Assert.Equal("adam", new Adam().Name);
        Assert.Equal("adam_1", new Adam().Name);
        Assert.Equal("rm_sprop", new RMSprop().Name);
        Assert.Equal("adam_w", new AdamW().Name);
        Assert.Equal("sgd", new SGD().Name);
        Assert.Equal("adafactor", new Adafactor().Name);
        Assert.Equal("loss_scale_optimizer", new LossScaleOptimizer(new SGD()).Name);
        Assert.Equal("mine", new Lamb(name: "mine").Name);
    }

    [Fact]
    public void Optimizer_steps_with_every_common_argument_release_every_handle_they_create()
    {
        var variables = Variables();
        var optimizers = new Optimizer[]
        {
            new Adam(useEma: true, emaOverwriteFrequency: 2, gradientAccumulationSteps: 2, clipnorm: 1, weightDecay: 0.1, amsgrad: true),
            new Nadam(globalClipnorm: 1), new Adafactor(clipvalue: 0.5), new Lamb(), new Ftrl(), new Adadelta(), new Adamax(), new Lion(),
            new Adagrad(), new RMSprop(momentum: 0.5, centered: true), new LossScaleOptimizer(new SGD(momentum: 0.9)),
        };
        var grads = Grads(0);
        foreach (var optimizer in optimizers) Step(optimizer, variables, grads); // slots now exist
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = torch.Tensor.TotalCount;
        for (int s = 0; s < 5; s++)
            foreach (var optimizer in optimizers)
            {
                var g = variables.Select(v => (Tensor?)torch.full(v.Shape, 0.1f)).ToArray();
                optimizer.Apply(g, variables);
                foreach (var t in g) t!.Dispose();
            }
        Assert.Equal(before, torch.Tensor.TotalCount);
    }
}

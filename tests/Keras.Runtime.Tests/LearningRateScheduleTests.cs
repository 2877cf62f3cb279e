using System.Text.Json.Nodes;
using Keras.Callbacks;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using Keras.Optimizers.Schedules;
using Keras.SavingLib;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// keras.optimizers.schedules (keras/src/optimizers/schedules/learning_rate_schedule.py), schedules inside optimizers
/// (evaluated at the optimizer's own step counter, serialized as objects, no learning_rate variable), and the
/// LearningRateScheduler / ReduceLROnPlateau callbacks' handling of them.
/// </summary>
public class LearningRateScheduleTests : KerasTestBase
{
    private const double Tol = 1e-12;

    [Fact]
    public void ExponentialDecay_is_initial_times_rate_to_the_step_over_decay_steps_floored_with_staircase()
    {
        var s = new ExponentialDecay(0.1, 10, 0.5);
        Assert.Equal(0.1, s.Call(0), Tol);
        Assert.Equal(0.05, s.Call(10), Tol);
        Assert.Equal(0.025, s.Call(20), Tol);
        Assert.Equal(0.1 * Math.Pow(0.5, 1.5), s.Call(15), Tol);
        var stairs = new ExponentialDecay(0.1, 10, 0.5, staircase: true);
        Assert.Equal(0.05, stairs.Call(15), Tol);
        Assert.Equal(0.1, stairs.Call(9), Tol);
    }

    [Fact]
    public void InverseTimeDecay_divides_by_one_plus_rate_times_step_over_decay_steps()
    {
        var s = new InverseTimeDecay(0.1, 10, 0.5);
        Assert.Equal(0.1, s.Call(0), Tol);
        Assert.Equal(0.05, s.Call(20), Tol);
        Assert.Equal(0.1 / 1.75, s.Call(15), Tol);
        Assert.Equal(0.1 / 1.5, new InverseTimeDecay(0.1, 10, 0.5, staircase: true).Call(15), Tol);
    }

    [Fact]
    public void PolynomialDecay_reaches_the_end_rate_at_decay_steps_and_cycles_to_the_next_multiple()
    {
        var s = new PolynomialDecay(0.1, 10, endLearningRate: 0.01, power: 2);
        Assert.Equal(0.1, s.Call(0), Tol);
        Assert.Equal(0.09 * 0.25 + 0.01, s.Call(5), Tol);
        Assert.Equal(0.01, s.Call(10), Tol);
        Assert.Equal(0.01, s.Call(25), Tol);
        var cyc = new PolynomialDecay(0.1, 10, endLearningRate: 0.01, power: 2, cycle: true);
        Assert.Equal(0.1, cyc.Call(0), Tol);                           // multiplier 1 at step 0
        Assert.Equal(0.09 * 0.0625 + 0.01, cyc.Call(15), Tol);        // decay_steps 20, p = 0.75
        Assert.Equal(0.0001, new PolynomialDecay(1.0, 5).EndLearningRate);
    }

    [Fact]
    public void PiecewiseConstantDecay_takes_each_value_up_to_and_including_its_boundary()
    {
        var s = new PiecewiseConstantDecay(new double[] { 10, 20 }, new[] { 1.0, 0.5, 0.1 });
        Assert.Equal(1.0, s.Call(0));
        Assert.Equal(1.0, s.Call(10));
        Assert.Equal(0.5, s.Call(11));
        Assert.Equal(0.5, s.Call(20));
        Assert.Equal(0.1, s.Call(21));
        Assert.StartsWith("The length of boundaries should be 1 less than the length of values. Received: boundaries=[10.0] of length 1, and values=[1.0] of length 1.",
            Assert.Throws<KerasArgumentException>(() => new PiecewiseConstantDecay(new double[] { 10 }, new[] { 1.0 })).Message);
    }

    [Fact]
    public void CosineDecay_decays_to_alpha_and_with_warmup_rises_linearly_to_the_target_first()
    {
        var s = new CosineDecay(0.1, 20, alpha: 0.1);
        Assert.Equal(0.1, s.Call(0), Tol);
        Assert.Equal(0.1 * (0.9 * 0.5 + 0.1), s.Call(10), Tol);  // cos(pi/2) = 0
        Assert.Equal(0.01, s.Call(20), Tol);
        Assert.Equal(0.01, s.Call(100), Tol);
        var warm = new CosineDecay(0.0, 20, warmupTarget: 1.0, warmupSteps: 10);
        Assert.Equal(0.0, warm.Call(0), Tol);
        Assert.Equal(0.5, warm.Call(5), Tol);
        Assert.Equal(1.0, warm.Call(10), Tol);
        Assert.Equal(0.5, warm.Call(20), Tol);                    // halfway through the decay
        Assert.Equal(0.0, warm.Call(40), 1e-12);                  // capped at warmup + decay steps
    }

    [Fact]
    public void CosineDecayRestarts_restarts_with_periods_growing_by_t_mul_and_peaks_by_m_mul()
    {
        var s = new CosineDecayRestarts(1.0, 10, tMul: 2.0, mMul: 0.5);
        Assert.Equal(1.0, s.Call(0), Tol);
        Assert.Equal(0.5, s.Call(5), Tol);             // 0.5 (1 + cos(pi/2))
        Assert.Equal(0.5, s.Call(10), 1e-9);           // second period starts at 0.5
        Assert.Equal(0.25, s.Call(20), 1e-9);          // halfway through the 20-step second period
        Assert.Equal(0.25, s.Call(30), 1e-9);          // third period starts at 0.25
        var equal = new CosineDecayRestarts(1.0, 10, tMul: 1.0, alpha: 0.2);
        Assert.Equal(0.2 + 0.8 * 0.5, equal.Call(15), Tol);
        Assert.Equal(1.0, equal.Call(20), Tol);
    }

    [Fact]
    public void Decay_steps_must_be_positive_as_keras_checks()
    {
        Assert.StartsWith("Argument `decay_steps` must be > 0.", Assert.Throws<KerasArgumentException>(() => new ExponentialDecay(0.1, 0, 0.5)).Message);
        Assert.StartsWith("Argument `decay_steps` must be > 0.", Assert.Throws<KerasArgumentException>(() => new CosineDecay(0.1, -1)).Message);
        Assert.StartsWith("Argument `first_decay_steps` must be > 0.", Assert.Throws<KerasArgumentException>(() => new CosineDecayRestarts(0.1, 0)).Message);
    }

    public static IEnumerable<object[]> Schedules() => new[]
    {
        new object[] { new ExponentialDecay(0.1, 100, 0.9, staircase: true, name: "e"), "{\"initial_learning_rate\":0.1,\"decay_steps\":100,\"decay_rate\":0.9,\"staircase\":true,\"name\":\"e\"}" },
        new object[] { new InverseTimeDecay(0.2, 3, 0.5), "{\"initial_learning_rate\":0.2,\"decay_steps\":3,\"decay_rate\":0.5,\"staircase\":false,\"name\":\"InverseTimeDecay\"}" },
        new object[] { new PolynomialDecay(0.3, 7, 0.01, 2, true), "{\"initial_learning_rate\":0.3,\"decay_steps\":7,\"end_learning_rate\":0.01,\"power\":2,\"cycle\":true,\"name\":\"PolynomialDecay\"}" },
        new object[] { new PiecewiseConstantDecay(new double[] { 5, 9 }, new[] { 1.0, 0.5, 0.25 }), "{\"boundaries\":[5,9],\"values\":[1,0.5,0.25],\"name\":\"PiecewiseConstant\"}" },
        new object[] { new CosineDecay(0.1, 50, 0.05, warmupTarget: 0.5, warmupSteps: 4), "{\"initial_learning_rate\":0.1,\"decay_steps\":50,\"alpha\":0.05,\"name\":\"CosineDecay\",\"warmup_target\":0.5,\"warmup_steps\":4}" },
        new object[] { new CosineDecayRestarts(0.1, 10, 3, 0.9, 0.01), "{\"initial_learning_rate\":0.1,\"first_decay_steps\":10,\"t_mul\":3,\"m_mul\":0.9,\"alpha\":0.01,\"name\":\"SGDRDecay\"}" },
    };

    [Theory]
    [MemberData(nameof(Schedules))]
    public void Every_schedule_serializes_under_keras_optimizers_schedules_with_kerass_keys_and_round_trips(LearningRateSchedule schedule, string config)
    {
        var json = KerasObjects.Serialize(schedule);
        Assert.Equal("keras.optimizers.schedules", (string?)json["module"]);
        Assert.Equal(schedule.GetType().Name, (string?)json["class_name"]);
        Assert.Null(json["registered_name"]);
        Assert.Equal(config, json["config"]!.ToJsonString());
        var back = KerasObjects.Deserialize<LearningRateSchedule>(JsonNode.Parse(json.ToJsonString())!, "test");
        Assert.IsType(schedule.GetType(), back);
        Assert.Equal(config, back.GetConfig().ToJsonString());
        foreach (long step in new long[] { 0, 3, 8, 40 }) Assert.Equal(schedule.Call(step), back.Call(step));
    }

    [Fact]
    public void A_schedule_is_evaluated_at_the_optimizers_step_before_each_update()
    {
        var w = new KerasVariable("w", "t/w", torch.tensor(new float[] { 1 }), trainable: true);
        var sgd = new SGD(learningRate: new ExponentialDecay(0.1, 1, 0.5));
        for (int i = 0; i < 3; i++) sgd.Apply(new torch.Tensor?[] { torch.ones(1) }, new[] { w });
        Assert.Equal(1 - (0.1 + 0.05 + 0.025), w.ToArray<float>()[0], 6);
        Assert.Equal(0.0125, sgd.LearningRate, Tol);
        Assert.StartsWith("This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` constructor argument, hence its learning rate is not settable.",
            Assert.Throws<KerasTypeException>(() => sgd.LearningRate = 0.1).Message);
    }

    [Fact]
    public void Under_gradient_accumulation_a_schedule_sees_the_real_step_count()
    {
        // Keras: schedules look at optimizer._iterations (every call), not the accumulated iterations.
        var w = new KerasVariable("w", "t/w", torch.tensor(new float[] { 1 }), trainable: true);
        var sgd = new SGD(learningRate: new PiecewiseConstantDecay(new double[] { 0 }, new[] { 1.0, 0.1 }), gradientAccumulationSteps: 2);
        sgd.Apply(new torch.Tensor?[] { torch.ones(1) }, new[] { w });
        sgd.Apply(new torch.Tensor?[] { torch.ones(1) }, new[] { w }); // update at raw step 1: lr = 0.1, mean gradient 1
        Assert.Equal(0.9f, w.ToArray<float>()[0], 6);
        Assert.Equal(1, sgd.Iterations);
    }

    [Fact]
    public void An_optimizer_with_a_schedule_saves_it_in_its_config_and_has_no_learning_rate_variable()
    {
        var adam = new Adam(learningRate: new CosineDecay(0.01, 100));
        var json = KerasObjects.Serialize(adam);
        var rate = json["config"]!["learning_rate"]!.AsObject();
        Assert.Equal("keras.optimizers.schedules", (string?)rate["module"]);
        Assert.Equal("CosineDecay", (string?)rate["class_name"]);
        var back = Assert.IsType<Adam>(KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(json.ToJsonString())!, "test"));
        Assert.IsType<CosineDecay>(back.Schedule);
        Assert.Equal(1, back.StateCount); // iteration only: Keras creates the learning_rate variable only for a float rate
        back.Build(new[] { new KerasVariable("w", "t/w", torch.ones(2), trainable: true) });
        Assert.Equal(new[] { "iteration", "t_w_momentum", "t_w_velocity" }, back.StateTensors().Select(s => s.Name));
    }

    private static (Sequential Model, torch.Tensor X, torch.Tensor Y) Problem(Optimizer optimizer)
    {
        Utils.SetRandomSeed(2);
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Build(new long[] { -1, 2 });
        model.Compile(optimizer, new Losses.MeanSquaredError());
        return (model, torch.randn(8, 2), torch.randn(8, 1));
    }

    [Fact]
    public void LearningRateScheduler_sets_the_rate_from_epoch_and_rate_at_each_epoch_and_logs_it()
    {
        var sgd = new SGD(learningRate: 0.1);
        var (model, x, y) = Problem(sgd);
        var output = new StringWriter();
        Utilities.IoUtils.StdoutOverride = output;
        var history = model.Fit(x, y, epochs: 3, verbose: 0, callbacks: new[] { new LearningRateScheduler((epoch, lr) => epoch == 0 ? lr : lr * 0.5, verbose: 1) });
        Assert.Equal(new[] { 0.1, 0.05, 0.025 }, history.HistoryDict["learning_rate"]);
        Assert.Equal(0.025, sgd.LearningRate);
        Assert.Contains("Epoch 3: LearningRateScheduler setting learning rate to 0.025.", output.ToString());

        var second = new SGD(learningRate: 0.1);
        var (model2, _, _) = Problem(second);
        model2.Fit(x, y, epochs: 2, verbose: 0, callbacks: new[] { new LearningRateScheduler(epoch => 0.3 / (epoch + 1)) });
        Assert.Equal(0.15, second.LearningRate);
    }

    [Fact]
    public void LearningRateScheduler_and_ReduceLROnPlateau_refuse_an_optimizer_built_on_a_schedule_as_keras()
    {
        var (model, x, y) = Problem(new SGD(learningRate: new ExponentialDecay(0.1, 10, 0.9)));
        Assert.Throws<KerasTypeException>(() => model.Fit(x, y, epochs: 1, verbose: 0, callbacks: new[] { new LearningRateScheduler((_, lr) => lr) }));

        var (plateau, px, py) = Problem(new SGD(learningRate: new ExponentialDecay(0.1, 10, 0.9)));
        // patience 0 and min_delta huge: the second epoch does not improve, and the reduction fails in the setter.
        var reduce = new ReduceLROnPlateau(monitor: "loss", patience: 0, minDelta: 1e9);
        Assert.Throws<KerasTypeException>(() => plateau.Fit(px, py, epochs: 2, verbose: 0, callbacks: new[] { reduce }));
    }

    [Fact]
    public void ReduceLROnPlateau_records_the_learning_rate_in_the_epoch_logs()
    {
        var (model, x, y) = Problem(new SGD(learningRate: 0.1));
        var history = model.Fit(x, y, epochs: 2, verbose: 0, callbacks: new[] { new ReduceLROnPlateau(monitor: "loss", patience: 0, minDelta: 1e9) });
        Assert.Equal(0.1, history.HistoryDict["learning_rate"][0], Tol);
        Assert.Equal(0.1, history.HistoryDict["learning_rate"][1], Tol); // logged before this epoch's reduction, as Keras
        Assert.Equal(0.01, model.Optimizer!.LearningRate, Tol);
    }
}

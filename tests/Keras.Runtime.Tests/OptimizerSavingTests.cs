using System.Text.Json.Nodes;
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
/// Optimizers' configs (keras/src/optimizers/*.py get_config, keras.optimizers.get/deserialize) and their state in
/// weight files (base_optimizer.save_own_variables / load_own_variables): round trips, Keras' name resolution, and
/// training that resumes bit for bit after SaveWeights/LoadWeights and Save/LoadModel.
/// </summary>
public class OptimizerSavingTests : KerasTestBase
{
    private string TempFile(string name) => Path.Combine(KerasHome, name);

    /// <summary>Every optimizer, with non-default values for its own and the common arguments.</summary>
    public static IEnumerable<object[]> Configured() => new Func<Optimizer>[]
    {
        () => new SGD(0.05, momentum: 0.5, nesterov: true, weightDecay: 0.01, clipnorm: 1.5, name: "s"),
        () => new Adam(0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, amsgrad: true, globalClipnorm: 2.0, useEma: true, emaMomentum: 0.9, emaOverwriteFrequency: 3),
        () => new AdamW(0.003, weightDecay: 0.05, amsgrad: true, gradientAccumulationSteps: 4),
        () => new RMSprop(0.004, rho: 0.8, momentum: 0.3, epsilon: 1e-5, centered: true, clipvalue: 0.5, lossScaleFactor: 128.0),
        () => new Nadam(0.005, beta1: 0.85, beta2: 0.95, epsilon: 1e-6),
        () => new Adamax(0.006, beta1: 0.7, beta2: 0.9, epsilon: 1e-5),
        () => new Adagrad(0.007, initialAccumulatorValue: 0.2, epsilon: 1e-6),
        () => new Adadelta(0.5, rho: 0.9, epsilon: 1e-6),
        () => new Ftrl(0.008, learningRatePower: -0.4, initialAccumulatorValue: 0.3, l1RegularizationStrength: 0.01, l2RegularizationStrength: 0.02,
            l2ShrinkageRegularizationStrength: 0.03, beta: 0.1),
        () => new Lion(0.0005, beta1: 0.8, beta2: 0.9),
        () => new Lamb(0.009, beta1: 0.85, beta2: 0.9, epsilon: 1e-6),
        () => new Adafactor(0.01, beta2Decay: -0.7, epsilon1: 1e-29, epsilon2: 1e-2, clipThreshold: 2.0, relativeStep: false),
        () => new SGD(new CosineDecay(0.1, 100, warmupTarget: 0.2, warmupSteps: 5)),
        () => new LossScaleOptimizer(new Adam(0.01, useEma: true), initialScale: 1024, dynamicGrowthSteps: 7),
    }.Select(f => new object[] { f });

    private static readonly string[] CommonKeys =
    {
        "name", "learning_rate", "weight_decay", "clipnorm", "global_clipnorm", "clipvalue", "use_ema", "ema_momentum", "ema_overwrite_frequency",
        "loss_scale_factor", "gradient_accumulation_steps",
    };

    [Theory]
    [MemberData(nameof(Configured))]
    public void Every_optimizer_config_has_kerass_keys_in_order_and_round_trips(Func<Optimizer> make)
    {
        var optimizer = make();
        var json = KerasObjects.Serialize(optimizer);
        Assert.Equal("keras.optimizers", (string?)json["module"]);
        Assert.Equal(optimizer.GetType().Name, (string?)json["class_name"]);
        var config = json["config"]!.AsObject();
        if (optimizer is not LossScaleOptimizer) Assert.Equal(CommonKeys, config.Select(p => p.Key).Take(CommonKeys.Length));
        else Assert.Equal(new[] { "name", "inner_optimizer", "initial_scale", "dynamic_growth_steps" }, config.Select(p => p.Key));
        var back = KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(json.ToJsonString())!, "test");
        Assert.IsType(optimizer.GetType(), back);
        Assert.Equal(config.ToJsonString(), back.GetConfig().ToJsonString());
    }

    [Fact]
    public void Each_optimizer_writes_its_own_keys_as_keras()
    {
        static string[] Own(Optimizer o) => o.GetConfig().Select(p => p.Key).Skip(CommonKeys.Length).ToArray();
        Assert.Equal(new[] { "momentum", "nesterov" }, Own(new SGD()));
        Assert.Equal(new[] { "beta_1", "beta_2", "epsilon", "amsgrad" }, Own(new Adam()));
        Assert.Equal(new[] { "beta_1", "beta_2", "epsilon", "amsgrad" }, Own(new AdamW()));
        Assert.Equal(new[] { "rho", "momentum", "epsilon", "centered" }, Own(new RMSprop()));
        Assert.Equal(new[] { "beta_1", "beta_2", "epsilon" }, Own(new Nadam()));
        Assert.Equal(new[] { "beta_1", "beta_2", "epsilon" }, Own(new Adamax()));
        Assert.Equal(new[] { "initial_accumulator_value", "epsilon" }, Own(new Adagrad()));
        Assert.Equal(new[] { "rho", "epsilon" }, Own(new Adadelta()));
        Assert.Equal(new[] { "learning_rate_power", "initial_accumulator_value", "l1_regularization_strength", "l2_regularization_strength",
            "l2_shrinkage_regularization_strength", "beta" }, Own(new Ftrl()));
        Assert.Equal(new[] { "beta_1", "beta_2" }, Own(new Lion()));
        Assert.Equal(new[] { "beta_1", "beta_2", "epsilon" }, Own(new Lamb()));
        Assert.Equal(new[] { "beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step" }, Own(new Adafactor()));
    }

    [Theory]
    [InlineData("sgd", typeof(SGD), 0.01)]
    [InlineData("ADAM", typeof(Adam), 0.001)]
    [InlineData("RMSprop", typeof(RMSprop), 0.001)]
    [InlineData("adamw", typeof(AdamW), 0.001)]
    [InlineData("adadelta", typeof(Adadelta), 0.001)]
    [InlineData("adagrad", typeof(Adagrad), 0.001)]
    [InlineData("adamax", typeof(Adamax), 0.001)]
    [InlineData("adafactor", typeof(Adafactor), 0.001)]
    [InlineData("Nadam", typeof(Nadam), 0.001)]
    [InlineData("ftrl", typeof(Ftrl), 0.001)]
    [InlineData("lion", typeof(Lion), 0.001)]
    public void Get_resolves_kerass_names_case_insensitively_with_kerass_defaults(string identifier, Type type, double learningRate)
    {
        var optimizer = Optimizer.Get(identifier);
        Assert.IsType(type, optimizer);
        Assert.Equal(learningRate, optimizer.LearningRate);
    }

    [Fact]
    public void Lamb_is_not_in_kerass_name_table_but_its_class_name_deserializes_and_unknown_names_suggest_the_nearest()
    {
        // keras/src/optimizers/__init__.py ALL_OBJECTS has no Lamb: get("lamb") fails there too.
        Assert.StartsWith("Could not interpret optimizer identifier: lamb", Assert.Throws<KerasArgumentException>(() => Optimizer.Get("lamb")).Message);
        var lamb = KerasObjects.Deserialize<Optimizer>(JsonNode.Parse("""{"module": "keras.optimizers", "class_name": "Lamb", "config": {"learning_rate": 0.02}}""")!, "test");
        Assert.Equal(0.02, Assert.IsType<Lamb>(lamb).LearningRate);
        Assert.Equal("Could not interpret optimizer identifier: adan. Did you mean 'adam'?", Assert.Throws<KerasArgumentException>(() => Optimizer.Get("adan")).Message);
        Assert.Throws<KerasTypeException>(() => Optimizer.Get("lossscaleoptimizer")); // needs its inner optimizer, a TypeError in Keras
        foreach (var name in Shared.KerasIdentifiers.Optimizers.Identifiers.Where(n => n != "lossscaleoptimizer"))
            Assert.Equal(Shared.KerasIdentifiers.Optimizers.Resolve(name), Optimizer.Get(name).GetType().Name);
    }

    [Fact]
    public void A_config_as_python_keras_writes_it_loads_and_tf_keras_flags_are_accepted()
    {
        const string keras3 = """
        {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": null,
          "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": true, "ema_momentum": 0.95, "ema_overwrite_frequency": 10,
          "loss_scale_factor": null, "gradient_accumulation_steps": 2, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}, "registered_name": null}
        """;
        var adam = Assert.IsType<Adam>(KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(keras3)!, "test"));
        Assert.True(adam.UseEma);
        Assert.Equal(0.95, adam.EmaMomentum);
        Assert.Equal(10, adam.EmaOverwriteFrequency);
        Assert.Equal(2, adam.GradientAccumulationSteps);
        const string tfKeras = """
        {"class_name": "Adam", "config": {"name": "Adam", "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null,
          "use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": null, "jit_compile": true, "is_legacy_optimizer": false,
          "learning_rate": 0.01, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}}
        """;
        Assert.Equal(0.01, KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(tfKeras)!, "test").LearningRate);
        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        KerasObjects.Deserialize<Optimizer>(JsonNode.Parse("""{"class_name": "SGD", "config": {"decay": 0.1}}""")!, "test");
        Assert.Contains("Argument `decay` is no longer supported and will be ignored.", warnings.ToString());
        var unknown = Assert.Throws<KerasConfigException>(() =>
            KerasObjects.Deserialize<Optimizer>(JsonNode.Parse("""{"class_name": "SGD", "config": {"momentum_schedule": 3}}""")!, "test"));
        Assert.Contains("momentum_schedule", unknown.Message);
        Assert.Equal("Argument `weight_decay` must be a float. Received: weight_decay=None", Assert.Throws<KerasArgumentException>(() =>
            KerasObjects.Deserialize<Optimizer>(JsonNode.Parse("""{"class_name": "AdamW", "config": {"weight_decay": null}}""")!, "test")).Message);
    }

    // ------------------------------------------------------------------ state in weight files

    private static Sequential Mlp()
    {
        var model = new Sequential(new Layer[] { new Dense(4, activation: "tanh"), new Dense(2) });
        model.Build(new long[] { -1, 3 });
        return model;
    }

    private static (torch.Tensor X, torch.Tensor Y) Data()
    {
        using var g = new torch.Generator(11);
        return (torch.randn(new long[] { 10, 3 }, generator: g), torch.randn(new long[] { 10, 2 }, generator: g));
    }

    private static float[][] Values(Model model) => model.Weights.Select(w => w.ToArray<float>()).ToArray();

    /// <summary>Optimizers whose full state (EMA, accumulators mid-cycle, u_product, factored moments, loss scale) must survive a file.</summary>
    public static IEnumerable<object[]> Resumable() => new Func<Optimizer>[]
    {
        () => new SGD(0.05, momentum: 0.9, nesterov: true),
        () => new Adam(0.01, amsgrad: true, useEma: true, emaMomentum: 0.9, gradientAccumulationSteps: 2),
        () => new AdamW(0.01, weightDecay: 0.1),
        () => new RMSprop(0.01, momentum: 0.5, centered: true),
        () => new Nadam(0.01, useEma: true, emaOverwriteFrequency: 2),
        () => new Adamax(0.01),
        () => new Adagrad(0.1),
        () => new Adadelta(1.0),
        () => new Ftrl(0.1, l1RegularizationStrength: 0.001),
        () => new Lion(0.001),
        () => new Lamb(0.01),
        () => new Adafactor(0.05, gradientAccumulationSteps: 3),
        () => new SGD(new ExponentialDecay(0.1, 3, 0.5)),
        () => new LossScaleOptimizer(new Adam(0.01, useEma: true), initialScale: 256, dynamicGrowthSteps: 2),
    }.Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(Resumable))]
    public void SaveWeights_then_LoadWeights_resumes_training_bit_for_bit(Func<Optimizer> make)
    {
        Utils.SetRandomSeed(8);
        var (x, y) = Data();
        var original = Mlp();
        original.Compile(make(), new Losses.MeanSquaredError());
        original.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false); // 5 steps: an accumulation cycle is open
        string path = TempFile("resume.weights.h5");
        original.SaveWeights(path);

        var resumed = Mlp();
        resumed.Compile(make(), new Losses.MeanSquaredError());
        resumed.Optimizer!.Build(resumed.TrainableWeights);
        resumed.LoadWeights(path);
        Assert.Equal(original.Optimizer!.Iterations, resumed.Optimizer.Iterations);
        Assert.Equal(original.Optimizer.RawIterations, resumed.Optimizer.RawIterations);

        original.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        resumed.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(Values(original), Values(resumed));
        Assert.Equal(StateOf(original.Optimizer), StateOf(resumed.Optimizer));
    }

    private static float[][] StateOf(Optimizer optimizer)
    {
        var state = optimizer.StateTensors();
        try
        {
            return state.Select(s => s.Value.to_type(torch.ScalarType.Float32).data<float>().ToArray()).ToArray();
        }
        finally
        {
            foreach (var (_, v) in state) v.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Resumable))]
    public void Save_then_LoadModel_resumes_training_bit_for_bit(Func<Optimizer> make)
    {
        Utils.SetRandomSeed(9);
        var (x, y) = Data();
        var original = Mlp();
        original.Compile(make(), new Losses.MeanSquaredError());
        original.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        string path = TempFile("resume.keras");
        original.Save(path);
        var loaded = Saving.LoadModel(path);
        Assert.IsType(original.Optimizer!.GetType(), loaded.Optimizer);
        original.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        loaded.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(Values(original), Values(loaded));
    }

    [Fact]
    public void A_keras_layout_weights_file_with_ema_and_accumulator_state_loads_into_the_slots()
    {
        // Keras' (torch backend) order for Adam(use_ema=True, gradient_accumulation_steps=2) on Dense(2) with a (3, 2) kernel:
        // 0 iteration (int32 on torch), 1 learning_rate, 2-3 averages, 4-5 gradient accumulators, 6-9 momentum/velocity interleaved.
        string path = TempFile("keras_layout.weights.h5");
        static PureHDF.H5Dataset F(float[] v, params ulong[] dims) => new(v, fileDims: dims);
        var kernel = new float[] { 1, 2, 3, 4, 5, 6 };
        var file = new PureHDF.H5File
        {
            ["layers"] = new PureHDF.H5Group { ["dense"] = new PureHDF.H5Group { ["vars"] = new PureHDF.H5Group
            {
                ["0"] = F(kernel, 3, 2), ["1"] = F(new float[] { 0.5f, -0.5f }, 2),
            } } },
            ["optimizer"] = new PureHDF.H5Group { ["vars"] = new PureHDF.H5Group
            {
                ["0"] = new PureHDF.H5Dataset(7),
                ["1"] = new PureHDF.H5Dataset(0.0025f),
                ["2"] = F(kernel.Select(v => v * 0.9f).ToArray(), 3, 2), ["3"] = F(new[] { 0.4f, -0.4f }, 2),
                ["4"] = F(kernel.Select(v => v * 0.1f).ToArray(), 3, 2), ["5"] = F(new[] { 0.01f, 0.02f }, 2),
                ["6"] = F(Enumerable.Repeat(0.3f, 6).ToArray(), 3, 2), ["7"] = F(Enumerable.Repeat(0.03f, 6).ToArray(), 3, 2),
                ["8"] = F(new[] { 0.2f, 0.2f }, 2), ["9"] = F(new[] { 0.02f, 0.02f }, 2),
            } },
        };
        file.Write(path);
        var model = new Sequential(new Layer[] { new Dense(2) });
        model.Build(new long[] { -1, 3 });
        var adam = new Adam(useEma: true, gradientAccumulationSteps: 2);
        model.Compile(adam, new Losses.MeanSquaredError());
        adam.Build(model.TrainableWeights);
        model.LoadWeights(path);
        Assert.Equal(7, adam.RawIterations);
        Assert.Equal(3, adam.Iterations); // 7 calls // 2 steps
        Assert.Equal(0.0025f, (float)adam.LearningRate);
        var state = StateOf(adam);
        Assert.Equal(kernel.Select(v => v * 0.9f), state[2]);
        Assert.Equal(new[] { 0.01f, 0.02f }, state[5]);
        Assert.Equal(new[] { 0.02f, 0.02f }, state[9]);
        Assert.Equal(kernel.Select(v => v * 0.9f), adam.MovingAverages![0].data<float>().ToArray());
    }
}

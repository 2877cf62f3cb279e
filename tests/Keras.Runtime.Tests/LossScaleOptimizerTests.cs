using System.IO.Compression;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using Keras.SavingLib;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// keras.optimizers.LossScaleOptimizer (keras/src/optimizers/loss_scale_optimizer.py) and Trainer.compile's
/// auto_scale_loss (keras/src/trainers/trainer.py): the dynamic scale rule, its config, its variables in the weight
/// file, and when Compile wraps.
/// </summary>
public class LossScaleOptimizerTests : KerasTestBase
{
    private string TempFile(string name) => Path.Combine(KerasHome, name);

    private static KerasVariable W() => new("w", "t/w", torch.tensor(new float[] { 1, 2 }), trainable: true);

    private static void Apply(Optimizer optimizer, KerasVariable w, params float[] gradient) =>
        optimizer.Apply(new torch.Tensor?[] { torch.tensor(gradient) }, new[] { w });

    [Fact]
    public void A_non_finite_gradient_skips_the_step_halves_the_scale_and_resets_the_counter()
    {
        var w = W();
        var lso = new LossScaleOptimizer(new SGD(learningRate: 0.5), initialScale: 8, dynamicGrowthSteps: 3);
        Apply(lso, w, 8, 8); // finite: w -= 0.5 * 8/8
        Assert.Equal(new[] { 0.5f, 1.5f }, w.ToArray<float>());
        Assert.Equal(1, lso.StepCounter);
        Apply(lso, w, float.PositiveInfinity, 1);
        Assert.Equal(new[] { 0.5f, 1.5f }, w.ToArray<float>()); // skipped
        Assert.Equal(4.0, lso.DynamicScale);
        Assert.Equal(0, lso.StepCounter);
        Apply(lso, w, float.NaN, 1);
        Assert.Equal(2.0, lso.DynamicScale);
        Assert.Equal(1, lso.Iterations); // the inner optimizer counts applied steps only
        Assert.Equal(0, lso.RawIterations); // Keras never advances the wrapper's own iteration variable
    }

    [Fact]
    public void The_scale_doubles_after_dynamic_growth_steps_finite_steps_and_the_gradients_are_unscaled()
    {
        var w = W();
        var lso = new LossScaleOptimizer(new SGD(learningRate: 0.25), initialScale: 4, dynamicGrowthSteps: 3);
        var expected = new double[] { 1, 2 };
        double scale = 4;
        for (int step = 0; step < 7; step++)
        {
            Apply(lso, w, (float)(2 * scale), (float)(-4 * scale)); // the loss was scaled: true gradient (2, -4)
            expected[0] -= 0.25 * 2;
            expected[1] += 0.25 * 4;
            if ((step + 1) % 3 == 0) scale *= 2;
            Assert.Equal(scale, lso.DynamicScale);
            Assert.Equal((step + 1) % 3, lso.StepCounter);
        }
        Assert.Equal(expected.Select(v => (float)v), w.ToArray<float>());
        Assert.Equal(16.0, lso.DynamicScale);
    }

    [Fact]
    public void ScaleLoss_uses_the_initial_scale_before_building_and_the_dynamic_scale_after()
    {
        var lso = new LossScaleOptimizer(new SGD(), initialScale: 16);
        using var loss = torch.tensor(0.5f);
        using (var s = lso.ScaleLoss(loss)) Assert.Equal(8f, s.item<float>());
        var w = W();
        Apply(lso, w, float.NaN, 0);
        using (var s = lso.ScaleLoss(loss)) Assert.Equal(4f, s.item<float>());
    }

    [Fact]
    public void Training_with_a_loss_scale_optimizer_matches_the_inner_optimizer_when_nothing_overflows()
    {
        // Scaling by a power of two and dividing again is exact in float32: the weights must be identical.
        (Sequential, torch.Tensor, torch.Tensor) Problem()
        {
            Utils.SetRandomSeed(21);
            var m = new Sequential(new Layer[] { new Dense(3, activation: "tanh"), new Dense(1) });
            m.Build(new long[] { -1, 4 });
            using var g = new torch.Generator(5);
            return (m, torch.randn(new long[] { 12, 4 }, generator: g), torch.randn(new long[] { 12, 1 }, generator: g));
        }
        var (plain, x, y) = Problem();
        plain.Compile(new Adam(0.01), new Losses.MeanSquaredError());
        plain.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        var (scaled, _, _) = Problem();
        scaled.Compile(new LossScaleOptimizer(new Adam(0.01), initialScale: 1024, dynamicGrowthSteps: 4), new Losses.MeanSquaredError());
        var history = scaled.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        Assert.Equal(plain.Weights.Select(v => v.ToArray<float>()), scaled.Weights.Select(v => v.ToArray<float>()));
        Assert.Equal(2048.0, ((LossScaleOptimizer)scaled.Optimizer!).DynamicScale); // 6 finite steps, growth every 4
        Assert.True(history.HistoryDict["loss"][0] < 100); // the logged loss is the unscaled one
    }

    [Fact]
    public void An_overflowing_scale_skips_training_steps_until_the_scaled_gradients_are_finite()
    {
        Utils.SetRandomSeed(22);
        var model = new Sequential(new Layer[] { new Dense(1) });
        model.Build(new long[] { -1, 2 });
        var lso = new LossScaleOptimizer(new SGD(1e-5), initialScale: Math.Pow(2, 122), dynamicGrowthSteps: 1000);
        model.Compile(lso, new Losses.MeanSquaredError());
        using var x = torch.full(new long[] { 8, 2 }, 1f); // dL/dw ≈ 2·(pred − 100): 2^122 · 200 overflows float32
        using var y = torch.full(new long[] { 8, 1 }, 100f);
        model.Fit(x, y, batchSize: 1, epochs: 1, verbose: 0, shuffle: false);
        long skipped = 8 - lso.Iterations;
        Assert.True(skipped >= 1 && skipped < 8, $"skipped {skipped}");
        Assert.Equal(Math.Pow(2, 122 - skipped), lso.DynamicScale);
        Assert.Equal(lso.Iterations, lso.StepCounter);
        Assert.All(model.Weights.SelectMany(v => v.ToArray<float>()), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Its_config_holds_the_inner_optimizer_and_refuses_what_keras_refuses()
    {
        var lso = new LossScaleOptimizer(new Adam(0.02), initialScale: 512, dynamicGrowthSteps: 10, name: "lso");
        var json = KerasObjects.Serialize(lso);
        Assert.Equal("""{"name":"lso","inner_optimizer":""" + KerasObjects.Serialize(lso.InnerOptimizer).ToJsonString() + ""","initial_scale":512,"dynamic_growth_steps":10}""",
            json["config"]!.ToJsonString());
        var back = Assert.IsType<LossScaleOptimizer>(KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(json.ToJsonString())!, "test"));
        Assert.Equal(0.02, Assert.IsType<Adam>(back.InnerOptimizer).LearningRate);
        Assert.Equal(512, back.InitialScale);

        const string inner = """{"module": "keras.optimizers", "class_name": "SGD", "config": {}, "registered_name": null}""";
        // Older Keras wrote the base arguments with their defaults: accepted.
        KerasObjects.Deserialize<Optimizer>(JsonNode.Parse("""{"class_name": "LossScaleOptimizer", "config": {"inner_optimizer": """ + inner +
            """, "use_ema": false, "ema_momentum": 0.99, "clipnorm": null}}""")!, "test");
        Assert.Equal("LossScaleOptimizer does not support `clipnorm`. Instead, set `clipnorm` on the `inner_optimizer`.",
            Assert.Throws<KerasArgumentException>(() => KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(
                """{"class_name": "LossScaleOptimizer", "config": {"inner_optimizer": """ + inner + """, "clipnorm": 1.0}}""")!, "test")).Message);
        Assert.StartsWith("LossScaleOptimizer no longer supports `dynamic=False`.",
            Assert.Throws<KerasArgumentException>(() => KerasObjects.Deserialize<Optimizer>(JsonNode.Parse(
                """{"class_name": "LossScaleOptimizer", "config": {"inner_optimizer": """ + inner + """, "dynamic": false}}""")!, "test")).Message);
        var inner2 = new SGD(lossScaleFactor: 4);
        _ = new LossScaleOptimizer(inner2);
        Assert.Null(inner2.LossScaleFactor); // the wrapper disables the inner optimizer's own scaling
    }

    [Fact]
    public void Its_weights_file_layout_is_kerass_and_restores_the_scale_and_counter()
    {
        Utils.SetRandomSeed(23);
        var model = new Sequential(new Layer[] { new Dense(2) });
        model.Build(new long[] { -1, 3 });
        var lso = new LossScaleOptimizer(new Adam(0.01), initialScale: 64, dynamicGrowthSteps: 2);
        model.Compile(lso, new Losses.MeanSquaredError());
        using var x = torch.randn(6, 3);
        using var y = torch.randn(6, 2);
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false); // 3 finite steps: scale 128, counter 1
        string path = TempFile("lso.weights.h5");
        model.SaveWeights(path);

        using (var file = H5File.OpenRead(path))
        {
            var vars = file.Group("optimizer/vars");
            Assert.Equal(4 + 2 + 4, vars.Children().Count()); // own 4, then Adam's iteration, learning_rate and 4 slots
            Assert.Equal(0L, file.Dataset("optimizer/vars/0").Read<long>());     // the wrapper's own iteration
            Assert.Equal(0f, file.Dataset("optimizer/vars/1").Read<float>());    // its unused learning_rate variable
            Assert.Equal(1L, file.Dataset("optimizer/vars/2").Read<long>());     // step_counter
            Assert.Equal(128f, file.Dataset("optimizer/vars/3").Read<float>());  // dynamic_scale
            Assert.Equal(3L, file.Dataset("optimizer/vars/4").Read<long>());     // Adam's iteration
            Assert.Equal(0.01f, file.Dataset("optimizer/vars/5").Read<float>());
            var innerVars = file.Group("optimizer/inner_optimizer/vars");
            Assert.Equal(lso.InnerOptimizer.Name, innerVars.Attribute("name").Read<string>());
            Assert.Equal(6, innerVars.Children().Count());
            Assert.Equal(file.Dataset("optimizer/vars/6").Read<float[]>(), file.Dataset("optimizer/inner_optimizer/vars/2").Read<float[]>());
        }

        var restored = new Sequential(new Layer[] { new Dense(2) });
        restored.Build(new long[] { -1, 3 });
        var lso2 = new LossScaleOptimizer(new Adam(0.01), initialScale: 64, dynamicGrowthSteps: 2);
        restored.Compile(lso2, new Losses.MeanSquaredError());
        lso2.Build(restored.TrainableWeights);
        restored.LoadWeights(path);
        Assert.Equal(128.0, lso2.DynamicScale);
        Assert.Equal(1, lso2.StepCounter);
        Assert.Equal(3, lso2.Iterations);
        model.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        restored.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(model.Weights.Select(v => v.ToArray<float>()), restored.Weights.Select(v => v.ToArray<float>()));
        Assert.Equal(lso.DynamicScale, lso2.DynamicScale);
    }

    [Theory]
    [InlineData("mixed_float16", true, true)]
    [InlineData("mixed_float16", false, false)]
    [InlineData("mixed_bfloat16", true, false)]
    [InlineData("float32", true, false)]
    [InlineData("float16", true, false)]
    public void Compile_wraps_in_a_loss_scale_optimizer_exactly_for_mixed_float16_with_auto_scale_loss(string policy, bool autoScaleLoss, bool wraps)
    {
        Config.SetDtypePolicy(policy);
        var model = new Sequential(new Layer[] { new Dense(2) });
        model.Build(new long[] { -1, 3 });
        var adam = new Adam();
        model.Compile(adam, new Losses.MeanSquaredError(), autoScaleLoss: autoScaleLoss);
        if (wraps)
        {
            var lso = Assert.IsType<LossScaleOptimizer>(model.Optimizer);
            Assert.Same(adam, lso.InnerOptimizer);
            Assert.Equal("loss_scale_optimizer", lso.Name);
            Assert.Equal(32768.0, lso.InitialScale);
            Assert.Equal(2000, lso.DynamicGrowthSteps);
        }
        else
        {
            Assert.Same(adam, model.Optimizer);
        }
        // The compile config keeps the optimizer as given (Keras records the unwrapped one).
        Assert.Equal("Adam", (string?)model.CompileConfigJson()["optimizer"]!["class_name"]);
    }

    [Fact]
    public void Compile_does_not_wrap_an_optimizer_that_already_is_a_loss_scale_optimizer()
    {
        Config.SetDtypePolicy("mixed_float16");
        var model = new Sequential(new Layer[] { new Dense(2) });
        model.Build(new long[] { -1, 3 });
        var lso = new LossScaleOptimizer(new SGD(), initialScale: 4);
        model.Compile(lso, new Losses.MeanSquaredError());
        Assert.Same(lso, model.Optimizer);
        model.Compile("sgd", "mse");
        Assert.IsType<LossScaleOptimizer>(model.Optimizer);
    }

    [Fact]
    public void A_mixed_float16_model_saved_by_keras_loads_wrapped_with_its_scale_and_resumes_training()
    {
        // As Python Keras 3.x saves a mixed_float16 model compiled with "adam": the compile config names the inner Adam,
        // compile_from_config wraps it again, and the weights file holds the LossScaleOptimizer's variables (torch: int32 ints).
        const string config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true,
          "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": null},
          "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
            {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
              "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}, "registered_name": null}, "units": 2, "activation": "linear", "use_bias": true,
              "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null},
              "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
              "kernel_regularizer": null, "bias_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
             "registered_name": null, "build_config": {"input_shape": [null, 3]}}],
          "build_input_shape": [null, 3]},
         "registered_name": null, "build_config": {"input_shape": [null, 3]},
         "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam", "config": {"name": "adam", "learning_rate": 0.009999999776482582,
             "weight_decay": null, "clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99,
             "ema_overwrite_frequency": null, "loss_scale_factor": null, "gradient_accumulation_steps": null, "beta_1": 0.9, "beta_2": 0.999,
             "epsilon": 1e-07, "amsgrad": false}, "registered_name": null},
           "loss": "mean_squared_error", "loss_weights": null, "metrics": null, "weighted_metrics": null, "run_eagerly": false, "steps_per_execution": 1, "jit_compile": false}}
        """;
        var kernel = new float[] { 0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f };
        var m0 = Enumerable.Repeat(0.01f, 6).ToArray();
        var v0 = Enumerable.Repeat(0.0004f, 6).ToArray();
        H5Group Inner() => new()
        {
            ["0"] = new H5Dataset(5), ["1"] = new H5Dataset(0.01f),
            ["2"] = new H5Dataset(m0, fileDims: new ulong[] { 3, 2 }), ["3"] = new H5Dataset(v0, fileDims: new ulong[] { 3, 2 }),
            ["4"] = new H5Dataset(new[] { 0.02f, 0.02f }, fileDims: new ulong[] { 2 }), ["5"] = new H5Dataset(new[] { 0.001f, 0.001f }, fileDims: new ulong[] { 2 }),
        };
        var outer = new H5Group { ["0"] = new H5Dataset(0), ["1"] = new H5Dataset(0f), ["2"] = new H5Dataset(1), ["3"] = new H5Dataset(4096f) };
        foreach (var (key, value) in Inner()) outer[(int.Parse(key) + 4).ToString()] = value;
        string path = TempFile("mixed.keras");
        var file = new H5File
        {
            ["layers"] = new H5Group { ["dense"] = new H5Group { ["vars"] = new H5Group
            {
                ["0"] = new H5Dataset(kernel, fileDims: new ulong[] { 3, 2 }), ["1"] = new H5Dataset(new[] { 0f, 0f }, fileDims: new ulong[] { 2 }),
            } } },
            ["optimizer"] = new H5Group { ["vars"] = outer, ["inner_optimizer"] = new H5Group { ["vars"] = Inner() } },
        };
        using (var h5 = new MemoryStream())
        {
            file.Write(h5);
            using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
            void Entry(string name, byte[] content)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(content);
            }
            Entry("metadata.json", System.Text.Encoding.UTF8.GetBytes("{\"keras_version\": \"3.15.1\", \"date_saved\": \"2026-01-01@10:00:00\"}"));
            Entry("config.json", System.Text.Encoding.UTF8.GetBytes(config));
            Entry("model.weights.h5", h5.ToArray());
        }

        var model = Saving.LoadModel(path);
        var lso = Assert.IsType<LossScaleOptimizer>(model.Optimizer);
        var adam = Assert.IsType<Adam>(lso.InnerOptimizer);
        Assert.Equal(4096.0, lso.DynamicScale);
        Assert.Equal(1, lso.StepCounter);
        Assert.Equal(5, lso.Iterations);
        Assert.Equal(0.01f, (float)adam.LearningRate);
        Assert.Equal("float16", model.Layers[0].ComputeDtype);
        Assert.Equal("float32", model.TrainableWeights[0].Dtype);

        // Resume: one step of a float16 forward pass (loss in float32, as Keras computes losses in floatx) with finite
        // gradients advances Adam to step 6 and the counter to 2. (The runtime's losses still compute in the prediction's
        // dtype, so Fit itself cannot log a float16 loss yet; that is the losses' part of issue 10.)
        using var x = torch.tensor(new float[] { 1, 2, 3, -1, 0, 1 }, new long[] { 2, 3 });
        using var y = torch.tensor(new float[] { 0.5f, -0.5f, 1, 0 }, new long[] { 2, 2 });
        using (var prediction = model.Call(x, training: true))
        {
            Assert.Equal(torch.ScalarType.Float16, prediction.dtype);
            using var loss = prediction.to_type(torch.ScalarType.Float32).sub(y).square().mean();
            using var scaled = lso.ScaleLoss(loss);
            scaled.backward();
            lso.Apply(model.TrainableWeights);
        }
        Assert.Equal(6, lso.Iterations);
        Assert.Equal(2, lso.StepCounter);
        Assert.Equal(4096.0, lso.DynamicScale);
        Assert.NotEqual(kernel, model.TrainableWeights[0].ToArray<float>());
    }
}

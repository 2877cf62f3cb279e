using System.IO.Compression;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.Optimizers;
using Keras.SavingLib;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>SaveWeights/LoadWeights, pinned to keras-reference.md §4.2–4.3 and keras/src/saving/saving_lib_test.py.</summary>
public class WeightsSavingTests : KerasTestBase
{
    private string TempFile(string name) => Path.Combine(KerasHome, name);

    private static Sequential Mlp(int hidden = 4, int outputs = 3, string? name = null)
    {
        var model = new Sequential(new Layer[] { new Dense(hidden, activation: "relu"), new Dense(outputs) }, name: name);
        model.Build(new long[] { -1, 5 });
        return model;
    }

    private static (torch.Tensor X, torch.Tensor Y) Data()
    {
        using var g = new torch.Generator(7);
        return (torch.randn(new long[] { 16, 5 }, generator: g), torch.randn(new long[] { 16, 3 }, generator: g));
    }

    private static float[][] Values(Model model) => model.Weights.Select(w => w.ToArray<float>()).ToArray();

    [Fact]
    public void SaveWeights_then_LoadWeights_restores_every_variable_and_the_output()
    {
        Utils.SetRandomSeed(1);
        var source = Mlp();
        var target = Mlp();
        Assert.NotEqual(Values(source)[0], Values(target)[0]);
        string path = TempFile("mlp.weights.h5");
        source.SaveWeights(path);
        target.LoadWeights(path);
        Assert.Equal(Values(source), Values(target));
        var (x, _) = Data();
        using var a = source.Call(x);
        using var b = target.Call(x);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    [Fact]
    public void File_layout_matches_Keras_class_named_groups_name_attributes_and_optimizer_order()
    {
        var model = Mlp(name: "my_mlp");
        model.Compile(new Adam(learningRate: 0.01), Losses.Loss.Get("mse"));
        var (x, y) = Data();
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
        string path = TempFile("layout.weights.h5");
        model.SaveWeights(path);

        using var file = H5File.OpenRead(path);
        Assert.Equal("my_mlp", file.Group("vars").Attribute("name").Read<string>());
        Assert.Empty(file.Group("vars").Children());
        // Groups are named from the class (dense, dense_1), not from the layers' own names.
        Assert.Equal(model.Layers[0].Name, file.Group("layers/dense/vars").Attribute("name").Read<string>());
        Assert.Equal(model.Layers[1].Name, file.Group("layers/dense_1/vars").Attribute("name").Read<string>());
        Assert.Equal(new ulong[] { 5, 4 }, file.Dataset("layers/dense/vars/0").Space.Dimensions); // kernel
        Assert.Equal(new ulong[] { 4 }, file.Dataset("layers/dense/vars/1").Space.Dimensions);    // bias
        Assert.Equal(model.Layers[1].Weights[0].ToArray<float>(), file.Dataset("layers/dense_1/vars/0").Read<float[]>());

        // optimizer/vars: iteration (int64), learning_rate (float32), then m_0, v_0, m_1, v_1, ... per variable.
        var optimizer = file.Group("optimizer/vars");
        Assert.Equal(model.Optimizer!.Name, optimizer.Attribute("name").Read<string>());
        Assert.Equal(2 + 2 * 4, optimizer.Children().Count());
        Assert.Equal(2L, file.Dataset("optimizer/vars/0").Read<long>());
        Assert.Equal(0.01f, file.Dataset("optimizer/vars/1").Read<float>());
        Assert.Equal(new ulong[] { 5, 4 }, file.Dataset("optimizer/vars/2").Space.Dimensions); // m of kernel 0
        Assert.Equal(new ulong[] { 5, 4 }, file.Dataset("optimizer/vars/3").Space.Dimensions); // v of kernel 0
        Assert.Equal(new ulong[] { 4 }, file.Dataset("optimizer/vars/4").Space.Dimensions);    // m of bias 0
    }

    [Fact]
    public void Restored_optimizer_state_continues_training_exactly_like_the_original()
    {
        Utils.SetRandomSeed(3);
        var (x, y) = Data();
        var original = Mlp();
        original.Compile(new Adam(), Losses.Loss.Get("mse"));
        original.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        string path = TempFile("resume.weights.h5");
        original.SaveWeights(path);

        var resumed = Mlp();
        resumed.Compile(new Adam(), Losses.Loss.Get("mse"));
        resumed.Optimizer!.Build(resumed.TrainableWeights);
        resumed.LoadWeights(path);
        Assert.Equal(original.Optimizer!.Iterations, resumed.Optimizer.Iterations);

        original.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        resumed.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(Values(original), Values(resumed));
    }

    [Fact]
    public void An_unbuilt_optimizer_has_iteration_and_learning_rate_and_warns_when_the_saved_state_has_more_as_Keras()
    {
        // Keras' optimizer always holds iteration and learning_rate (base_optimizer.__init__); slots come with build().
        // load_own_variables only warns on a count mismatch.
        var source = Mlp();
        source.Compile(new Adam(learningRate: 0.02), Losses.Loss.Get("mse"));
        var (x, y) = Data();
        source.Fit(x, y, epochs: 1, verbose: 0);
        string path = TempFile("opt.weights.h5");
        source.SaveWeights(path);
        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        var target = Mlp();
        target.Compile(new Adam(), Losses.Loss.Get("mse"));
        target.LoadWeights(path);
        Assert.Contains($"Skipping variable loading for optimizer '{target.Optimizer!.Name}', because it has 2 variables whereas the saved optimizer has 10 variables.",
            warnings.ToString());
        Assert.Equal(Values(source), Values(target));
        Assert.Equal(0, target.Optimizer.Iterations);

        // Plain SGD has no slots: built or not it holds the same two variables, so they load.
        var sgdSource = Mlp();
        sgdSource.Compile(new SGD(learningRate: 0.05), Losses.Loss.Get("mse"));
        sgdSource.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        sgdSource.SaveWeights(path);
        var sgdTarget = Mlp();
        sgdTarget.Compile("sgd", "mse");
        sgdTarget.LoadWeights(path);
        Assert.False(sgdTarget.Optimizer!.Built);
        Assert.Equal(2, sgdTarget.Optimizer.Iterations);
        Assert.Equal(0.05f, (float)sgdTarget.Optimizer.LearningRate);
    }

    [Fact]
    public void Frozen_BatchNormalization_keeps_Keras_variable_order_gamma_beta_moving_mean_moving_variance()
    {
        var model = new Sequential(new Layer[] { new BatchNormalization() });
        model.Build(new long[] { -1, 3 });
        model.Trainable = false;
        using (var mean = torch.tensor(new float[] { 1, 2, 3 })) model.Layers[0].NonTrainableWeights.Single(w => w.Name == "moving_mean").Assign(mean);
        string path = TempFile("bn.weights.h5");
        model.SaveWeights(path);
        using var file = H5File.OpenRead(path);
        Assert.Equal(new float[] { 1, 1, 1 }, file.Dataset("layers/batch_normalization/vars/0").Read<float[]>());
        Assert.Equal(new float[] { 0, 0, 0 }, file.Dataset("layers/batch_normalization/vars/1").Read<float[]>());
        Assert.Equal(new float[] { 1, 2, 3 }, file.Dataset("layers/batch_normalization/vars/2").Read<float[]>());
    }

    [Fact]
    public void Recurrent_weights_go_to_the_cell_and_attention_projections_to_their_sublayers()
    {
        var lstm = new Sequential(new Layer[] { new LSTM(3), new Dense(1) });
        lstm.Build(new long[] { -1, 4, 2 });
        string path = TempFile("rnn.weights.h5");
        lstm.SaveWeights(path);
        using (var file = H5File.OpenRead(path))
        {
            Assert.Empty(file.Group("layers/lstm/vars").Children());
            Assert.Equal(new ulong[] { 2, 12 }, file.Dataset("layers/lstm/cell/vars/0").Space.Dimensions);
            Assert.Equal(new ulong[] { 3, 12 }, file.Dataset("layers/lstm/cell/vars/1").Space.Dimensions);
            Assert.Equal(new ulong[] { 12 }, file.Dataset("layers/lstm/cell/vars/2").Space.Dimensions);
        }
        var input = new Input(new long[] { 5, 8 });
        var attention = new MultiHeadAttention(numHeads: 2, keyDim: 4);
        var mha = new Functional(input, attention.Call(input));
        string path2 = TempFile("mha.weights.h5");
        mha.SaveWeights(path2);
        using (var file = H5File.OpenRead(path2))
        {
            Assert.Equal(new ulong[] { 8, 2, 4 }, file.Dataset("layers/multi_head_attention/query_dense/vars/0").Space.Dimensions);
            Assert.Equal(new ulong[] { 2, 4 }, file.Dataset("layers/multi_head_attention/key_dense/vars/1").Space.Dimensions);
            Assert.Equal(new ulong[] { 2, 4, 8 }, file.Dataset("layers/multi_head_attention/output_dense/vars/0").Space.Dimensions);
        }
        var otherInput = new Input(new long[] { 5, 8 });
        var other = new Functional(otherInput, new MultiHeadAttention(numHeads: 2, keyDim: 4).Call(otherInput));
        other.LoadWeights(path2);
        Assert.Equal(Values(mha), Values(other));
    }

    [Fact]
    public void Nested_models_are_saved_under_their_container_path()
    {
        var inner = new Sequential(new Layer[] { new Dense(2) });
        var outer = new Sequential(new Layer[] { inner, new Dense(1) });
        outer.Build(new long[] { -1, 3 });
        string path = TempFile("nested.weights.h5");
        outer.SaveWeights(path);
        using var file = H5File.OpenRead(path);
        Assert.Equal(inner.Name, file.Group("layers/sequential/vars").Attribute("name").Read<string>());
        Assert.Equal(new ulong[] { 3, 2 }, file.Dataset("layers/sequential/layers/dense/vars/0").Space.Dimensions);
        Assert.Equal(new ulong[] { 2, 1 }, file.Dataset("layers/dense/vars/0").Space.Dimensions);
    }

    [Theory]
    [InlineData("weights.h5")]
    [InlineData("model.h5")]
    [InlineData("model.keras")]
    [InlineData("model.weights.json")]
    public void SaveWeights_requires_the_weights_h5_suffix(string name)
    {
        var error = Assert.Throws<KerasArgumentException>(() => Mlp().SaveWeights(TempFile(name)));
        Assert.StartsWith("The filename must end in `.weights.h5`. Received: filepath=", error.Message);
    }

    [Fact]
    public void Saving_or_loading_an_unbuilt_model_fails_as_Keras()
    {
        var model = new Sequential(new Layer[] { new Dense(2) });
        Assert.Contains("You are saving a model that has not yet been built",
            Assert.Throws<KerasArgumentException>(() => model.SaveWeights(TempFile("a.weights.h5"))).Message);
        Assert.Contains("You are loading weights into a model that has not yet been built",
            Assert.Throws<KerasArgumentException>(() => model.LoadWeights(TempFile("a.weights.h5"))).Message);
        Assert.Contains("File format not supported",
            Assert.Throws<KerasArgumentException>(() => Mlp().LoadWeights(TempFile("a.pkl"))).Message);
    }

    [Fact]
    public void Overwrite_false_refuses_to_replace_an_existing_file()
    {
        string path = TempFile("keep.weights.h5");
        Mlp().SaveWeights(path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<KerasInvalidOperationException>(() => Mlp().SaveWeights(path, overwrite: false));
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_shape_mismatch_fails_with_must_match_and_skipMismatch_loads_the_rest()
    {
        // saving_lib_test: Dense(4)+Dense(5) loaded into Dense(4)+Dense(6).
        var source = Mlp(outputs: 5);
        string path = TempFile("mismatch.weights.h5");
        source.SaveWeights(path);
        var target = Mlp(outputs: 6);
        var before = Values(target);
        var error = Assert.Throws<KerasArgumentException>(() => target.LoadWeights(path));
        Assert.Contains("A total of 1 objects could not be loaded", error.Message);
        Assert.Contains("must match", error.Message);
        // All or nothing: a failed load leaves every layer as it was, the matching ones too.
        Assert.Equal(before, Values(target));

        var warnings = new StringWriter();
        Utilities.IoUtils.StderrOverride = warnings;
        target.LoadWeights(path, skipMismatch: true);
        Assert.Contains("must match", warnings.ToString());
        // skipMismatch: as Keras, the matching layers load and the mismatched one keeps its values.
        Assert.Equal(Values(source)[0], Values(target)[0]);
        Assert.Equal(before[2], Values(target)[2]);
    }

    [Fact]
    public void An_extra_trailing_layer_reports_received_0_variables()
    {
        string path = TempFile("short.weights.h5");
        Mlp().SaveWeights(path);
        var longer = new Sequential(new Layer[] { new Dense(4, activation: "relu"), new Dense(3), new Dense(2) });
        longer.Build(new long[] { -1, 5 });
        var error = Assert.Throws<KerasArgumentException>(() => longer.LoadWeights(path));
        Assert.Contains("expected 2 variables, but received 0 variables during loading", error.Message);
    }

    [Fact]
    public void A_corrupt_or_truncated_file_is_an_IOException_naming_the_file()
    {
        string path = TempFile("corrupt.weights.h5");
        File.WriteAllText(path, "0");
        var error = Assert.Throws<KerasFileFormatException>(() => Mlp().LoadWeights(path));
        Assert.Contains(path, error.Message);
        Assert.IsAssignableFrom<IOException>(error);

        string good = TempFile("good.weights.h5");
        Mlp().SaveWeights(good);
        byte[] bytes = File.ReadAllBytes(good);
        File.WriteAllBytes(path, bytes.Take(bytes.Length / 2).ToArray());
        Assert.Throws<KerasFileFormatException>(() => Mlp().LoadWeights(path));
    }

    [Fact]
    public void A_failed_write_leaves_the_previous_file_and_no_temporary_file()
    {
        string path = TempFile("atomic.weights.h5");
        File.WriteAllText(path, "previous");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[] { 1, 2, 3 });
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("previous", File.ReadAllText(path));
        Assert.Equal(new[] { path }, Directory.GetFiles(KerasHome, "*atomic*"));
    }

    [Fact]
    public void LoadWeights_reads_the_weights_entry_of_a_keras_archive()
    {
        var source = Mlp();
        string weights = TempFile("inner.weights.h5");
        source.SaveWeights(weights);
        string archive = TempFile("model.keras");
        using (var zip = ZipFile.Open(archive, ZipArchiveMode.Create))
        {
            zip.CreateEntry("metadata.json", CompressionLevel.NoCompression);
            zip.CreateEntry("config.json", CompressionLevel.NoCompression);
            zip.CreateEntryFromFile(weights, "model.weights.h5", CompressionLevel.NoCompression);
        }
        var target = Mlp();
        target.LoadWeights(archive);
        Assert.Equal(Values(source), Values(target));

        string notZip = TempFile("legacy.keras");
        File.WriteAllBytes(notZip, File.ReadAllBytes(weights)); // an HDF5 file named .keras, as some real files are
        Assert.Contains("is a legacy HDF5 model", Assert.Throws<KerasFileFormatException>(() => target.LoadWeights(notZip)).Message);
    }

    [Fact]
    public void Files_written_with_other_dtypes_and_the_Keras_2_13_layer_path_load()
    {
        // A file as older Keras wrote it: layers under _layer_checkpoint_dependencies, float64 kernel, float16 bias.
        var target = new Sequential(new Layer[] { new Dense(2) });
        target.Build(new long[] { -1, 3 });
        var file = new H5File
        {
            ["_layer_checkpoint_dependencies"] = new H5Group
            {
                ["dense"] = new H5Group
                {
                    ["vars"] = new H5Group
                    {
                        ["0"] = new H5Dataset(new double[] { 1, 2, 3, 4, 5, 6 }, fileDims: new ulong[] { 3, 2 }),
                        ["1"] = new H5Dataset(new Half[] { (Half)0.5, (Half)(-1.5) }, fileDims: new ulong[] { 2 }),
                    },
                },
            },
        };
        string path = TempFile("old.weights.h5");
        file.Write(path);
        target.LoadWeights(path);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, target.Weights[0].ToArray<float>());
        Assert.Equal(new float[] { 0.5f, -1.5f }, target.Weights[1].ToArray<float>());
    }

    private sealed class LazyChild : Model
    {
        private readonly Dense _used, _never;

        public LazyChild()
        {
            _used = Track(new Dense(2));
            _never = Track(new Dense(2)); // only called when asked: stays unbuilt after a normal call
        }

        public bool UseBoth { get; set; }

        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training)
        {
            if (!UseBoth) return _used.Call(inputs, training);
            using var h = _used.Call(inputs, training);
            return _never.Call(h, training);
        }
    }

    [Fact]
    public void Loading_into_a_layer_that_was_never_built_says_to_build_it_first()
    {
        var source = new LazyChild { UseBoth = true };
        using (var x = torch.ones(1, 2)) source.Call(x).Dispose();
        string path = TempFile("lazy.weights.h5");
        source.SaveWeights(path);
        var target = new LazyChild();
        using (var x = torch.ones(1, 2)) target.Call(x).Dispose();
        var error = Assert.Throws<KerasArgumentException>(() => target.LoadWeights(path));
        Assert.Contains("was never built and thus it doesn't have any variables. However the weights file lists 2 variables", error.Message);
    }
}

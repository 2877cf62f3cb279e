using System.Collections.Concurrent;
using Keras.Errors;
using Keras.Layers;
using Keras.Models;
using Keras.State;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Global state, naming, GetUid and ClearSession, pinned to keras-reference.md §2 and seeds 000, 001, 003.</summary>
public class GlobalStateTests : KerasTestBase
{
    [Theory]
    [InlineData("Dense", "dense")]
    [InlineData("BatchNormalization", "batch_normalization")]
    [InlineData("Conv2D", "conv2d")]
    [InlineData("LSTM", "lstm")]
    [InlineData("ReLU", "re_lu")]
    [InlineData("myVariableNameHere", "my_variable_name_here")]
    [InlineData("convertTHIS", "convert_this")]
    [InlineData("UPPERCASE", "uppercase")]
    [InlineData("MultiHeadAttention", "multi_head_attention")]
    [InlineData("InputLayer", "input_layer")]
    [InlineData("Sequential", "sequential")]
    [InlineData("snake_case_name", "snake_case_name")]
    [InlineData("lowercase", "lowercase")]
    public void To_snake_case_matches_kerass_naming_util(string name, string expected)
    {
        Assert.Equal(expected, Naming.ToSnakeCase(name));
    }

    [Fact]
    public void Auto_names_are_dense_then_dense_1_then_dense_2()
    {
        Assert.Equal(new[] { "dense", "dense_1", "dense_2" }, Enumerable.Range(0, 3).Select(_ => new Dense(1).Name));
        Assert.Equal(new[] { "unique_name", "unique_name_1", "unique_name_2" },
            Enumerable.Range(0, 3).Select(_ => Naming.AutoName("unique_name")));
    }

    [Fact]
    public void Seed_example_2_prints_dense_10_then_dense_after_clear_session()
    {
        var layers = Enumerable.Range(0, 10).Select(_ => new Dense(10)).ToList();
        var newLayer = new Dense(10);
        Assert.Equal("dense_10", newLayer.Name);
        Backend.ClearSession();
        newLayer = new Dense(10);
        Assert.Equal("dense", newLayer.Name);
    }

    [Fact]
    public void Global_state_test_clear_session_restarts_auto_names()
    {
        Assert.Equal("somename", Naming.AutoName("somename"));
        Assert.Equal("somename_1", Naming.AutoName("somename"));
        Utils.ClearSession();
        Assert.Equal("somename", Naming.AutoName("somename"));
    }

    [Fact]
    public void GetUid_counts_1_2_3_per_prefix_and_reset_uids_restarts_it()
    {
        Assert.Equal(1, Backend.GetUid("foo"));
        Assert.Equal(2, Backend.GetUid("foo"));
        Assert.Equal(3, Backend.GetUid("foo"));
        Assert.Equal(1, Backend.GetUid("bar"));
        Backend.ResetUids();
        Assert.Equal(1, Backend.GetUid("foo"));
        Assert.Equal(1, Backend.GetUid());
    }

    [Fact]
    public void GetUid_and_auto_naming_share_counters_as_in_keras_3()
    {
        Assert.Equal("x", Naming.AutoName("x"));
        Assert.Equal(2, Backend.GetUid("x"));
        Assert.Equal(1, Backend.GetUid("y"));
        Assert.Equal("y_1", Naming.AutoName("y"));
    }

    [Fact]
    public void Clear_session_resets_get_uid()
    {
        Backend.GetUid("dense");
        Backend.ClearSession();
        Assert.Equal(1, Backend.GetUid("dense"));
    }

    [Fact]
    public void Names_given_by_the_user_are_not_recorded()
    {
        Assert.Equal("dense", new Dense(1, name: "dense").Name);
        Assert.Equal("dense", new Dense(1).Name);
    }

    [Fact]
    public void Uniquifying_an_already_uniquified_name_gives_a_different_name()
    {
        string first = GlobalState.Uniquify("the_name");
        Assert.Equal("the_name", first);
        Assert.NotEqual(first, GlobalState.Uniquify(first));
    }

    [Fact]
    public void Names_with_a_slash_are_rejected()
    {
        var e = Assert.Throws<KerasArgumentException>(() => new Dense(1, name: "a/b"));
        Assert.StartsWith("Argument `name` must be a string and cannot contain character `/`. Received: name=a/b", e.Message);
    }

    [Fact]
    public void Naming_is_thread_safe_every_name_is_unique_across_threads()
    {
        var names = new ConcurrentBag<string>();
        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => names.Add(new Dense(1).Name));
        Assert.Equal(400, names.Distinct().Count());
        Assert.Contains("dense_399", names);
    }

    [Fact]
    public async Task State_is_process_wide_so_names_continue_across_await_and_threads()
    {
        Assert.Equal("dense", new Dense(1).Name);
        string fromOtherThread = await Task.Run(() => new Dense(1).Name);
        await Task.Yield();
        Assert.Equal("dense_1", fromOtherThread);
        Assert.Equal("dense_2", new Dense(1).Name);
        Config.DisableInteractiveLogging();
        Assert.False(await Task.Run(Config.IsInteractiveLoggingEnabled));
    }

    [Fact]
    public void Clear_session_disposes_the_native_tensors_of_layers_created_before_it()
    {
        var model = new Sequential(new Layer[] { new Dense(4), new Dense(2) });
        using var x = torch.ones(3, 5);
        model.Call(x).Dispose();
        var tensors = model.Weights.Select(w => w.Value).ToList();
        Assert.Equal(4, tensors.Count);
        Assert.All(tensors, t => Assert.False(t.IsInvalid));

        Utils.ClearSession(freeMemory: false);

        Assert.All(tensors, t => Assert.True(t.IsInvalid));
        Assert.True(model.IsReleased);
        Assert.All(model.Layers, l => Assert.True(l.IsReleased));
        var e = Assert.Throws<KerasObjectReleasedException>(() => model.Call(x));
        Assert.Contains("created before Keras.Utils.ClearSession()", e.Message);
        Assert.Contains("'sequential'", e.Message);
        Assert.Throws<KerasObjectReleasedException>(() => model.Layers[0].Weights[0].Value);
    }

    [Fact]
    public void Seed_example_1_loop_with_clear_session_frees_every_earlier_models_native_memory_even_if_still_referenced()
    {
        using var x = torch.ones(1, 10);
        var models = new List<Sequential>();
        var weights = new List<List<torch.Tensor>>();
        for (int i = 0; i < 100; i++)
        {
            Backend.ClearSession(freeMemory: false);
            var model = new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(10)));
            model.Call(x).Dispose(); // build: 20 weight tensors per model
            models.Add(model);
            weights.Add(model.Weights.Select(w => w.Value).ToList());
            Assert.Equal("dense_9", model.Layers[9].Name); // naming restarts every iteration
        }

        for (int i = 0; i < 99; i++)
        {
            Assert.True(models[i].IsReleased);
            Assert.All(weights[i], t => Assert.True(t.IsInvalid));
        }
        Assert.False(models[99].IsReleased);
        Assert.All(weights[99], t => Assert.False(t.IsInvalid));
    }

    [Fact]
    public void Without_clear_session_reachable_models_keep_their_native_tensors()
    {
        using var x = torch.ones(1, 10);
        var weights = new List<torch.Tensor>();
        var models = new List<Sequential>();
        for (int i = 0; i < 100; i++)
        {
            var model = new Sequential(Enumerable.Range(0, 10).Select(_ => (Layer)new Dense(10)));
            model.Call(x).Dispose();
            models.Add(model);
            weights.AddRange(model.Weights.Select(w => w.Value));
        }
        Assert.Equal("dense_999", models[99].Layers[9].Name); // the global state grows: names keep counting
        Assert.All(weights, t => Assert.False(t.IsInvalid));
        Backend.ClearSession(freeMemory: false);
        Assert.All(weights, t => Assert.True(t.IsInvalid));
    }

    [Fact]
    public async Task Clear_session_waits_for_a_running_call_instead_of_freeing_tensors_under_it()
    {
        using var entered = new ManualResetEventSlim();
        using var proceed = new ManualResetEventSlim();
        var layer = new BlockingLayer(entered, proceed);
        using var x = torch.ones(2, 2);
        var call = Task.Run(() => layer.Call(x).Dispose());
        Assert.True(entered.Wait(TimeSpan.FromSeconds(30)));

        var clear = Task.Run(() => Utils.ClearSession(freeMemory: false));
        var first = await Task.WhenAny(clear, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.NotSame(clear, first); // ClearSession must wait for the running call
        proceed.Set();
        await call.WaitAsync(TimeSpan.FromSeconds(30));
        await clear.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(layer.IsReleased);
    }

    private sealed class BlockingLayer(ManualResetEventSlim entered, ManualResetEventSlim proceed) : Layer
    {
        protected override torch.Tensor CallCore(torch.Tensor inputs, bool? training)
        {
            entered.Set();
            proceed.Wait(TimeSpan.FromSeconds(30));
            return inputs.mul(2);
        }
    }

    [Fact]
    public void Explicit_dispose_releases_a_layer_and_its_model_layers()
    {
        var model = new Sequential(new Layer[] { new Dense(2) });
        using var x = torch.ones(1, 3);
        model.Call(x).Dispose();
        var kernel = model.Layers[0].Weights[0].Value;
        model.Dispose();
        Assert.True(kernel.IsInvalid);
        Assert.Throws<KerasObjectReleasedException>(() => model.Call(x));
    }

    [Fact]
    public void Set_random_seed_makes_initialization_reproducible_like_rng_utils_test()
    {
        float[] Predict()
        {
            var model = new Sequential(new Layer[] { new Dense(10), new Dense(10) });
            using var x = torch.ones(3, 4);
            using var y = model.Call(x);
            return y.data<float>().ToArray();
        }

        Utils.SetRandomSeed(42);
        var y1 = Predict();
        var y2 = Predict();
        Utils.SetRandomSeed(42);
        var y3 = Predict();
        Utils.SetRandomSeed(1337);
        var y4 = Predict();

        Assert.NotEqual(y1, y2);
        Assert.Equal(y1, y3);
        Assert.NotEqual(y1, y4);
        Assert.Equal(1337, Utils.GetRandomSeed());
        Utils.ClearSession();
        Assert.Null(Utils.GetRandomSeed());
    }

    [Fact]
    public void Set_random_seed_rejects_negative_seeds()
    {
        Assert.Throws<KerasArgumentOutOfRangeException>(() => Utils.SetRandomSeed(-1));
    }
}

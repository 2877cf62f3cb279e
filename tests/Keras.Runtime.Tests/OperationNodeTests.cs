using System.Text.Json.Nodes;
using Keras.Layers;
using Keras.Models;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Keras 3 records operations on symbolic tensors (<c>x + res</c>, <c>ops.mean</c>, <c>ops.concatenate</c>) as op nodes of
/// the Functional graph (module keras.src.ops.numpy, registered_name = class name, config {"name": ...}, no weights);
/// nested models save and load as layers. Expected values are computed by hand in each test.
/// </summary>
public class OperationNodeTests : KerasTestBase
{
    private string Archive(string config, Action<H5File> weights)
    {
        var h5 = new H5File();
        weights(h5);
        using var buffer = new MemoryStream();
        h5.Write(buffer);
        string path = Path.Combine(KerasHome, Guid.NewGuid().ToString("N") + ".keras");
        File.WriteAllBytes(path, Hostile.ZipBuilder.Keras(config, buffer.ToArray()).Build());
        return path;
    }

    private static string Tensor(string layer) =>
        """{"class_name": "__keras_tensor__", "config": {"shape": [null, 2], "dtype": "float32", "keras_history": ["LAYER", 0, 0]}}""".Replace("LAYER", layer);

    [Fact]
    public void A_Keras_3_file_with_op_nodes_for_a_residual_sum_a_constant_product_a_mean_and_a_concatenation_loads_and_computes()
    {
        // dense(x) = x·W with W = [[1, 2], [3, 4]]; y = (x + dense(x)) * 0.5; out = concatenate([y, mean(y, axis=1, keepdims)], axis=1)
        string config = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional", "config": {"name": "f", "trainable": true, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "registered_name": null, "name": "input_layer", "config": {"batch_shape": [null, 2], "dtype": "float32", "sparse": false, "name": "input_layer"}, "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "Dense", "registered_name": null, "name": "dense",
           "config": {"name": "dense", "trainable": true, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": false},
           "build_config": {"input_shape": [null, 2]}, "inbound_nodes": [{"args": [@input_layer@], "kwargs": {}}]},
          {"module": "keras.src.ops.numpy", "class_name": "Add", "registered_name": "Add", "name": "add", "config": {"name": "add"},
           "inbound_nodes": [{"args": [@input_layer@, @dense@], "kwargs": {}}]},
          {"module": "keras.src.ops.numpy", "class_name": "Multiply", "registered_name": "Multiply", "name": "multiply", "config": {"name": "multiply"},
           "inbound_nodes": [{"args": [@add@, 0.5], "kwargs": {}}]},
          {"module": "keras.src.ops.numpy", "class_name": "Mean", "registered_name": "Mean", "name": "mean", "config": {"name": "mean", "axis": [1], "keepdims": true},
           "inbound_nodes": [{"args": [@multiply@], "kwargs": {}}]},
          {"module": "keras.src.ops.numpy", "class_name": "Concatenate", "registered_name": "Concatenate", "name": "concatenate", "config": {"name": "concatenate", "axis": 1},
           "inbound_nodes": [{"args": [[@multiply@, @mean@]], "kwargs": {}}]}],
          "input_layers": [["input_layer", 0, 0]], "output_layers": [["concatenate", 0, 0]]},
         "build_config": {"input_shape": null}, "compile_config": null}
        """;
        foreach (var name in new[] { "input_layer", "dense", "add", "multiply", "mean" }) config = config.Replace("@" + name + "@", Tensor(name));
        string path = Archive(config, f => f["layers"] = new H5Group
        {
            ["dense"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(new float[] { 1, 2, 3, 4 }, fileDims: new ulong[] { 2, 2 }) } },
        });
        var model = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var x = torch.tensor(new float[] { 1, 1 }, new long[] { 1, 2 });
        using var y = model.Predict(x);
        // dense([1, 1]) = [4, 6]; (x + dense) * 0.5 = [2.5, 3.5]; mean = 3
        Assert.Equal(new float[] { 2.5f, 3.5f, 3f }, y.data<float>().ToArray());
    }

    [Fact]
    public void Operators_on_symbolic_tensors_record_op_nodes_that_save_as_Keras_writes_them_and_reload()
    {
        var x = new Input(new long[] { 3 });
        var dense = new Dense(3, name: "dense");
        var d = dense.Call(x);
        var y = (x + d) * 0.5 - x / 2.0;
        var model = new Functional(x, -y, name: "ops");
        string path = Path.Combine(KerasHome, "ops.keras");
        model.Save(path);

        var config = JsonNode.Parse(model.ToJson())!["config"]!["layers"]!.AsArray();
        var add = config.Single(l => (string?)l!["class_name"] == "Add")!;
        Assert.Equal("keras.src.ops.numpy", (string?)add["module"]);
        Assert.Equal("Add", (string?)add["registered_name"]);
        var multiply = config.Single(l => (string?)l!["class_name"] == "Multiply")!;
        Assert.Equal(0.5, multiply["inbound_nodes"]![0]!["args"]![1]!.GetValue<double>());
        // Operations have no weight group: the Dense keeps Keras' group name "dense".
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            using var entry = zip.GetEntry("model.weights.h5")!.Open();
            using var buffer = new MemoryStream();
            entry.CopyTo(buffer);
            buffer.Position = 0;
            using var h5 = H5File.Open(buffer);
            Assert.Equal(new[] { "dense" }, h5.Group("layers").Children().Select(c => c.Name));
        }

        var reloaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        using var data = torch.randn(4, 3);
        using var expected = model.Predict(data);
        using var actual = reloaded.Predict(data);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 0));
        // And by hand: -((x + xW) * 0.5 - x / 2) = -(xW / 2)
        using var kernel = torch.tensor(dense.Kernel!.ToArray<float>(), new long[] { 3, 3 });
        using var byHand = data.matmul(kernel).mul(-0.5);
        Assert.True(byHand.allclose(actual, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void A_nested_Sequential_inside_a_Functional_model_saves_and_loads_as_Keras_nests_it()
    {
        var inner = new Sequential(new Layer[] { new Dense(4, activation: "relu", name: "hidden"), new Dense(2, name: "projection") }, name: "encoder");
        var x = new Input(new long[] { 3 });
        var encoded = inner.Call(x);
        var output = new Dense(1, name: "head").Call(encoded);
        var model = new Functional(x, output, name: "outer");
        string path = Path.Combine(KerasHome, "nested.keras");
        model.Save(path);
        var reloaded = Assert.IsType<Functional>(Saving.LoadModel(path));
        Assert.IsType<Sequential>(reloaded.Layers.First(l => l.Name == "encoder"));
        using var data = torch.randn(5, 3);
        using var expected = model.Predict(data);
        using var actual = reloaded.Predict(data);
        Assert.True(expected.allclose(actual, rtol: 0, atol: 0));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        {
            using var entry = zip.GetEntry("model.weights.h5")!.Open();
            using var buffer = new MemoryStream();
            entry.CopyTo(buffer);
            buffer.Position = 0;
            using var h5 = H5File.Open(buffer);
            // Keras' layout: the nested model's layers under its own group.
            Assert.True(h5.LinkExists("layers/sequential/layers/dense/vars/0"));
            Assert.True(h5.LinkExists("layers/sequential/layers/dense_1/vars/1"));
            Assert.True(h5.LinkExists("layers/dense/vars/0"));
        }
    }

    [Fact]
    public void An_operation_on_shapes_that_do_not_broadcast_is_Kerass_error_not_a_native_abort()
    {
        var a = new Input(new long[] { 3 });
        var b = new Input(new long[] { 4 });
        Assert.Contains("could not be broadcast", Assert.Throws<Keras.Errors.KerasArgumentException>(() => a + b).Message);
        var m = new Input(new long[] { 2, 3 });
        var n = new Input(new long[] { 2, 3 });
        Assert.Throws<Keras.Errors.KerasArgumentException>(() => new Keras.Ops.Matmul().Call(m, n));
    }
}

using Keras.Layers;
using Keras.Models;
using Keras.Regularizers;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// .keras files written by the tests from the format facts of real Keras 3 files (/work/shared/keras-files/README.md):
/// configs as Keras 3.0 / 3.5 / 3.10 write them, weights in Keras' H5 layouts (SeparableConv2D depthwise (kh, kw, in,
/// dm) + pointwise (1, 1, in·dm, filters), Conv2DTranspose (kh, kw, filters, in), DepthwiseConv2D (kh, kw, in, dm),
/// MultiHeadAttention's *_dense sub-groups), predictions compared with an independent computation (the hand-written
/// references) within 1e-5 + 1e-4·|y|.
/// </summary>
public class LayerFixtureTests : KerasTestBase
{
    private const string Policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
    private const string Glorot = """{"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": null}""";
    private const string Zeros = """{"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null}""";

    private static H5Group Vars(params Nd[] values)
    {
        var group = new H5Group();
        for (int i = 0; i < values.Length; i++) group[i.ToString()] = LayerChecks.Dataset(values[i]);
        return group;
    }

    private static void Predicts(Model model, Nd x, Nd expected)
    {
        using var xt = x.Tensor();
        using var y = model.Predict(xt);
        LayerChecks.Close(expected, y, atol: 1e-5, rtol: 1e-4);
    }

    private static Nd Map(Nd x, Func<double, double> f) => new Nd(x.Shape, x.Data.Select(f).ToArray());

    [Fact]
    public void A_Keras_3_5_Sequential_with_Conv1D_Conv1DTranspose_pooling_and_LeakyReLU_loads_and_predicts()
    {
        string config = """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "sequential", "trainable": true, "dtype": @POLICY, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 8, 3], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null},
          {"module": "keras.layers", "class_name": "Conv1D", "config": {"name": "conv1d_7", "trainable": true, "dtype": @POLICY, "filters": 4, "kernel_size": [3],
             "strides": [1], "padding": "causal", "data_format": "channels_last", "dilation_rate": [2], "groups": 1, "activation": "relu", "use_bias": true,
             "kernel_initializer": @GLOROT, "bias_initializer": @ZEROS,
             "kernel_regularizer": {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}, "registered_name": null}, "bias_regularizer": null,
             "activity_regularizer": null, "kernel_constraint": {"module": "keras.constraints", "class_name": "MaxNorm", "config": {"max_value": 2.0, "axis": 0}, "registered_name": null},
             "bias_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 8, 3]}},
          {"module": "keras.layers", "class_name": "Conv1DTranspose", "config": {"name": "conv1d_transpose", "trainable": true, "dtype": @POLICY, "filters": 2,
             "kernel_size": [3], "strides": [2], "padding": "same", "data_format": "channels_last", "dilation_rate": [1], "activation": "linear",
             "use_bias": true, "kernel_initializer": @GLOROT, "bias_initializer": @ZEROS, "kernel_regularizer": null, "bias_regularizer": null,
             "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null}, "registered_name": null, "build_config": {"input_shape": [null, 8, 4]}},
          {"module": "keras.layers", "class_name": "MaxPooling1D", "config": {"name": "max_pooling1d", "trainable": true, "dtype": @POLICY, "pool_size": [2],
             "padding": "valid", "strides": [2], "data_format": "channels_last"}, "registered_name": null, "build_config": {"input_shape": [null, 16, 2]}},
          {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"name": "leaky_re_lu", "trainable": true, "dtype": @POLICY, "negative_slope": 0.2},
             "registered_name": null, "build_config": {"input_shape": [null, 8, 2]}},
          {"module": "keras.layers", "class_name": "Flatten", "config": {"name": "flatten", "trainable": true, "dtype": @POLICY, "data_format": "channels_last"},
             "registered_name": null, "build_config": {"input_shape": [null, 8, 2]}}],
          "build_input_shape": [null, 8, 3]}, "registered_name": null, "build_config": {"input_shape": [null, 8, 3]}, "compile_config": null}
        """.Replace("@POLICY", Policy).Replace("@GLOROT", Glorot).Replace("@ZEROS", Zeros);
        var k1 = Nd.Random(new long[] { 3, 3, 4 }, 1, 0.5).AsFloat32();
        var b1 = Nd.Random(new long[] { 4 }, 2, 0.1).AsFloat32();
        var k2 = Nd.Random(new long[] { 3, 2, 4 }, 3, 0.5).AsFloat32(); // (kernel, filters, in)
        var b2 = Nd.Random(new long[] { 2 }, 4, 0.1).AsFloat32();
        string path = LayerChecks.KerasFile(KerasHome, config, f => f["layers"] = new H5Group
        {
            ["conv1d"] = new H5Group { ["vars"] = Vars(k1, b1) }, // groups are named from the class, not from "conv1d_7"
            ["conv1d_transpose"] = new H5Group { ["vars"] = Vars(k2, b2) },
            ["max_pooling1d"] = new H5Group { ["vars"] = new H5Group() },
            ["leaky_re_lu"] = new H5Group { ["vars"] = new H5Group() },
            ["flatten"] = new H5Group { ["vars"] = new H5Group() },
        }, kerasVersion: "3.5.0");
        var model = Saving.LoadModel(path);
        Assert.Equal(new[] { "conv1d_7", "conv1d_transpose", "max_pooling1d", "leaky_re_lu", "flatten" }, model.Layers.Select(l => l.Name));

        var x = Nd.Random(new long[] { 4, 8, 3 }, 5).AsFloat32();
        var y1 = Map(Reference.Conv(x, k1, b1.Data, new[] { 1 }, new[] { 2 }, "causal"), v => Math.Max(v, 0));
        var y2 = Reference.ConvTranspose(y1, k2, b2.Data, new[] { 2 }, new[] { 1 }, "same", null);
        var y3 = Map(Reference.Pool(y2, new[] { 2 }, new[] { 2 }, "valid", average: false), v => v >= 0 ? v : 0.2 * v);
        Predicts(model, x, new Nd(new long[] { 4, 16 }, y3.Data));

        // the regularizer is part of the loss, the constraint sits on the kernel
        double penalty = 0.01 * k1.Data.Sum(v => v * v);
        Assert.Equal(penalty, model.Losses.Sum(l => l.item<float>()), 4);
        Assert.IsType<Keras.Constraints.MaxNorm>(((Conv1D)model.Layers[0]).Kernel!.Constraint);
    }

    [Fact]
    public void A_Keras_3_0_Functional_with_SeparableConv2D_Conv2DTranspose_DepthwiseConv2D_and_pooling_loads_and_predicts()
    {
        // Keras 3.0.0: src modules and registered names for built-in layers, dtype as a plain string.
        static string LayerJson(string module, string className, string name, string config, string inbound) => """
          {"module": "keras.src.layers.@MODULE", "class_name": "@CLASS", "config": {"name": "@NAME", "trainable": true, "dtype": "float32", @CONFIG},
           "registered_name": "@CLASS", "build_config": {"input_shape": null}, "name": "@NAME",
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": null, "dtype": "float32", "keras_history": ["@INBOUND", 0, 0]}}], "kwargs": {}}]}
        """.Replace("@MODULE", module).Replace("@CLASS", className).Replace("@NAME", name).Replace("@CONFIG", config).Replace("@INBOUND", inbound);
        const string glorot = """{"module": "keras.src.initializers.random_initializers", "class_name": "GlorotUniform", "config": {"seed": null}, "registered_name": "GlorotUniform"}""";
        const string zeros = """{"module": "keras.src.initializers.constant_initializers", "class_name": "Zeros", "config": {}, "registered_name": "Zeros"}""";
        var layers = new[]
        {
            """
            {"module": "keras.src.layers.core.input_layer", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 5, 2], "dtype": "float32", "sparse": false, "name": "input_layer"},
             "registered_name": "InputLayer", "name": "input_layer", "inbound_nodes": []}
            """,
            LayerJson("convolutional.separable_conv2d", "SeparableConv2D", "separable_conv2d", """
               "depth_multiplier": 2, "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1],
               "activation": "tanh", "use_bias": true, "depthwise_initializer": @G, "pointwise_initializer": @G, "bias_initializer": @Z, "depthwise_regularizer": null,
               "pointwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "depthwise_constraint": null, "pointwise_constraint": null, "bias_constraint": null
               """, "input_layer"),
            LayerJson("convolutional.conv2d_transpose", "Conv2DTranspose", "conv2d_transpose", """
               "filters": 2, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear",
               "use_bias": true, "kernel_initializer": @G, "bias_initializer": @Z, "kernel_regularizer": null, "bias_regularizer": null,
               "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null
               """, "separable_conv2d"),
            LayerJson("convolutional.depthwise_conv2d", "DepthwiseConv2D", "depthwise_conv2d", """
               "depth_multiplier": 1, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1],
               "activation": "relu", "use_bias": true, "depthwise_initializer": @G, "bias_initializer": @Z,
               "depthwise_regularizer": null, "bias_regularizer": null, "activity_regularizer": null, "depthwise_constraint": null, "bias_constraint": null
               """, "conv2d_transpose"),
            LayerJson("pooling.average_pooling2d", "AveragePooling2D", "average_pooling2d",
                "\"pool_size\": [3, 3], \"padding\": \"same\", \"strides\": [2, 2], \"data_format\": \"channels_last\"", "depthwise_conv2d"),
            LayerJson("pooling.global_max_pooling2d", "GlobalMaxPooling2D", "global_max_pooling2d",
                "\"data_format\": \"channels_last\", \"keepdims\": false", "average_pooling2d"),
        };
        string config = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "model", "trainable": true, "layers": [@LAYERS],
          "input_layers": [["input_layer", 0, 0]], "output_layers": [["global_max_pooling2d", 0, 0]]},
         "registered_name": "Functional", "build_config": {"input_shape": null}}
        """.Replace("@LAYERS", string.Join(",", layers)).Replace("@G", glorot).Replace("@Z", zeros);
        var depthwise = Nd.Random(new long[] { 3, 3, 2, 2 }, 11, 0.5).AsFloat32();
        var pointwise = Nd.Random(new long[] { 1, 1, 4, 3 }, 12, 0.5).AsFloat32();
        var bias1 = Nd.Random(new long[] { 3 }, 13, 0.1).AsFloat32();
        var transpose = Nd.Random(new long[] { 3, 3, 2, 3 }, 14, 0.5).AsFloat32();
        var bias2 = Nd.Random(new long[] { 2 }, 15, 0.1).AsFloat32();
        var depthwise3 = Nd.Random(new long[] { 3, 3, 2, 1 }, 16, 0.5).AsFloat32();
        var bias3 = Nd.Random(new long[] { 2 }, 17, 0.1).AsFloat32();
        string path = LayerChecks.KerasFile(KerasHome, config, f =>
        {
            f["vars"] = new H5Group();
            f["layers"] = new H5Group
            {
                ["input_layer"] = new H5Group { ["vars"] = new H5Group() },
                ["separable_conv2d"] = new H5Group { ["vars"] = Vars(depthwise, pointwise, bias1) },
                ["conv2d_transpose"] = new H5Group { ["vars"] = Vars(transpose, bias2) },
                ["depthwise_conv2d"] = new H5Group { ["vars"] = Vars(depthwise3, bias3) },
                ["average_pooling2d"] = new H5Group { ["vars"] = new H5Group() },
                ["global_max_pooling2d"] = new H5Group { ["vars"] = new H5Group() },
            };
        }, kerasVersion: "3.0.0");
        var model = Assert.IsType<Functional>(Saving.LoadModel(path));

        var x = Nd.Random(new long[] { 3, 5, 5, 2 }, 18).AsFloat32();
        var s = Map(Reference.Pointwise(Reference.Depthwise(x, depthwise, null, new[] { 1, 1 }, new[] { 1, 1 }, "same"), pointwise, bias1.Data), Math.Tanh);
        var t = Reference.ConvTranspose(s, transpose, bias2.Data, new[] { 2, 2 }, new[] { 1, 1 }, "same", null); // (3, 10, 10, 2)
        var d = Map(Reference.Depthwise(t, depthwise3, bias3.Data, new[] { 1, 1 }, new[] { 1, 1 }, "valid"), v => Math.Max(v, 0)); // (3, 8, 8, 2)
        var p = Reference.Pool(d, new[] { 3, 3 }, new[] { 2, 2 }, "same", average: true); // (3, 4, 4, 2)
        var expected = new Nd(new long[] { 3, 2 });
        foreach (var i in Nd.Indices(p.Shape)) expected[i[0], i[3]] = Math.Max(i[1] == 0 && i[2] == 0 ? double.NegativeInfinity : expected[i[0], i[3]], p[i]);
        Predicts(model, x, expected);

        // saved again by this runtime, it loads again with the same predictions and Keras' group names
        string again = Path.Combine(KerasHome, "again.keras");
        model.Save(again);
        var reloaded = Saving.LoadModel(again);
        Predicts(reloaded, x, expected);
        string weights = Path.Combine(KerasHome, "again.weights.h5");
        model.SaveWeights(weights);
        using var h5 = H5File.OpenRead(weights);
        Assert.Equal(new ulong[] { 1, 1, 4, 3 }, h5.Dataset("layers/separable_conv2d/vars/1").Space.Dimensions);
        Assert.Equal(new ulong[] { 3, 3, 2, 3 }, h5.Dataset("layers/conv2d_transpose/vars/0").Space.Dimensions);
    }

    [Fact]
    public void A_Keras_3_10_graph_with_MultiHeadAttention_cross_attention_and_a_causal_Attention_loads_and_predicts()
    {
        // MultiHeadAttention's node: two positional tensors and {"query_mask": null, "value_mask": null}; its weights in
        // query_dense/key_dense/value_dense/output_dense sub-groups. Attention's node: the list [query, value] and use_causal_mask.
        static string Tensor(string layer, string shape) =>
            """{"class_name": "__keras_tensor__", "config": {"shape": @SHAPE, "dtype": "float32", "keras_history": ["@LAYER", 0, 0]}}""".Replace("@SHAPE", shape).Replace("@LAYER", layer);
        string config = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "functional", "trainable": true, "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4, 3], "dtype": "float32", "sparse": false, "name": "query"},
           "registered_name": null, "name": "query", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 5, 3], "dtype": "float32", "sparse": false, "name": "value"},
           "registered_name": null, "name": "value", "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "MultiHeadAttention", "config": {"name": "multi_head_attention", "trainable": true, "dtype": @POLICY,
             "num_heads": 2, "key_dim": 2, "value_dim": 2, "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1],
             "kernel_initializer": @GLOROT, "bias_initializer": @ZEROS, "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
             "kernel_constraint": null, "bias_constraint": null, "seed": null},
           "registered_name": null, "build_config": {"shapes_dict": {"query_shape": [null, 4, 3], "value_shape": [null, 5, 3], "key_shape": null}}, "name": "multi_head_attention",
           "inbound_nodes": [{"args": [@Q, @V], "kwargs": {"query_mask": null, "value_mask": null}}]},
          {"module": "keras.layers", "class_name": "Attention", "config": {"name": "attention", "trainable": true, "dtype": @POLICY, "use_scale": true,
             "score_mode": "dot", "dropout": 0.0, "seed": null},
           "registered_name": null, "build_config": {"input_shape": [[null, 4, 3], [null, 5, 3]]}, "name": "attention",
           "inbound_nodes": [{"args": [[@M, @V]], "kwargs": {"use_causal_mask": true}}]}],
          "input_layers": [["query", 0, 0], ["value", 0, 0]], "output_layers": [["attention", 0, 0]]},
         "registered_name": "Functional", "build_config": {"input_shape": null}, "compile_config": null}
        """.Replace("@POLICY", Policy).Replace("@GLOROT", Glorot).Replace("@ZEROS", Zeros)
            .Replace("@Q", Tensor("query", "[null, 4, 3]")).Replace("@V", Tensor("value", "[null, 5, 3]")).Replace("@M", Tensor("multi_head_attention", "[null, 4, 3]"));
        var wq = Nd.Random(new long[] { 3, 2, 2 }, 21, 0.6).AsFloat32();
        var bq = Nd.Random(new long[] { 2, 2 }, 22, 0.1).AsFloat32();
        var wk = Nd.Random(new long[] { 3, 2, 2 }, 23, 0.6).AsFloat32();
        var bk = Nd.Random(new long[] { 2, 2 }, 24, 0.1).AsFloat32();
        var wv = Nd.Random(new long[] { 3, 2, 2 }, 25, 0.6).AsFloat32();
        var bv = Nd.Random(new long[] { 2, 2 }, 26, 0.1).AsFloat32();
        var wo = Nd.Random(new long[] { 2, 2, 3 }, 27, 0.6).AsFloat32();
        var bo = Nd.Random(new long[] { 3 }, 28, 0.1).AsFloat32();
        var scale = new Nd(Array.Empty<long>(), new[] { 0.8 });
        string path = LayerChecks.KerasFile(KerasHome, config, f => f["layers"] = new H5Group
        {
            ["multi_head_attention"] = new H5Group
            {
                ["vars"] = new H5Group(),
                ["query_dense"] = new H5Group { ["vars"] = Vars(wq, bq) },
                ["key_dense"] = new H5Group { ["vars"] = Vars(wk, bk) },
                ["value_dense"] = new H5Group { ["vars"] = Vars(wv, bv) },
                ["output_dense"] = new H5Group { ["vars"] = Vars(wo, bo) },
                ["_softmax"] = new H5Group { ["vars"] = new H5Group() },
                ["_dropout_layer"] = new H5Group { ["vars"] = new H5Group() },
            },
            ["attention"] = new H5Group { ["vars"] = new H5Group { ["0"] = new H5Dataset(0.8f) } },
        });
        var model = Assert.IsType<Functional>(Saving.LoadModel(path));

        var q = Nd.Random(new long[] { 2, 4, 3 }, 29).AsFloat32();
        var v = Nd.Random(new long[] { 2, 5, 3 }, 30).AsFloat32();
        // MultiHeadAttention by hand: per-head projections, softmax(q·k / √key_dim), then the output projection.
        Nd Project(Nd x, Nd w, Nd b)
        {
            var r = new Nd(new[] { x.Shape[0], x.Shape[1], 2L, 2L });
            foreach (var i in Nd.Indices(r.Shape)) r[i] = b[i[2], i[3]] + Enumerable.Range(0, 3).Sum(f => x[i[0], i[1], f] * w[f, i[2], i[3]]);
            return r;
        }
        var Q = Project(q, wq, bq);
        var K = Project(v, wk, bk);
        var V = Project(v, wv, bv);
        var mha = new Nd(new long[] { 2, 4, 3 });
        for (long n = 0; n < 2; n++)
            for (long i = 0; i < 4; i++)
            {
                var heads = new double[2, 2];
                for (long h = 0; h < 2; h++)
                {
                    var s = Enumerable.Range(0, 5).Select(j => (Q[n, i, h, 0] * K[n, j, h, 0] + Q[n, i, h, 1] * K[n, j, h, 1]) / Math.Sqrt(2)).ToArray();
                    var e = s.Select(z => Math.Exp(z - s.Max())).ToArray();
                    for (long d = 0; d < 2; d++) heads[h, d] = Enumerable.Range(0, 5).Sum(j => e[j] / e.Sum() * V[n, j, h, d]);
                }
                for (long o = 0; o < 3; o++)
                    mha[n, i, o] = bo[o] + Enumerable.Range(0, 2).Sum(h => Enumerable.Range(0, 2).Sum(d => heads[h, d] * wo[h, d, o]));
            }
        var expected = AttentionAndDotTests.Attend(mha, v, v, (a, c) => 0.8 * AttentionAndDotTests.Dot(a, c), causal: true).Output;
        using var qt = q.Tensor();
        using var vt = v.Tensor();
        var outputs = model.Predict(new[] { qt, vt });
        try
        {
            LayerChecks.Close(expected, outputs[0], atol: 1e-5, rtol: 1e-4);
        }
        finally
        {
            foreach (var o in outputs) o.Dispose();
        }
    }
}

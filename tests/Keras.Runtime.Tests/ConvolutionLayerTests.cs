using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Layers;
using Keras.Models;
using Keras.Regularizers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// Conv1D/2D/3D, the transposed, depthwise and separable convolutions: values against <see cref="Reference"/> (Keras'
/// formulas by hand) in both data formats, gradients, Keras' H5 layouts, config keys and Keras' errors.
/// </summary>
public class ConvolutionLayerTests : KerasTestBase
{
    /// <summary>
    /// Builds the layer for <paramref name="input"/> (channels last, batch included) in each data format, gives it random
    /// weights (Keras' layouts are the same in both formats) and compares its output with <paramref name="reference"/>.
    /// </summary>
    private static void AgreesWithReference(Func<string, Layer> make, long[] input, Func<Nd, Nd[], Nd> reference)
    {
        int last = input.Length - 1;
        var x = Nd.Random(input, seed: 1);
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            var layer = make(format);
            var given = format == "channels_last" ? x : x.MoveAxis(last, 1);
            layer.Build(given.Shape.Select((d, i) => i == 0 ? -1 : d).ToArray());
            var weights = layer.Weights.Select((w, i) => Nd.Random(w.Shape, seed: 10 + i).AsFloat32()).ToArray();
            layer.SetWeights(weights.Select(w => w.Tensor()).ToArray());
            using var xt = given.Tensor();
            using var y = layer.Call(xt);
            var expected = reference(x.AsFloat32(), weights);
            LayerChecks.Close(format == "channels_last" ? expected : expected.MoveAxis(last, 1), y, atol: 1e-5, rtol: 1e-4);
            Assert.Equal(y.shape, layer.ComputeOutputShape(given.Shape));
        }
    }

    private static double[]? Bias(Nd[] w, int index) => w.Length > index ? w[index].Data : null;

    // ------------------------------------------------------------------ values

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 1)]
    [InlineData("same", 1, 2, 1)]
    [InlineData("causal", 1, 2, 1)]
    [InlineData("causal", 2, 1, 2)]
    [InlineData("valid", 1, 1, 2)]
    public void Conv1D_computes_Kerass_convolution_with_causal_padding_dilation_and_groups(string padding, int strides, int dilation, int groups)
    {
        AgreesWithReference(f => new Conv1D(4, 3, strides, padding, f, dilation, groups), new long[] { 2, 9, 4 },
            (x, w) => Reference.Conv(x, w[0], Bias(w, 1), new[] { strides }, new[] { dilation }, padding, groups));
    }

    [Fact]
    public void Conv1D_causal_output_depends_only_on_earlier_steps()
    {
        var conv = new Conv1D(2, 3, padding: "causal", dilationRate: 2);
        using var x = torch.rand(1, 8, 3);
        using var y = conv.Call(x);
        using var changed = x.clone();
        changed[0, 5].fill_(100); // step 5 changes: outputs 0..4 must not
        using var y2 = conv.Call(changed);
        Assert.Equal(new long[] { 1, 8, 2 }, y.shape);
        Assert.True(y.narrow(1, 0, 5).allclose(y2.narrow(1, 0, 5)));
        Assert.False(y.narrow(1, 5, 1).allclose(y2.narrow(1, 5, 1)));
    }

    [Theory]
    [InlineData("valid", 1, 1, 1, 1)]
    [InlineData("same", 1, 2, 1, 1)] // non-square strides, "same" with the extra row after
    [InlineData("same", 1, 1, 2, 1)]
    [InlineData("valid", 1, 1, 2, 2)]
    [InlineData("same", 2, 2, 1, 3)]
    public void Conv2D_computes_Kerass_convolution_with_dilation_and_groups(string padding, int sh, int sw, int dilation, int groups)
    {
        AgreesWithReference(f => new Conv2D(6, (3, 2), (sh, sw), padding, f, (dilation, dilation), groups), new long[] { 2, 7, 6, 6 },
            (x, w) => Reference.Conv(x, w[0], Bias(w, 1), new[] { sh, sw }, new[] { dilation, dilation }, padding, groups));
    }

    [Theory]
    [InlineData("valid", 1, 1)]
    [InlineData("same", 2, 1)]
    [InlineData("same", 1, 2)]
    public void Conv3D_computes_Kerass_convolution(string padding, int strides, int groups)
    {
        AgreesWithReference(f => new Conv3D(4, (2, 3, 2), (strides, strides, 1), padding, f, groups: groups), new long[] { 1, 4, 5, 3, 2 },
            (x, w) => Reference.Conv(x, w[0], Bias(w, 1), new[] { strides, strides, 1 }, new[] { 1, 1, 1 }, padding, groups));
    }

    [Theory]
    [InlineData("valid", 1, null, 1)]
    [InlineData("valid", 2, null, 1)]
    [InlineData("valid", 3, 1, 1)]
    [InlineData("same", 2, null, 1)]
    [InlineData("same", 3, 2, 1)]
    [InlineData("same", 2, 0, 1)]
    [InlineData("same", 1, null, 2)]
    [InlineData("valid", 1, 0, 2)]
    public void Conv1DTranspose_computes_the_adjoint_of_a_convolution_with_output_padding(string padding, int strides, int? outputPadding, int dilation)
    {
        AgreesWithReference(f => new Conv1DTranspose(3, 3, strides, padding, outputPadding, f, dilation), new long[] { 2, 5, 2 },
            (x, w) => Reference.ConvTranspose(x, w[0], Bias(w, 1), new[] { strides }, new[] { dilation }, padding,
                outputPadding is int p ? new[] { p } : null));
    }

    [Theory]
    [InlineData("valid", 2, 1, null)]
    [InlineData("same", 2, 2, null)] // odd kernel, stride 2: Keras' asymmetric window
    [InlineData("same", 3, 2, 1)]
    [InlineData("valid", 2, 3, 1)]
    public void Conv2DTranspose_computes_the_adjoint_of_a_convolution(string padding, int sh, int sw, int? outputPadding)
    {
        (int, int)? op = outputPadding is int p ? (p, Math.Min(p, sw - 1)) : null;
        AgreesWithReference(f => new Conv2DTranspose(4, (3, 2), (sh, sw), padding, op, f), new long[] { 2, 3, 4, 3 },
            (x, w) => Reference.ConvTranspose(x, w[0], Bias(w, 1), new[] { sh, sw }, new[] { 1, 1 }, padding,
                op is { } o ? new[] { o.Item1, o.Item2 } : null));
    }

    [Fact]
    public void Conv3DTranspose_computes_the_adjoint_of_a_convolution()
    {
        AgreesWithReference(f => new Conv3DTranspose(2, (2, 3, 2), (2, 1, 2), "same", dataFormat: f), new long[] { 1, 2, 3, 2, 3 },
            (x, w) => Reference.ConvTranspose(x, w[0], Bias(w, 1), new[] { 2, 1, 2 }, new[] { 1, 1, 1 }, "same", null));
    }

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 2, 3)]
    [InlineData("valid", 2, 2, 1)] // strides and dilation together: Keras 3.15 allows it here
    public void DepthwiseConv1D_and_2D_convolve_each_channel_with_its_own_filters(string padding, int strides, int dilation, int depthMultiplier)
    {
        AgreesWithReference(f => new DepthwiseConv1D(3, strides, padding, depthMultiplier, f, dilation), new long[] { 2, 9, 3 },
            (x, w) => Reference.Depthwise(x, w[0], Bias(w, 1), new[] { strides }, new[] { dilation }, padding));
        AgreesWithReference(f => new DepthwiseConv2D((3, 2), (strides, 1), padding, depthMultiplier, f, (dilation, 1)), new long[] { 2, 8, 5, 2 },
            (x, w) => Reference.Depthwise(x, w[0], Bias(w, 1), new[] { strides, 1 }, new[] { dilation, 1 }, padding));
    }

    [Theory]
    [InlineData("valid", 1, 1, 1)]
    [InlineData("same", 2, 1, 2)]
    [InlineData("same", 1, 2, 3)]
    public void SeparableConv1D_and_2D_are_depthwise_then_pointwise(string padding, int strides, int dilation, int depthMultiplier)
    {
        AgreesWithReference(f => new SeparableConv1D(4, 3, strides, padding, f, dilation, depthMultiplier), new long[] { 2, 9, 3 },
            (x, w) => Reference.Pointwise(Reference.Depthwise(x, w[0], null, new[] { strides }, new[] { dilation }, padding), w[1], Bias(w, 2)));
        AgreesWithReference(f => new SeparableConv2D(5, (3, 3), (strides, strides), padding, f, (dilation, dilation), depthMultiplier, useBias: false),
            new long[] { 2, 7, 6, 2 },
            (x, w) => Reference.Pointwise(Reference.Depthwise(x, w[0], null, new[] { strides, strides }, new[] { dilation, dilation }, padding), w[1], null));
    }

    [Fact]
    public void The_activation_acts_in_the_layers_own_layout()
    {
        // softmax over the last axis: in channels_first the last axis is a spatial one, as in Keras.
        var x = Nd.Random(new long[] { 1, 4, 3 }, seed: 3);
        foreach (var format in new[] { "channels_last", "channels_first" })
        {
            var conv = new Conv1D(2, 1, dataFormat: format, activation: "softmax", useBias: false, kernelInitializer: new Ones());
            var given = format == "channels_last" ? x : x.MoveAxis(2, 1);
            using var xt = given.Tensor();
            using var y = conv.Call(xt);
            using var sums = y.sum(-1);
            Assert.True(sums.allclose(torch.ones_like(sums), atol: 1e-6), format);
        }
    }

    // ------------------------------------------------------------------ gradients

    public static IEnumerable<object[]> GradientCases() => new[]
    {
        new object[] { "Conv1D", new long[] { 2, 6, 3 } },
        new object[] { "Conv2D", new long[] { 2, 5, 4, 2 } },
        new object[] { "Conv3D", new long[] { 1, 3, 4, 3, 2 } },
        new object[] { "Conv1DTranspose", new long[] { 2, 4, 3 } },
        new object[] { "Conv2DTranspose", new long[] { 1, 3, 3, 2 } },
        new object[] { "Conv3DTranspose", new long[] { 1, 2, 2, 2, 2 } },
        new object[] { "DepthwiseConv1D", new long[] { 2, 6, 2 } },
        new object[] { "DepthwiseConv2D", new long[] { 1, 5, 4, 2 } },
        new object[] { "SeparableConv1D", new long[] { 2, 6, 2 } },
        new object[] { "SeparableConv2D", new long[] { 1, 5, 4, 2 } },
    };

    private static Layer GradientLayer(string name) => name switch
    {
        "Conv1D" => new Conv1D(4, 3, padding: "causal", dilationRate: 2, groups: 1, activation: "tanh", dtype: "float64"),
        "Conv2D" => new Conv2D(4, (3, 2), (2, 1), "same", groups: 2, activation: "sigmoid", dtype: "float64"),
        "Conv3D" => new Conv3D(2, (2, 2, 2), padding: "same", dtype: "float64"),
        "Conv1DTranspose" => new Conv1DTranspose(2, 3, strides: 2, padding: "same", outputPadding: 1, dtype: "float64"),
        "Conv2DTranspose" => new Conv2DTranspose(3, (3, 2), (2, 2), "same", dtype: "float64"),
        "Conv3DTranspose" => new Conv3DTranspose(2, 2, strides: 2, dtype: "float64"),
        "DepthwiseConv1D" => new DepthwiseConv1D(3, depthMultiplier: 2, padding: "same", dtype: "float64"),
        "DepthwiseConv2D" => new DepthwiseConv2D((3, 2), (2, 1), "same", depthMultiplier: 2, dtype: "float64"),
        "SeparableConv1D" => new SeparableConv1D(3, 3, padding: "same", depthMultiplier: 2, activation: "tanh", dtype: "float64"),
        "SeparableConv2D" => new SeparableConv2D(3, (2, 3), (1, 2), "same", depthMultiplier: 2, dtype: "float64"),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void Gradients_match_finite_differences(string className, long[] input)
    {
        var layer = GradientLayer(className);
        using var x = torch.randn(input, torch.ScalarType.Float64, generator: new torch.Generator(3));
        layer.Build(input);
        foreach (var w in layer.Weights) // non-zero biases so their gradients are exercised too
            w.Assign(torch.randn(w.Shape, torch.ScalarType.Float64, generator: new torch.Generator(9)) * 0.5);
        LayerChecks.Gradients(t => layer.Call(t[0]), new[] { x }, layer.TrainableWeights);
    }

    // ------------------------------------------------------------------ weights in Keras' H5 layout

    [Fact]
    public void Weights_are_saved_in_Kerass_H5_layouts()
    {
        LayerChecks.H5Layout(KerasHome, () => new Conv1D(4, 3), new long[] { 6, 2 }, "conv1d", new long[] { 3, 2, 4 }, new long[] { 4 });
        LayerChecks.H5Layout(KerasHome, () => new Conv2D(4, (3, 2), groups: 2), new long[] { 5, 5, 2 }, "conv2d", new long[] { 3, 2, 1, 4 }, new long[] { 4 });
        LayerChecks.H5Layout(KerasHome, () => new Conv3D(2, 2, useBias: false), new long[] { 3, 3, 3, 2 }, "conv3d", new long[] { 2, 2, 2, 2, 2 });
        LayerChecks.H5Layout(KerasHome, () => new Conv1DTranspose(5, 3), new long[] { 4, 2 }, "conv1d_transpose", new long[] { 3, 5, 2 }, new long[] { 5 });
        LayerChecks.H5Layout(KerasHome, () => new Conv2DTranspose(5, (3, 2)), new long[] { 4, 4, 2 }, "conv2d_transpose", new long[] { 3, 2, 5, 2 }, new long[] { 5 });
        LayerChecks.H5Layout(KerasHome, () => new Conv3DTranspose(3, 2), new long[] { 2, 2, 2, 2 }, "conv3d_transpose", new long[] { 2, 2, 2, 3, 2 }, new long[] { 3 });
        LayerChecks.H5Layout(KerasHome, () => new DepthwiseConv1D(3, depthMultiplier: 2), new long[] { 6, 3 }, "depthwise_conv1d", new long[] { 3, 3, 2 }, new long[] { 6 });
        LayerChecks.H5Layout(KerasHome, () => new DepthwiseConv2D((3, 2), depthMultiplier: 2), new long[] { 5, 5, 3 }, "depthwise_conv2d", new long[] { 3, 2, 3, 2 }, new long[] { 6 });
        LayerChecks.H5Layout(KerasHome, () => new SeparableConv1D(4, 3, depthMultiplier: 2), new long[] { 6, 3 }, "separable_conv1d",
            new long[] { 3, 3, 2 }, new long[] { 1, 6, 4 }, new long[] { 4 });
        LayerChecks.H5Layout(KerasHome, () => new SeparableConv2D(4, (3, 2), depthMultiplier: 2), new long[] { 5, 5, 3 }, "separable_conv2d",
            new long[] { 3, 2, 3, 2 }, new long[] { 1, 1, 6, 4 }, new long[] { 4 });
    }

    // ------------------------------------------------------------------ configs

    private static readonly string[] ConvKeys =
    {
        "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
    };

    private static readonly string[] TransposeKeys =
    {
        "filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate", "activation", "use_bias", "kernel_initializer",
        "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
    };

    private static readonly string[] DepthwiseKeys =
    {
        "depth_multiplier", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias", "depthwise_initializer",
        "bias_initializer", "depthwise_regularizer", "bias_regularizer", "activity_regularizer", "depthwise_constraint", "bias_constraint",
    };

    private static readonly string[] SeparableKeys =
    {
        "depth_multiplier", "filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "activation", "use_bias",
        "depthwise_initializer", "pointwise_initializer", "bias_initializer", "depthwise_regularizer", "pointwise_regularizer", "bias_regularizer",
        "activity_regularizer", "depthwise_constraint", "pointwise_constraint", "bias_constraint",
    };

    [Fact]
    public void Configs_hold_Kerass_keys()
    {
        LayerChecks.ConfigKeys(new Conv1D(2, 3), ConvKeys);
        LayerChecks.ConfigKeys(new Conv2D(2, 3), ConvKeys);
        LayerChecks.ConfigKeys(new Conv3D(2, 3), ConvKeys);
        LayerChecks.ConfigKeys(new Conv1DTranspose(2, 3), TransposeKeys);
        LayerChecks.ConfigKeys(new Conv2DTranspose(2, 3), TransposeKeys);
        LayerChecks.ConfigKeys(new Conv3DTranspose(2, 3), TransposeKeys);
        LayerChecks.ConfigKeys(new DepthwiseConv1D(3), DepthwiseKeys);
        LayerChecks.ConfigKeys(new DepthwiseConv2D(3), DepthwiseKeys);
        LayerChecks.ConfigKeys(new SeparableConv1D(2, 3), SeparableKeys);
        LayerChecks.ConfigKeys(new SeparableConv2D(2, 3), SeparableKeys);
    }

    [Fact]
    public void Every_config_key_round_trips_with_non_default_values()
    {
        Layer[] layers =
        {
            new Conv1D(4, 5, 1, "causal", "channels_first", 2, 2, "relu", false, new HeNormal(seed: 3), new Constant(0.5), new L2(0.1), new L1(0.2),
                new L1L2(0.1, 0.2), new MaxNorm(3), new NonNeg()),
            new Conv2DTranspose(3, (2, 3), (2, 2), "same", (1, 0), "channels_first", null, "tanh", true, new LecunUniform(seed: 1), new Ones(),
                new L1(0.3), null, null, new UnitNorm(), new MaxNorm(2)),
            new SeparableConv2D(4, (3, 3), (1, 1), "same", "channels_last", (2, 2), 3, "elu", true, new GlorotNormal(seed: 2), new HeUniform(seed: 4),
                new Zeros(), new L2(0.5), new L1(0.5), new L2(0.25), null, new NonNeg(), new MaxNorm(4), new UnitNorm()),
            new DepthwiseConv2D((3, 1), (1, 2), "valid", 2, "channels_first", (1, 1), "sigmoid", false, new RandomNormal(0.5, 2, seed: 1), new Zeros(),
                new L2(0.02), new L1(0.01), null, new MaxNorm(1), null),
        };
        foreach (var layer in layers)
        {
            var config = layer.GetConfig();
            var entry = Keras.SavingLib.KerasCatalog.Of(layer.GetType())!;
            var reader = new Keras.SavingLib.ConfigReader(config, entry.ClassName, "test") { Kind = "layer" };
            reader.Ignore("trainable", "dtype", "activity_regularizer");
            var copy = (Layer)entry.FromConfig!(reader);
            reader.Finish();
            var copyConfig = copy.GetConfig();
            copyConfig.Remove("activity_regularizer"); // the envelope restores it; compared below on the original
            config.Remove("activity_regularizer");
            Assert.Equal(config.ToJsonString(), copyConfig.ToJsonString());
        }
        Assert.NotNull(((Conv1D)layers[0]).GetConfig()["activity_regularizer"]);
    }

    [Fact]
    public void Kernels_from_truncated_normal_initializers_stay_within_two_standard_deviations()
    {
        // he_normal (common in ResNets): VarianceScaling(2, fan_in, truncated_normal), fan_in = 3·3·16; Keras draws with
        // stddev √(2/fan_in) / 0.87962566103423978 and redraws beyond two of them, so the kernel's own spread is √(2/fan_in).
        var conv = new Conv2D(32, 3, kernelInitializer: new HeNormal(seed: 1));
        conv.Build(new long[] { -1, 8, 8, 16 });
        var values = conv.Kernel!.ToArray<float>();
        double target = Math.Sqrt(2.0 / 144), drawn = target / 0.87962566103423978;
        Assert.All(values, v => Assert.True(Math.Abs(v) <= 2 * drawn + 1e-6));
        double std = Math.Sqrt(values.Select(v => (double)v * v).Average());
        Assert.InRange(std, target * 0.95, target * 1.05);
    }

    [Fact]
    public void Regularizers_and_constraints_reach_the_weights_and_the_loss()
    {
        var regularizer = new L2(0.5);
        var constraint = new NonNeg();
        var conv = new SeparableConv1D(2, 3, depthwiseRegularizer: regularizer, pointwiseConstraint: constraint, biasRegularizer: new L1(0.25));
        conv.Build(new long[] { -1, 5, 2 });
        Assert.Same(regularizer, conv.DepthwiseKernel!.Regularizer);
        Assert.Same(constraint, conv.PointwiseKernel!.Constraint);
        Assert.IsType<L1>(conv.Bias!.Regularizer);

        var x = new Input(new long[] { 5, 2 });
        var transpose = new Conv1DTranspose(2, 3, kernelRegularizer: new L2(0.1));
        var model = new Functional(x, transpose.Call(x));
        double expected = 0.1 * transpose.Kernel!.ToArray<float>().Sum(v => (double)v * v);
        Assert.Equal(expected, model.Losses.Sum(l => l.item<float>()), 4);
    }

    [Fact]
    public void Configs_accept_Kerass_integer_tuples_and_refuse_values_this_runtime_cannot_honour()
    {
        const string conv1d = """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"batch_shape": [null, 6, 2], "name": "in"}},
          {"class_name": "Conv1D", "config": {"name": "c", "filters": 2, "kernel_size": 3, "strides": 1, "padding": "CAUSAL", "dilation_rate": 2}}]}}
        """;
        var model = Saving.ModelFromJson(conv1d);
        var conv = Assert.IsType<Conv1D>(model.Layers[0]);
        Assert.Equal(("causal", 3, 2), (conv.Padding, conv.KernelSize, conv.DilationRate));

        string Conv2D(string extra) => $$$"""
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3] {{{extra}}}}}]}}
        """;
        Assert.Contains("'padding'", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(Conv2D(""", "padding": "causal" """))).Message);
        Assert.Contains("lora_rank", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(Conv2D(""", "lora_rank": 4 """))).Message);
        Assert.Contains("'kernel_size'", Assert.Throws<KerasConfigException>(() => Saving.ModelFromJson(Conv2D("")
            .Replace("\"kernel_size\": [3, 3]", "\"kernel_size\": [3]"))).Message);
    }

    // ------------------------------------------------------------------ errors

    [Fact]
    public void Arguments_are_checked_with_Kerass_messages()
    {
        Assert.StartsWith("Invalid value for argument `filters`. Expected a strictly positive value. Received filters=0.",
            Assert.Throws<KerasArgumentException>(() => new Conv1D(0, 3)).Message);
        Assert.StartsWith("The number of groups must be a positive integer. Received: groups=0.",
            Assert.Throws<KerasArgumentException>(() => new Conv2D(4, 3, groups: 0)).Message);
        Assert.StartsWith("The number of filters must be evenly divisible by the number of groups. Received: groups=3, filters=4.",
            Assert.Throws<KerasArgumentException>(() => new Conv2D(4, 3, groups: 3)).Message);
        Assert.StartsWith("The `kernel_size` argument must be a tuple of 2 integers. Received kernel_size=(0, 3), including values {0} that do not satisfy `value > 0`",
            Assert.Throws<KerasArgumentException>(() => new Conv2D(4, (0, 3))).Message);
        Assert.StartsWith("`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=(2,) and dilation_rate=(2,)",
            Assert.Throws<KerasArgumentException>(() => new Conv1D(4, 3, strides: 2, dilationRate: 2)).Message);
        Assert.StartsWith("The `padding` argument must be a list/tuple or one of {'valid', 'same'}. Received: causal",
            Assert.Throws<KerasArgumentException>(() => new Conv2D(4, 3, padding: "causal")).Message);
        Assert.StartsWith("`output_padding` must be strictly less than `strides` for all dimensions. At dimension 0, `output_padding` is 2 but `strides` is 2.",
            Assert.Throws<KerasArgumentException>(() => new Conv1DTranspose(2, 3, strides: 2, outputPadding: 2)).Message);
        Assert.StartsWith("Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received depth_multiplier=0.",
            Assert.Throws<KerasArgumentException>(() => new DepthwiseConv2D(3, depthMultiplier: 0)).Message);
        Assert.StartsWith("Invalid value for argument `depth_multiplier`.",
            Assert.Throws<KerasArgumentException>(() => new SeparableConv1D(2, 3, depthMultiplier: -1)).Message);
    }

    [Fact]
    public void Input_shapes_are_checked_with_Kerass_messages()
    {
        var conv = new Conv2D(4, 3);
        Assert.StartsWith("Input 0 of layer \"conv2d\" is incompatible with the layer: expected min_ndim=4, found ndim=3. Full shape received: (None, 5, 5)",
            Assert.Throws<KerasArgumentException>(() => conv.Call(new Input(new long[] { 5, 5 }))).Message);
        conv.Build(new long[] { -1, 5, 5, 3 });
        using var wrongChannels = torch.rand(1, 5, 5, 2);
        Assert.StartsWith("Input 0 of layer \"conv2d\" is incompatible with the layer: expected axis -1 of input shape to have value 3, but received input with shape (1, 5, 5, 2)",
            Assert.Throws<KerasArgumentException>(() => conv.Call(wrongChannels)).Message);
        using var small = torch.rand(1, 2, 2, 3);
        Assert.StartsWith("Computed output size would be zero or negative.", Assert.Throws<KerasArgumentException>(() => conv.Call(small)).Message);

        Assert.StartsWith("The number of input channels must be evenly divisible by the number of groups. Received groups=2, but the input has 3 channels",
            Assert.Throws<KerasArgumentException>(() => new Conv1D(4, 3, groups: 2).Build(new long[] { -1, 5, 3 })).Message);
        var transpose = new Conv2DTranspose(2, 3, dataFormat: "channels_first");
        transpose.Build(new long[] { -1, 3, 4, 4 });
        using var wrong = torch.rand(1, 2, 4, 4);
        Assert.Contains("expected axis 1 of input shape to have value 3", Assert.Throws<KerasArgumentException>(() => transpose.Call(wrong)).Message);
        var depthwise = new DepthwiseConv1D(5);
        Assert.StartsWith("Computed output size would be zero or negative.",
            Assert.Throws<KerasArgumentException>(() => depthwise.Build(new long[] { -1, 4, 2 })).Message);
    }

    [Fact]
    public void Output_shapes_follow_Kerass_rules_with_unknown_dimensions()
    {
        Assert.Equal(new long[] { -1, -1, 4 }, new Conv1D(4, 3, padding: "causal").ComputeOutputShape(new long[] { -1, -1, 2 }));
        Assert.Equal(new long[] { -1, 4, 10, 3 }, new Conv2DTranspose(3, 3, strides: 2, padding: "same").ComputeOutputShape(new long[] { -1, 2, 5, 1 }));
        // valid without output_padding: (n - 1)·s + max(k, s)
        Assert.Equal(new long[] { -1, 9, 2 }, new Conv1DTranspose(2, 2, strides: 3).ComputeOutputShape(new long[] { -1, 3, 1 }));
        Assert.Equal(new long[] { -1, 6, 3, 3 }, new DepthwiseConv2D(3, depthMultiplier: 2, dataFormat: "channels_first").ComputeOutputShape(new long[] { -1, 3, 5, 5 }));
    }

    [Fact]
    public void Layers_keep_no_tensors_between_calls()
    {
        Layer[] layers = { new Conv1D(2, 3, padding: "causal"), new Conv2DTranspose(2, 3, strides: 2, padding: "same"), new SeparableConv2D(2, 3, padding: "same") };
        long[][] shapes = { new long[] { 2, 6, 3 }, new long[] { 2, 4, 4, 3 }, new long[] { 2, 5, 5, 3 } };
        for (int i = 0; i < layers.Length; i++)
        {
            using var x = torch.rand(shapes[i]);
            layers[i].Call(x).Dispose();
            // Every tensor made on this thread while the scope is open joins it unless disposed (earlier tests' garbage
            // finalized meanwhile does not change this count, as it changes torch.Tensor.TotalCount).
            using var scope = torch.NewDisposeScope();
            for (int k = 0; k < 5; k++) layers[i].Call(x).Dispose();
            Assert.Equal(0, scope.DisposablesCount);
        }
    }
}

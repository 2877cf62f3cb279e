using System.IO.Compression;
using Keras.Layers;
using Keras.Models;
using PureHDF;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// A plain N-D array of doubles (row-major) for the reference computations the layer tests compare against: written
/// from Keras' documented formulas with ordinary loops, sharing no code with the layers under test.
/// </summary>
internal sealed class Nd
{
    public Nd(long[] shape, double[]? data = null)
    {
        Shape = (long[])shape.Clone();
        Strides = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            Strides[i] = s;
            s *= shape[i];
        }
        Data = data ?? new double[s];
        Assert.Equal(s, Data.LongLength);
    }

    public long[] Shape { get; }
    public long[] Strides { get; }
    public double[] Data { get; }

    public double this[params long[] index]
    {
        get => Data[Offset(index)];
        set => Data[Offset(index)] = value;
    }

    public long Offset(long[] index)
    {
        long o = 0;
        for (int i = 0; i < index.Length; i++) o += index[i] * Strides[i];
        return o;
    }

    public static Nd Of(torch.Tensor t)
    {
        using var d = t.detach().cpu().to_type(torch.ScalarType.Float64).contiguous();
        return new Nd(d.shape, d.data<double>().ToArray());
    }

    public static Nd Random(long[] shape, int seed, double scale = 1.0)
    {
        var random = new Random(seed);
        var nd = new Nd(shape);
        for (int i = 0; i < nd.Data.Length; i++) nd.Data[i] = (random.NextDouble() * 2 - 1) * scale;
        return nd;
    }

    public torch.Tensor Tensor(torch.ScalarType type = torch.ScalarType.Float32)
    {
        using var t = torch.tensor(Data, Shape, torch.ScalarType.Float64);
        return t.to_type(type);
    }

    /// <summary>Every index of <paramref name="shape"/>, row-major.</summary>
    public static IEnumerable<long[]> Indices(long[] shape)
    {
        long total = shape.Aggregate(1L, (a, b) => a * b);
        for (long flat = 0; flat < total; flat++)
        {
            var index = new long[shape.Length];
            long rest = flat;
            for (int i = shape.Length - 1; i >= 0; i--)
            {
                index[i] = rest % shape[i];
                rest /= shape[i];
            }
            yield return index;
        }
    }

    /// <summary>Moves axis <paramref name="from"/> to <paramref name="to"/> (channels_last ↔ channels_first for the tests).</summary>
    public Nd MoveAxis(int from, int to)
    {
        var order = Enumerable.Range(0, Shape.Length).ToList();
        order.RemoveAt(from);
        order.Insert(to, from);
        var shape = order.Select(a => Shape[a]).ToArray();
        var result = new Nd(shape);
        foreach (var index in Indices(shape))
        {
            var source = new long[index.Length];
            for (int i = 0; i < index.Length; i++) source[order[i]] = index[i];
            result[index] = this[source];
        }
        return result;
    }
}

/// <summary>Keras' convolution and pooling arithmetic, by hand, on channels-last arrays.</summary>
internal static class Reference
{
    /// <summary>TF/Keras "same": output ⌈n/s⌉, total padding max((out-1)·s + k_eff - n, 0), the smaller half before.</summary>
    public static (long Out, long Before) Same(long n, long kEff, long s)
    {
        long output = (n + s - 1) / s;
        long total = Math.Max((output - 1) * s + kEff - n, 0);
        return (output, total / 2);
    }

    /// <summary>Output length and padding before for one spatial axis.</summary>
    public static (long Out, long Before) Axis(long n, long k, long s, long d, string padding)
    {
        long kEff = (k - 1) * d + 1;
        return padding switch
        {
            "valid" => ((n - kEff) / s + 1, 0),
            "causal" => ((n + s - 1) / s, kEff - 1),
            _ => Same(n, kEff, s),
        };
    }

    /// <summary>
    /// Convolution of x (N, spatial..., C) with kernel (k..., C/groups, F): y[n, o, f] = Σ_j Σ_c x[n, o·s + j·d - before, g·C/groups + c]·k[j, c, f]
    /// over positions inside the input (zero padding), g = f / (F/groups); plus bias.
    /// </summary>
    public static Nd Conv(Nd x, Nd kernel, double[]? bias, int[] strides, int[] dilation, string padding, int groups = 1)
    {
        int rank = x.Shape.Length - 2;
        long cin = kernel.Shape[rank], filters = kernel.Shape[rank + 1];
        var axes = Enumerable.Range(0, rank).Select(i => Axis(x.Shape[i + 1], kernel.Shape[i], strides[i], dilation[i], padding)).ToArray();
        var outShape = new[] { x.Shape[0] }.Concat(axes.Select(a => a.Out)).Append(filters).ToArray();
        var y = new Nd(outShape);
        var kernelSpatial = kernel.Shape.Take(rank).ToArray();
        foreach (var o in Nd.Indices(outShape))
        {
            long f = o[rank + 1], g = f / (filters / groups);
            double sum = bias?[f] ?? 0;
            foreach (var j in Nd.Indices(kernelSpatial))
            {
                var p = new long[rank + 2];
                p[0] = o[0];
                bool inside = true;
                for (int i = 0; i < rank; i++)
                {
                    p[i + 1] = o[i + 1] * strides[i] + j[i] * dilation[i] - axes[i].Before;
                    inside &= p[i + 1] >= 0 && p[i + 1] < x.Shape[i + 1];
                }
                if (!inside) continue;
                for (long c = 0; c < cin; c++)
                {
                    p[rank + 1] = g * cin + c;
                    sum += x[p] * kernel[j.Concat(new[] { c, f }).ToArray()];
                }
            }
            y[o] = sum;
        }
        return y;
    }

    /// <summary>
    /// Transposed convolution as the adjoint of a convolution: x (N, spatial..., C), kernel (k..., F, C); output length per
    /// Keras' documented formula, y[n, i·s + j·d - before, f] += x[n, i, c]·k[j, f, c], before = max((n-1)·s + k_eff - L, 0) / 2.
    /// </summary>
    public static Nd ConvTranspose(Nd x, Nd kernel, double[]? bias, int[] strides, int[] dilation, string padding, int[]? outputPadding)
    {
        int rank = x.Shape.Length - 2;
        long filters = kernel.Shape[rank], cin = kernel.Shape[rank + 1];
        var lengths = new long[rank];
        var before = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long n = x.Shape[i + 1], s = strides[i], kEff = (kernel.Shape[i] - 1) * dilation[i] + 1;
            lengths[i] = padding == "valid"
                ? (n - 1) * s + kEff + (outputPadding?[i] ?? Math.Max(kEff, s) - kEff)
                : outputPadding == null ? n * s : (n - 1) * s + kEff % 2 + outputPadding[i];
            before[i] = Math.Max((n - 1) * s + kEff - lengths[i], 0) / 2;
        }
        var outShape = new[] { x.Shape[0] }.Concat(lengths).Append(filters).ToArray();
        var y = new Nd(outShape);
        var kernelSpatial = kernel.Shape.Take(rank).ToArray();
        foreach (var xi in Nd.Indices(x.Shape))
        {
            foreach (var j in Nd.Indices(kernelSpatial))
            {
                var o = new long[rank + 2];
                o[0] = xi[0];
                bool inside = true;
                for (int i = 0; i < rank; i++)
                {
                    o[i + 1] = xi[i + 1] * strides[i] + j[i] * dilation[i] - before[i];
                    inside &= o[i + 1] >= 0 && o[i + 1] < lengths[i];
                }
                if (!inside) continue;
                for (long f = 0; f < filters; f++)
                {
                    o[rank + 1] = f;
                    y[o] += x[xi] * kernel[j.Concat(new[] { f, xi[rank + 1] }).ToArray()];
                }
            }
        }
        if (bias != null)
            foreach (var o in Nd.Indices(outShape)) y[o] += bias[o[rank + 1]];
        return y;
    }

    /// <summary>Depthwise convolution: output channel c·dm + m = Σ_j x[.., c]·k[j, c, m] (kernel (k..., C, dm)).</summary>
    public static Nd Depthwise(Nd x, Nd kernel, double[]? bias, int[] strides, int[] dilation, string padding)
    {
        int rank = x.Shape.Length - 2;
        long channels = kernel.Shape[rank], dm = kernel.Shape[rank + 1];
        var axes = Enumerable.Range(0, rank).Select(i => Axis(x.Shape[i + 1], kernel.Shape[i], strides[i], dilation[i], padding)).ToArray();
        var outShape = new[] { x.Shape[0] }.Concat(axes.Select(a => a.Out)).Append(channels * dm).ToArray();
        var y = new Nd(outShape);
        var kernelSpatial = kernel.Shape.Take(rank).ToArray();
        foreach (var o in Nd.Indices(outShape))
        {
            long c = o[rank + 1] / dm, m = o[rank + 1] % dm;
            double sum = bias?[o[rank + 1]] ?? 0;
            foreach (var j in Nd.Indices(kernelSpatial))
            {
                var p = new long[rank + 2];
                p[0] = o[0];
                p[rank + 1] = c;
                bool inside = true;
                for (int i = 0; i < rank; i++)
                {
                    p[i + 1] = o[i + 1] * strides[i] + j[i] * dilation[i] - axes[i].Before;
                    inside &= p[i + 1] >= 0 && p[i + 1] < x.Shape[i + 1];
                }
                if (inside) sum += x[p] * kernel[j.Concat(new[] { c, m }).ToArray()];
            }
            y[o] = sum;
        }
        return y;
    }

    /// <summary>A 1×…×1 convolution: y[.., f] = Σ_c x[.., c]·w[c, f] + bias[f].</summary>
    public static Nd Pointwise(Nd x, Nd pointwise, double[]? bias)
    {
        int rank = x.Shape.Length - 2;
        long cin = pointwise.Shape[rank], filters = pointwise.Shape[rank + 1];
        var outShape = x.Shape.Take(rank + 1).Append(filters).ToArray();
        var y = new Nd(outShape);
        var zeros = new long[rank];
        foreach (var o in Nd.Indices(outShape))
        {
            double sum = bias?[o[rank + 1]] ?? 0;
            for (long c = 0; c < cin; c++)
                sum += x[o.Take(rank + 1).Append(c).ToArray()] * pointwise[zeros.Concat(new[] { c, o[rank + 1] }).ToArray()];
            y[o] = sum;
        }
        return y;
    }

    /// <summary>Max or average over each window; "same" windows count only the real inputs they cover.</summary>
    public static Nd Pool(Nd x, int[] pool, int[] strides, string padding, bool average)
    {
        int rank = x.Shape.Length - 2;
        var axes = Enumerable.Range(0, rank).Select(i => Axis(x.Shape[i + 1], pool[i], strides[i], 1, padding)).ToArray();
        var outShape = new[] { x.Shape[0] }.Concat(axes.Select(a => a.Out)).Append(x.Shape[rank + 1]).ToArray();
        var y = new Nd(outShape);
        var window = pool.Select(p => (long)p).ToArray();
        foreach (var o in Nd.Indices(outShape))
        {
            double acc = average ? 0 : double.NegativeInfinity;
            int count = 0;
            foreach (var j in Nd.Indices(window))
            {
                var p = new long[rank + 2];
                p[0] = o[0];
                p[rank + 1] = o[rank + 1];
                bool inside = true;
                for (int i = 0; i < rank; i++)
                {
                    p[i + 1] = o[i + 1] * strides[i] + j[i] - axes[i].Before;
                    inside &= p[i + 1] >= 0 && p[i + 1] < x.Shape[i + 1];
                }
                if (!inside) continue;
                count++;
                acc = average ? acc + x[p] : Math.Max(acc, x[p]);
            }
            y[o] = average ? acc / count : acc;
        }
        return y;
    }
}

/// <summary>Checks shared by the layer tests.</summary>
internal static class LayerChecks
{
    /// <summary>
    /// Compares autograd's gradients of Σ f(inputs)·probe (a fixed random probe) with respect to every input and every
    /// trainable weight with central finite differences, in float64, on up to <paramref name="samples"/> entries of each.
    /// </summary>
    public static void Gradients(Func<torch.Tensor[], torch.Tensor> f, torch.Tensor[] inputs, IReadOnlyList<KerasVariable> weights, int samples = 10,
        double eps = 1e-6, double tolerance = 1e-6)
    {
        foreach (var input in inputs) Assert.Equal(torch.ScalarType.Float64, input.dtype);
        foreach (var w in weights) Assert.Equal("float64", w.Dtype);
        var leaves = inputs.Select(i => i.detach().requires_grad_(true)).ToArray();
        var parameters = leaves.Concat(weights.Select(w => w.Value)).ToArray();
        using var y0 = f(leaves);
        using var probe = torch.randn(y0.shape, torch.ScalarType.Float64, generator: new torch.Generator(17));
        using var loss = (y0 * probe).sum();
        var analytic = torch.autograd.grad(new[] { loss }, parameters, allow_unused: true);
        double Loss()
        {
            using var _ = torch.no_grad();
            using var y = f(leaves);
            using var l = (y * probe).sum();
            return l.item<double>();
        }
        var random = new Random(5);
        for (int p = 0; p < parameters.Length; p++)
        {
            var parameter = parameters[p];
            long count = parameter.numel();
            using var grad = analytic[p] is { } g ? g.reshape(-1).cpu() : torch.zeros(count, torch.ScalarType.Float64);
            var indices = count <= samples ? Enumerable.Range(0, (int)count) : Enumerable.Range(0, samples).Select(_ => random.Next((int)count));
            foreach (int i in indices)
            {
                double original;
                using (torch.no_grad())
                {
                    using var flat = parameter.view(-1);
                    using var entry = flat[i];
                    original = entry.item<double>();
                    entry.fill_(original + eps);
                    double plus = Loss();
                    entry.fill_(original - eps);
                    double minus = Loss();
                    entry.fill_(original);
                    double numeric = (plus - minus) / (2 * eps);
                    double exact = grad[i].item<double>();
                    Assert.True(Math.Abs(numeric - exact) <= tolerance * (1 + Math.Abs(exact)),
                        $"parameter {p} ({(p < leaves.Length ? "input" : weights[p - leaves.Length].Name)}) entry {i}: autograd {exact}, finite differences {numeric}");
                }
            }
        }
        foreach (var leaf in leaves) leaf.Dispose();
    }

    /// <summary>Asserts two tensors are equal within atol + rtol·|expected|.</summary>
    public static void Close(Nd expected, torch.Tensor actual, double atol = 1e-5, double rtol = 1e-5)
    {
        var a = Nd.Of(actual);
        Assert.Equal(expected.Shape, a.Shape);
        for (int i = 0; i < expected.Data.Length; i++)
            Assert.True(Math.Abs(expected.Data[i] - a.Data[i]) <= atol + rtol * Math.Abs(expected.Data[i]),
                $"entry {i}: expected {expected.Data[i]}, got {a.Data[i]}");
    }

    /// <summary>
    /// Saves a one-layer model's weights and checks Keras' H5 layout: <c>layers/&lt;group&gt;/vars/i</c> with the given shapes
    /// and the layer's values, in order; then loads them into a fresh copy of the model and compares predictions.
    /// </summary>
    public static void H5Layout(string directory, Func<Layer> make, long[] input, string group, params long[][] shapes)
    {
        var x = new Input(input);
        var layer = make();
        var model = new Functional(x, layer.Call(x), name: "h5");
        string path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".weights.h5");
        model.SaveWeights(path);
        var values = layer.Weights;
        Assert.Equal(shapes.Length, values.Count);
        using (var file = H5File.OpenRead(path))
        {
            var vars = file.Group($"layers/{group}/vars");
            Assert.Equal(layer.Name, vars.Attribute("name").Read<string>());
            for (int i = 0; i < shapes.Length; i++)
            {
                var dataset = file.Dataset($"layers/{group}/vars/{i}");
                Assert.Equal(shapes[i].Select(d => (ulong)d).ToArray(), dataset.Space.Dimensions);
                Assert.Equal(values[i].ToArray<float>(), shapes[i].Length == 0 ? new[] { dataset.Read<float>() } : dataset.Read<float[]>());
            }
            Assert.Equal(shapes.Length, vars.Children().Count());
        }
        var x2 = new Input(input);
        var copy = new Functional(x2, make().Call(x2), name: "h5");
        copy.LoadWeights(path);
        using var data = torch.randn(new[] { 2L }.Concat(input).ToArray());
        using var a = model.Predict(data);
        using var b = copy.Predict(data);
        Assert.True(a.allclose(b, rtol: 0, atol: 0));
    }

    /// <summary>The config's keys equal Keras' (the list read from Keras' get_config / constructor of v3.15.1).</summary>
    public static void ConfigKeys(Layer layer, params string[] kerasKeys)
    {
        var keys = layer.GetConfig().Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "name", "trainable", "dtype" }.Concat(kerasKeys).OrderBy(k => k, StringComparer.Ordinal).ToArray(), keys);
    }

    /// <summary>A .keras archive (metadata, config, weights) written as Keras writes it, stored uncompressed.</summary>
    public static string KerasFile(string directory, string configJson, Action<H5File>? weights = null, string kerasVersion = "3.10.0")
    {
        string path = Path.Combine(directory, Guid.NewGuid().ToString("N") + ".keras");
        var file = new H5File();
        weights?.Invoke(file);
        using var h5 = new MemoryStream();
        file.Write(h5);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Entry(string name, byte[] content)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(content);
        }
        Entry("metadata.json", System.Text.Encoding.UTF8.GetBytes($"{{\"keras_version\": \"{kerasVersion}\", \"date_saved\": \"2025-06-01@10:00:00\"}}"));
        Entry("config.json", System.Text.Encoding.UTF8.GetBytes(configJson));
        Entry("model.weights.h5", h5.ToArray());
        return path;
    }

    /// <summary>An H5 dataset of float32 values with Keras' dims.</summary>
    public static H5Dataset Dataset(Nd values) =>
        new H5Dataset(values.Data.Select(v => (float)v).ToArray(), fileDims: values.Shape.Select(d => (ulong)d).ToArray());

    /// <summary>Rounds an array to float32 precision, so references use exactly the values a float32 file holds.</summary>
    public static Nd AsFloat32(this Nd values) => new Nd(values.Shape, values.Data.Select(v => (double)(float)v).ToArray());
}

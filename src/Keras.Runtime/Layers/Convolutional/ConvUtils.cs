using System;
using System.Globalization;
using System.Linq;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// The arithmetic every convolution and pooling layer shares, for 1, 2 and 3 spatial dimensions: Keras' argument
    /// checks (<c>standardize_tuple</c>, <c>standardize_padding</c>), Keras' output-length rules, "same" padding as Keras
    /// computes it (TF's rule: the extra pixel goes after), moving channels between Keras' layouts and TorchSharp's
    /// channels-first one, and the rank-dispatched TorchSharp calls.
    /// </summary>
    internal static class ConvUtils
    {
        // ------------------------------------------------------------------ arguments

        /// <summary>Python's tuple formatting: (3,) or (3, 3).</summary>
        internal static string Tuple(params int[] values) =>
            "(" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + (values.Length == 1 ? ",)" : ")");

        /// <summary>Keras' <c>standardize_tuple(value, n, name, allow_zero)</c> on an already expanded tuple: checks length and sign.</summary>
        internal static int[] Standardize(int[]? values, int n, string name, bool allowZero = false, string? parameter = null)
        {
            if (values == null || values.Length != n)
                throw new KerasArgumentException(
                    $"The `{name}` argument must be a tuple of {n} integers. Received {name}={(values == null ? "None" : Tuple(values))}", parameter ?? name);
            var rule = allowZero ? Shared.KerasArgumentRules.TupleElementAllowZero : Shared.KerasArgumentRules.TupleElement;
            var bad = values.Where(v => !rule.IsValid(v)).Distinct().ToArray();
            if (bad.Length > 0)
                throw new KerasArgumentException(
                    $"The `{name}` argument must be a tuple of {n} integers. Received {name}={Tuple(values)}, including values " +
                    $"{{{string.Join(", ", bad)}}} that do not satisfy `value {(allowZero ? ">= 0" : "> 0")}`", parameter ?? name);
            return (int[])values.Clone();
        }

        /// <summary>Keras' <c>standardize_padding</c>: lowercased, one of valid/same (and causal where allowed).</summary>
        internal static string Padding(string? padding, bool allowCausal)
        {
            string value = (padding ?? "").ToLowerInvariant();
            bool ok = (allowCausal ? Shared.KerasIdentifiers.CausalPaddings : Shared.KerasIdentifiers.Paddings).Resolve(value) != null;
            if (!ok)
                throw new KerasArgumentException(
                    "The `padding` argument must be a list/tuple or one of " + (allowCausal ? "{'valid', 'same', 'causal'}" : "{'valid', 'same'}") +
                    ". Received: " + value, nameof(padding));
            return value;
        }

        /// <summary>Keras' check shared by convolutions and transposed convolutions.</summary>
        internal static void CheckStridesAndDilation(int[] strides, int[] dilation)
        {
            if (strides.Max() > 1 && dilation.Max() > 1)
                throw new KerasArgumentException(
                    $"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides={Tuple(strides)} and " +
                    $"dilation_rate={Tuple(dilation)}", "strides");
        }

        /// <summary>Reads a tuple key of a config (an integer or a list of <paramref name="n"/>), zero allowed where Keras allows it.</summary>
        internal static int[] ReadTuple(ConfigReader c, string key, int n, int[]? defaultValue, int min = 1) => c.Ints(key, n, defaultValue, min);

        internal static int[] Ones(int n) => Enumerable.Repeat(1, n).ToArray();

        // ------------------------------------------------------------------ shapes

        /// <summary>Size of a window once dilated: (k - 1)·d + 1.</summary>
        internal static long Effective(long kernel, long dilation) => (kernel - 1) * dilation + 1;

        /// <summary>
        /// Keras' <c>compute_conv_output_shape</c> for one spatial axis (-1 unknown): valid ⌊(n - d(k-1) - 1)/s⌋ + 1,
        /// same and causal ⌊(n - 1)/s⌋ + 1.
        /// </summary>
        internal static long ConvLength(long size, long kernel, long stride, long dilation, string padding)
        {
            if (size < 0) return -1;
            return padding == "valid" ? FloorDiv(size - dilation * (kernel - 1) - 1, stride) + 1 : FloorDiv(size - 1, stride) + 1;
        }

        /// <summary>Keras' transposed-convolution output length (<c>_get_output_shape_given_tf_padding</c>).</summary>
        internal static long TransposeLength(long size, long kernel, long stride, long dilation, string padding, int? outputPadding)
        {
            if (size < 0) return -1;
            long k = Effective(kernel, dilation);
            if (padding == "valid")
                return (size - 1) * stride + k + (outputPadding ?? Math.Max(k, stride) - k);
            return outputPadding is int op ? (size - 1) * stride + k % 2 + op : size * stride;
        }

        /// <summary>
        /// The zeros Keras' transposed convolution adds before and after the stride-dilated input of one axis (JAX's
        /// padding, which Keras reproduces on every backend): valid (k_eff - 1, k_eff - 1 + p) with p = output_padding or
        /// max(k_eff, s) - k_eff; same: a total of s + k_eff - 2 (or k_eff + k_eff mod 2 - 2 + p with output_padding),
        /// the larger half before but at most k_eff - 1.
        /// </summary>
        internal static (long Before, long After) TransposePadding(long kernel, long stride, long dilation, string padding, int? outputPadding)
        {
            long k = Effective(kernel, dilation);
            if (padding == "valid")
            {
                long op = outputPadding ?? Math.Max(k, stride) - k;
                return (k - 1, k - 1 + op);
            }
            long total = outputPadding is int p ? k + k % 2 - 2 + p : stride + k - 2;
            long before = Math.Min(total / 2 + total % 2, k - 1);
            return (before, total - before);
        }

        /// <summary>Keras/TF "same" padding for one axis: (before, after), the extra pixel after.</summary>
        internal static (long Before, long After) SamePadding(long size, long effectiveKernel, long stride)
        {
            long total = stride == 1 ? effectiveKernel - 1 : Math.Max((FloorDiv(size + stride - 1, stride) - 1) * stride + effectiveKernel - size, 0);
            return (total / 2, total - total / 2);
        }

        private static long FloorDiv(long a, long b) => (long)Math.Floor((double)a / b);

        // ------------------------------------------------------------------ layouts

        /// <summary>Channels-last → channels-first permutation for <paramref name="rank"/> spatial axes.</summary>
        internal static long[] ToChannelsFirstOrder(int rank) => new long[] { 0, rank + 1 }.Concat(Enumerable.Range(1, rank).Select(i => (long)i)).ToArray();

        /// <summary>Channels-first → channels-last permutation for <paramref name="rank"/> spatial axes.</summary>
        internal static long[] ToChannelsLastOrder(int rank) => new long[] { 0 }.Concat(Enumerable.Range(2, rank).Select(i => (long)i)).Append(1L).ToArray();

        /// <summary>
        /// The input in channels-first layout, dense (an alias when it already is): TorchSharp's kernels then never see
        /// the strided channels-last view of an NHWC tensor.
        /// </summary>
        internal static Tensor ChannelsFirst(Tensor x, string dataFormat, int rank)
        {
            if (dataFormat != "channels_last") return x.alias();
            using var permuted = x.permute(ToChannelsFirstOrder(rank));
            return permuted.contiguous();
        }

        /// <summary>A channels-first result back in the layer's layout (contiguous when permuted).</summary>
        internal static Tensor FromChannelsFirst(Tensor x, string dataFormat, int rank)
        {
            if (dataFormat != "channels_last") return x.alias();
            using var permuted = x.permute(ToChannelsLastOrder(rank));
            return permuted.contiguous();
        }

        /// <summary>A Keras kernel (k..., in, out) in TorchSharp's layout (out, in, k...).</summary>
        internal static Tensor TorchKernel(Tensor keras, int rank) =>
            keras.permute(new long[] { rank + 1, rank }.Concat(Enumerable.Range(0, rank).Select(i => (long)i)).ToArray());

        /// <summary>Pads the spatial axes of a channels-first tensor: (before, after) per spatial axis, in axis order.</summary>
        internal static Tensor PadSpatial(Tensor ncx, (long Before, long After)[] pads, double value = 0)
        {
            if (pads.All(p => p.Before == 0 && p.After == 0)) return ncx.alias();
            var flat = Enumerable.Reverse(pads).SelectMany(p => new[] { p.Before, p.After }).ToArray(); // torch pads the last axis first
            return nn.functional.pad(ncx, flat, PaddingModes.Constant, value);
        }

        /// <summary>Keras' "same" padding of a channels-first tensor for windows <paramref name="effectiveKernel"/> (already dilated).</summary>
        internal static Tensor PadSame(Tensor ncx, long[] effectiveKernel, int[] strides, double value = 0)
        {
            var pads = new (long, long)[effectiveKernel.Length];
            for (int i = 0; i < pads.Length; i++) pads[i] = SamePadding(ncx.shape[i + 2], effectiveKernel[i], strides[i]);
            return PadSpatial(ncx, pads, value);
        }

        // ------------------------------------------------------------------ TorchSharp calls by rank

        internal static Tensor Conv(Tensor input, Tensor kernel, Tensor? bias, int[] strides, int[] dilation, long groups)
        {
            // Dense layouts for both operands: fed the channels-last view of an NHWC tensor, libtorch's CPU grouped
            // (depthwise) convolution returned values that changed from one call to the next (seen with SeparableConv2D).
            using var ncx = input.contiguous();
            using var weight = kernel.contiguous();
            var s = strides.Select(v => (long)v).ToArray();
            var d = dilation.Select(v => (long)v).ToArray();
            return strides.Length switch
            {
                1 => nn.functional.conv1d(ncx, weight, bias, stride: s[0], padding: 0, dilation: d[0], groups: groups),
                2 => nn.functional.conv2d(ncx, weight, bias, strides: s, padding: new long[] { 0, 0 }, dilation: d, groups: groups),
                3 => nn.functional.conv3d(ncx, weight, bias, strides: s, padding: new long[] { 0, 0, 0 }, dilation: d, groups: groups),
                _ => throw new InvalidOperationException("convolutions have 1 to 3 spatial axes"),
            };
        }

        /// <summary>
        /// A channels-first tensor with <c>stride - 1</c> zeros inserted between neighbours along each spatial axis (length
        /// (n - 1)·s + 1): the input of a transposed convolution written as an ordinary one.
        /// </summary>
        internal static Tensor DilateInput(Tensor ncx, int[] strides)
        {
            Tensor current = ncx.alias();
            for (int i = 0; i < strides.Length; i++)
            {
                int s = strides[i];
                if (s == 1) continue;
                long axis = i + 2, length = current.shape[axis];
                using var last = current.movedim(new[] { axis }, new[] { current.dim() - 1 });
                using var column = last.unsqueeze(-1);
                using var spread = nn.functional.pad(column, new long[] { 0, s - 1 });
                var shape = spread.shape;
                using var flat = spread.reshape(shape.Take(shape.Length - 2).Append(length * s).ToArray());
                using var trimmed = flat.narrow(-1, 0, (length - 1) * s + 1);
                var next = trimmed.movedim(new[] { trimmed.dim() - 1 }, new[] { axis });
                current.Dispose();
                current = next;
            }
            return current;
        }

        internal static Tensor MaxPool(Tensor ncx, int[] pool, int[] strides)
        {
            var p = pool.Select(v => (long)v).ToArray();
            var s = strides.Select(v => (long)v).ToArray();
            return pool.Length switch
            {
                1 => nn.functional.max_pool1d(ncx, p[0], s[0]),
                2 => nn.functional.max_pool2d(ncx, p, s),
                3 => nn.functional.max_pool3d(ncx, p, s),
                _ => throw new InvalidOperationException("pooling has 1 to 3 spatial axes"),
            };
        }

        /// <summary>Average pooling counting every position of the window (padding included).</summary>
        internal static Tensor AvgPool(Tensor ncx, int[] pool, int[] strides)
        {
            var p = pool.Select(v => (long)v).ToArray();
            var s = strides.Select(v => (long)v).ToArray();
            return pool.Length switch
            {
                1 => nn.functional.avg_pool1d(ncx, p[0], s[0]),
                2 => nn.functional.avg_pool2d(ncx, p, s),
                3 => nn.functional.avg_pool3d(ncx, p, s),
                _ => throw new InvalidOperationException("pooling has 1 to 3 spatial axes"),
            };
        }

        // ------------------------------------------------------------------ messages

        /// <summary>Keras' input_spec message for too few dimensions (and for more than the op accepts).</summary>
        internal static KerasArgumentException WrongRank(string layer, int expected, long[] shape, bool exact) =>
            new KerasArgumentException(
                $"Input 0 of layer \"{layer}\" is incompatible with the layer: expected {(exact ? "ndim" : "min_ndim")}={expected}, found ndim={shape.Length}. " +
                $"Full shape received: {FormatShape(shape)}");

        /// <summary>Keras' input_spec message for a channel axis that differs from the one the layer was built for.</summary>
        internal static KerasArgumentException WrongAxis(string layer, int axis, long expected, long[] shape) =>
            new KerasArgumentException(
                $"Input 0 of layer \"{layer}\" is incompatible with the layer: expected axis {axis} of input shape to have value {expected}, " +
                $"but received input with shape {FormatShape(shape)}");

        /// <summary>A shape as Keras prints it: (None, 3).</summary>
        internal static string FormatShape(long[] shape) =>
            "(" + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture))) + (shape.Length == 1 ? ",)" : ")");
    }
}

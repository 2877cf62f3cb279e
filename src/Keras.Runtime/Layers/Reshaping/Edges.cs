using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// What ZeroPadding1D/2D/3D and Cropping1D/2D/3D share: (before, after) amounts per spatial axis, read as Keras
    /// accepts them (an integer, one integer per axis, or one pair per axis; 1-D layers take one pair), written as Keras
    /// writes them, and applied on the spatial axes of either data format.
    /// </summary>
    internal static class Edges
    {
        private static readonly string[] Ordinals = { "1st", "2nd", "3rd" };

        /// <summary>Checks amounts (Keras' standardize_tuple with allow_zero) and copies them.</summary>
        internal static (int Before, int After)[] Check((int Before, int After)[] amounts, string name)
        {
            for (int i = 0; i < amounts.Length; i++)
            {
                var (b, a) = amounts[i];
                if (b < 0 || a < 0)
                {
                    string entry = amounts.Length == 1 ? name : $"{Ordinals[i]} entry of {name}";
                    var bad = new[] { b, a }.Where(v => v < 0).Distinct();
                    throw new KerasArgumentException(
                        $"The `{entry}` argument must be a tuple of 2 integers. Received {entry}=({b}, {a}), including values {{{string.Join(", ", bad)}}} " +
                        "that do not satisfy `value >= 0`", name);
                }
            }
            return ((int, int)[])amounts.Clone();
        }

        internal static (int, int)[] Same(int value, int rank) => Enumerable.Repeat((value, value), rank).ToArray();

        /// <summary>The config value: [before, after] for one axis, [[b, a], ...] for several.</summary>
        internal static JsonArray Json(IReadOnlyList<(int Before, int After)> amounts) =>
            amounts.Count == 1
                ? new JsonArray(amounts[0].Before, amounts[0].After)
                : new JsonArray(amounts.Select(p => (JsonNode)new JsonArray(p.Before, p.After)).ToArray());

        /// <summary>Reads an amounts key the way Keras' constructor accepts it.</summary>
        internal static (int Before, int After)[] Read(ConfigReader c, string key, int rank, (int, int)[] defaultValue)
        {
            var node = c.Raw(key);
            if (node is null) return defaultValue;
            string expected = rank == 1
                ? "a non-negative integer or a list of 2 non-negative integers"
                : $"a non-negative integer, or a list of {rank} entries, each a non-negative integer or a list of 2";
            int Int(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out int x) && x >= 0
                ? x : throw c.Error(key, expected, node);
            (int, int) Pair(JsonNode? n) => n is JsonArray { Count: 2 } p ? (Int(p[0]), Int(p[1])) : n is JsonValue ? (Int(n), Int(n)) : throw c.Error(key, expected, node);
            if (node is JsonValue) return Same(Int(node), rank);
            if (rank == 1) return new[] { Pair(node) };
            if (node is not JsonArray list || list.Count != rank) throw c.Error(key, expected, node);
            return list.Select(Pair).ToArray();
        }

        /// <summary>The first spatial axis in <paramref name="dataFormat"/> (1 channels last, 2 channels first).</summary>
        internal static int FirstSpatial(string dataFormat) => dataFormat == "channels_first" ? 2 : 1;

        /// <summary>Zero-pads the spatial axes.</summary>
        internal static Tensor Pad(Tensor x, IReadOnlyList<(int Before, int After)> amounts, string dataFormat)
        {
            int first = FirstSpatial(dataFormat);
            int ndim = (int)x.dim();
            var flat = new List<long>();
            for (int axis = ndim - 1; axis >= first; axis--) // torch pads the last axis first
            {
                int spatial = axis - first;
                var (b, a) = spatial < amounts.Count ? amounts[spatial] : (0, 0);
                flat.Add(b);
                flat.Add(a);
            }
            return nn.functional.pad(x, flat.ToArray(), PaddingModes.Constant, 0);
        }

        /// <summary>Crops the spatial axes (a view).</summary>
        internal static Tensor Crop(Tensor x, IReadOnlyList<(int Before, int After)> amounts, string dataFormat)
        {
            int first = FirstSpatial(dataFormat);
            Tensor current = x.alias();
            for (int i = 0; i < amounts.Count; i++)
            {
                long length = current.shape[first + i];
                var next = current.narrow(first + i, amounts[i].Before, length - amounts[i].Before - amounts[i].After);
                current.Dispose();
                current = next;
            }
            return current;
        }

        internal static long[] Shape(long[] inputShape, IReadOnlyList<(int Before, int After)> amounts, string dataFormat, int sign)
        {
            var output = (long[])inputShape.Clone();
            int first = FirstSpatial(dataFormat);
            for (int i = 0; i < amounts.Count; i++)
                if (output[first + i] >= 0) output[first + i] += sign * (amounts[i].Before + amounts[i].After);
            return output;
        }

        internal static string Format(IReadOnlyList<(int Before, int After)> amounts) =>
            amounts.Count == 1 ? $"({amounts[0].Before}, {amounts[0].After})" : "(" + string.Join(", ", amounts.Select(p => $"({p.Before}, {p.After})")) + ")";
    }
}

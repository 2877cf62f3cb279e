using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Interop;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Rescaling(scale, offset=0.0)</c>: <c>y = x·scale + offset</c> in the compute dtype (integer images
    /// included). <c>scale</c> and <c>offset</c> are numbers or per-channel lists; with the global image data format
    /// channels_first a list scale is applied along the channel axis of (C, H, W) images, as Keras does.
    /// </summary>
    [KerasClass("Rescaling")]
    public sealed class Rescaling : Layer
    {
        private readonly double[] _scale;
        private readonly double[] _offset;
        private readonly bool _scaleIsList;
        private readonly bool _offsetIsList;

        /// <summary>Creates the layer with a scalar scale and offset.</summary>
        public Rescaling(double scale, double offset = 0.0, string? name = null, bool trainable = true, string? dtype = null)
            : this(new[] { scale }, false, new[] { offset }, false, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer with per-channel scales (and offsets, or one offset when <paramref name="offset"/> is null).</summary>
        public Rescaling(double[] scale, double[]? offset = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(scale, true, offset ?? new[] { 0.0 }, offset != null, name, trainable, dtype)
        {
        }

        private Rescaling(double[] scale, bool scaleIsList, double[] offset, bool offsetIsList, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            if (scale == null || scale.Length == 0) throw new KerasArgumentException("`scale` must be a number or a non-empty list of numbers.", nameof(scale));
            if (offset.Length == 0) throw new KerasArgumentException("`offset` must be a number or a non-empty list of numbers.", nameof(offset));
            _scale = (double[])scale.Clone();
            _offset = (double[])offset.Clone();
            _scaleIsList = scaleIsList;
            _offsetIsList = offsetIsList;
        }

        /// <summary>The scale (one value, or one per channel).</summary>
        public System.Collections.Generic.IReadOnlyList<double> Scale => _scale;
        /// <summary>The offset (one value, or one per channel).</summary>
        public System.Collections.Generic.IReadOnlyList<double> Offset => _offset;

        private static JsonNode Json(double[] values, bool list) =>
            list ? new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()) : JsonValue.Create(values[0])!;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["scale"] = Json(_scale, _scaleIsList);
            c["offset"] = Json(_offset, _offsetIsList);
            return c;
        }

        private static (double[] Values, bool List) Read(ConfigReader c, string key, double? defaultValue)
        {
            var node = c.Raw(key);
            if (node is null)
                return defaultValue is double d ? (new[] { d }, false) : throw c.Error(key, "a number or a list of numbers");
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return (new[] { v.GetValue<double>() }, false);
            if (node is JsonArray a && a.Count > 0 && a.All(i => i is JsonValue iv && iv.GetValueKind() == JsonValueKind.Number))
                return (a.Select(i => i!.GetValue<double>()).ToArray(), true);
            throw c.Error(key, "a number or a list of numbers");
        }

        internal static Rescaling FromConfig(ConfigReader c)
        {
            var (scale, scaleList) = Read(c, "scale", null);
            var (offset, offsetList) = Read(c, "offset", 0.0);
            return new Rescaling(scale, scaleList, offset, offsetList, c.Name, true, null);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var type = Dtypes.ToScalarType(ComputeDtype);
            using var x = inputs.dtype == type ? inputs.alias() : inputs.to_type(type);
            using var flatScale = torch.tensor(_scale, x.dtype, device: x.device);
            // Keras reshapes a list scale to (C, 1, 1) when the global image data format is channels_first.
            using var scale = _scaleIsList && Config.ImageDataFormat() == "channels_first" ? flatScale.reshape(_scale.Length, 1, 1) : flatScale.alias();
            using var offset = torch.tensor(_offset, x.dtype, device: x.device);
            using var scaled = x.mul(scale);
            return scaled.add(offset);
        }
    }
}

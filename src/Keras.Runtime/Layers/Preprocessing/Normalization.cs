using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Normalization(axis=-1, mean=None, variance=None, invert=False)</c>: feature-wise
    /// <c>y = (x - mean) / max(sqrt(variance), 1e-7)</c> (or with <c>invert</c>, <c>mean + x·max(sqrt(variance), 1e-7)</c>).
    /// The statistics are kept per index of the <c>axis</c> axes (null/empty: one for everything) and either given
    /// (<c>mean</c>, <c>variance</c>: numbers or nested lists, written to the config) or learnt by <see cref="Adapt(Tensor)"/>
    /// into the non-trainable float32 weights <c>mean</c>, <c>variance</c> and the int64 scalar <c>count</c> (Keras' order;
    /// Keras' adapt leaves <c>count</c> at 0).
    /// </summary>
    [KerasClass("Normalization")]
    public sealed class Normalization : Layer
    {
        private readonly int[] _axis;
        private readonly Given? _mean;
        private readonly Given? _variance;
        private int[] _keep = Array.Empty<int>();
        private long[] _reduce = Array.Empty<long>();
        private long[] _broadcast = Array.Empty<long>();
        private long[]? _buildShape;

        private sealed class Given
        {
            public Given(double[] values, long[] shape)
            {
                Values = values;
                Shape = shape;
            }

            public double[] Values { get; }
            public long[] Shape { get; }

            public JsonNode ToJson()
            {
                int at = 0;
                JsonNode Build(int depth)
                {
                    if (depth == Shape.Length) return JsonValue.Create(Values[at++])!;
                    var list = new JsonArray();
                    for (long i = 0; i < Shape[depth]; i++) list.Add(Build(depth + 1));
                    return list;
                }
                return Build(0);
            }
        }

        /// <summary>Creates the layer keeping statistics along one axis.</summary>
        public Normalization(int axis = -1, double[]? mean = null, double[]? variance = null, bool invert = false, string? name = null,
            bool trainable = true, string? dtype = null)
            : this(new[] { axis }, Vector(mean), Vector(variance), invert, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer keeping statistics along several axes (null or empty: one mean and variance for everything).</summary>
        public Normalization(int[]? axis, double[]? mean = null, double[]? variance = null, bool invert = false, string? name = null,
            bool trainable = true, string? dtype = null)
            : this(axis ?? Array.Empty<int>(), Vector(mean), Vector(variance), invert, name, trainable, dtype)
        {
        }

        private static Given? Vector(double[]? values) => values == null ? null : new Given((double[])values.Clone(), new long[] { values.Length });

        private Normalization(int[] axis, Given? mean, Given? variance, bool invert, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            _axis = (int[])axis.Clone();
            Invert = invert;
            if ((mean != null) != (variance != null))
                throw new KerasArgumentException(
                    $"When setting values directly, both `mean` and `variance` must be set. Received: mean={Show(mean)} and variance={Show(variance)}");
            if (mean != null)
            {
                if (!mean.Shape.SequenceEqual(variance!.Shape))
                    throw new KerasArgumentException(
                        $"When setting values directly, `mean` and `variance` must have the same shape. Received: mean shape {ShapeText(mean.Shape)} and variance shape {ShapeText(variance.Shape)}");
                if (mean.Shape.Length > _axis.Length)
                    throw new KerasArgumentException(
                        $"The rank of `mean` must be less than or equal to the number of axes ({_axis.Length}). Received: mean shape {ShapeText(mean.Shape)} for axis {ShapeText(_axis.Select(a => (long)a).ToArray())}");
            }
            _mean = mean;
            _variance = variance;
        }

        private static string Show(Given? g) => g == null ? "None" : g.ToJson().ToJsonString();

        private static string ShapeText(long[] shape) => "(" + string.Join(", ", shape) + (shape.Length == 1 ? ",)" : ")");

        /// <summary>The axes that keep their own statistics.</summary>
        public IReadOnlyList<int> Axis => _axis;
        /// <summary>Whether the layer de-normalizes (<c>mean + x·std</c>).</summary>
        public bool Invert { get; }
        /// <summary>The adapted mean (null when mean and variance were given, or before build).</summary>
        public KerasVariable? AdaptMean { get; private set; }
        /// <summary>The adapted variance (null when mean and variance were given, or before build).</summary>
        public KerasVariable? AdaptVariance { get; private set; }
        /// <summary>Keras' <c>count</c> variable (int64 scalar).</summary>
        public KerasVariable? Count { get; private set; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["axis"] = BaseConv.Json(_axis);
            c["invert"] = Invert;
            c["mean"] = _mean?.ToJson();
            c["variance"] = _variance?.ToJson();
            return c;
        }

        private static Given? ReadGiven(ConfigReader c, string key)
        {
            var node = c.Raw(key);
            if (node is null) return null;
            var shape = new List<long>();
            for (var n = node; n is JsonArray a; n = a.Count > 0 ? a[0] : null) shape.Add(a.Count);
            var values = new List<double>();
            void Walk(JsonNode? n, int depth)
            {
                if (depth == shape.Count)
                {
                    if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number) values.Add(v.GetValue<double>());
                    else throw c.Error(key, "a number or a (nested) list of numbers");
                    return;
                }
                if (n is not JsonArray list || list.Count != shape[depth]) throw c.Error(key, "a number or a rectangular (nested) list of numbers");
                foreach (var item in list) Walk(item, depth + 1);
            }
            Walk(node, 0);
            return new Given(values.ToArray(), shape.ToArray());
        }

        internal static Normalization FromConfig(ConfigReader c)
        {
            var axis = c.Raw("axis") is null ? Array.Empty<int>() : c.IntList("axis");
            return new Normalization(axis, ReadGiven(c, "mean"), ReadGiven(c, "variance"), c.Bool("invert", false), c.Name, true, null);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            int ndim = inputShape.Length;
            if (_axis.Any(a => a < -ndim || a >= ndim))
                throw new KerasArgumentException(
                    $"All `axis` values must be in the range [-ndim, ndim). Received inputs with ndim={ndim}, while axis={ShapeText(_axis.Select(a => (long)a).ToArray())}");
            if (_buildShape != null)
                foreach (int d in _keep)
                    if (inputShape[d] >= 0 && inputShape[d] != _buildShape[d])
                        throw new KerasArgumentException(
                            $"Input 0 of layer \"{Name}\" is incompatible with the layer: expected axis {d} of input shape to have value {_buildShape[d]}, but received input with shape {FormatShape(inputShape)}");
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            AssertInputCompatibility(inputShape);
            int ndim = inputShape.Length;
            _keep = _axis.Select(a => a < 0 ? a + ndim : a).Distinct().OrderBy(a => a).ToArray();
            foreach (int d in _keep)
                if (inputShape[d] < 0)
                    throw new KerasArgumentException(
                        $"All `axis` values to be kept must have a known shape. Received axis={ShapeText(_axis.Select(a => (long)a).ToArray())}, inputs.shape={FormatShape(inputShape)}, with unknown axis at index {d}");
            _reduce = Enumerable.Range(0, ndim).Where(d => !_keep.Contains(d)).Select(d => (long)d).ToArray();
            _broadcast = Enumerable.Range(0, ndim).Select(d => _keep.Contains(d) ? inputShape[d] : 1).ToArray();
            _buildShape = (long[])inputShape.Clone();
            var statsShape = _keep.Select(d => inputShape[d]).ToArray();
            if (_mean == null)
            {
                AdaptMean = AddWeight("mean", statsShape, new Zeros(), trainable: false);
                AdaptVariance = AddWeight("variance", statsShape, new Ones(), trainable: false);
                Count = AddWeight("count", Array.Empty<long>(), new Zeros(), trainable: false, dtype: "int64");
            }
            else
            {
                // Keras aligns the given statistics with the trailing kept axes, then broadcasts.
                var expanded = Enumerable.Repeat(1L, ndim).ToArray();
                for (int i = 1; i <= _mean.Shape.Length; i++)
                {
                    long size = _mean.Shape[_mean.Shape.Length - i];
                    int axis = _keep[_keep.Length - i];
                    if (size != 1 && size != inputShape[axis])
                        throw new KerasArgumentException(
                            $"Layer \"{Name}\": the given `mean` of shape {ShapeText(_mean.Shape)} does not match the input's kept axes (input shape {FormatShape(inputShape)}, axis={ShapeText(_axis.Select(a => (long)a).ToArray())}).");
                    expanded[axis] = size;
                }
                _expanded = expanded;
            }
        }

        private long[] _expanded = Array.Empty<long>();

        /// <summary>
        /// Keras' <c>adapt(data)</c>: sets the mean and variance (biased) of <paramref name="data"/> over every axis except
        /// the kept ones. Builds the layer from the data's shape when needed.
        /// </summary>
        public void Adapt(Tensor data)
        {
            if (data is null) throw new KerasArgumentException("adapt() needs data.", nameof(data));
            Adapt(new[] { data });
        }

        /// <summary>
        /// Keras' <c>adapt</c> on batches (an iterable): the statistics are combined batch by batch with Keras' running
        /// weighted mean and variance.
        /// </summary>
        public void Adapt(IEnumerable<Tensor> batches)
        {
            EnsureAlive();
            if (_mean != null)
                throw new KerasArgumentException($"Layer \"{Name}\" was given `mean` and `variance`: it has no statistics to adapt. Create it without them to call Adapt.");
            using var scope = torch.NewDisposeScope();
            Tensor? totalMean = null, totalVar = null;
            long totalCount = 0;
            foreach (var raw in batches)
            {
                long[] shape = raw.shape;
                if (!Built) Build(shape);
                else
                    foreach (int d in _keep)
                        if (shape.Length != _buildShape!.Length || shape[d] != _buildShape[d])
                            throw new KerasArgumentException(
                                $"The layer was built with input_shape={FormatShape(_buildShape!)}, but adapt() is being called with data with an incompatible shape, data.shape={FormatShape(shape)}");
                var batch = raw.to_type(ScalarType.Float64);
                var batchMean = _reduce.Length > 0 ? batch.mean(_reduce) : batch;
                var batchVar = _reduce.Length > 0 ? batch.var(_reduce, unbiased: false) : torch.zeros_like(batch);
                long batchCount = _reduce.Aggregate(1L, (a, d) => a * shape[d]);
                if (totalMean is null)
                {
                    totalMean = batchMean;
                    totalVar = batchVar;
                    totalCount = batchCount;
                    continue;
                }
                totalCount += batchCount;
                double batchWeight = (double)batchCount / totalCount, existingWeight = 1.0 - batchWeight;
                var newMean = totalMean * existingWeight + batchMean * batchWeight;
                totalVar = (totalVar! + (totalMean - newMean).square()) * existingWeight + (batchVar + (batchMean - newMean).square()) * batchWeight;
                totalMean = newMean;
            }
            if (totalMean is null)
                throw new KerasArgumentException("adapt() received an empty iterable (no batches). Expected at least one batch.");
            using (torch.no_grad())
            {
                AdaptMean!.Assign(totalMean.to(AdaptMean.Value.device).to_type(AdaptMean.Value.dtype));
                AdaptVariance!.Assign(totalVar!.to(AdaptVariance.Value.device).to_type(AdaptVariance.Value.dtype));
            }
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var type = Dtypes.ToScalarType(ComputeDtype);
            using var x = inputs.dtype == type ? inputs.alias() : inputs.to_type(type);
            Tensor mean, variance;
            if (_mean != null)
            {
                using var m = torch.tensor(_mean.Values, x.dtype, device: x.device);
                using var v = torch.tensor(_variance!.Values, x.dtype, device: x.device);
                mean = m.reshape(_expanded);
                variance = v.reshape(_expanded);
            }
            else
            {
                using var m = AdaptMean!.Value.to(x.device);
                using var v = AdaptVariance!.Value.to(x.device);
                mean = m.to_type(x.dtype).reshape(_broadcast);
                variance = v.to_type(x.dtype).reshape(_broadcast);
            }
            using (mean)
            using (variance)
            {
                using var root = variance.sqrt();
                using var std = root.clamp_min(1e-7);
                if (Invert)
                {
                    using var scaled = x.mul(std);
                    return scaled.add(mean);
                }
                using var centered = x.sub(mean);
                return centered.div(std);
            }
        }
    }
}

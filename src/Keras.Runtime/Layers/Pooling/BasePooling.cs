using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' <c>BasePooling</c>, behind MaxPooling1D/2D/3D and AveragePooling1D/2D/3D: windows of <c>pool_size</c> moved
    /// by <c>strides</c> (default: the pool size). "same" pads as Keras does (extra after); the maximum ignores the
    /// padding, and the average divides by the number of real inputs in each window (TensorFlow's and JAX's rule).
    /// </summary>
    public abstract class BasePooling : Layer
    {
        private readonly int[] _poolSize;
        private readonly int[] _strides;

        private protected BasePooling(int rank, bool average, int[] poolSize, int[]? strides, string padding, string? dataFormat, string? name, bool trainable,
            string? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            IsAverage = average;
            _poolSize = ConvUtils.Standardize(poolSize, rank, "pool_size", parameter: nameof(poolSize));
            _strides = ConvUtils.Standardize(strides ?? poolSize, rank, "strides", parameter: nameof(strides));
            Padding = (padding ?? "").ToLowerInvariant();
            if (Shared.KerasIdentifiers.Paddings.Resolve(Padding) == null)
                throw new KerasArgumentException($"Argument `padding` must be either 'valid' or 'same'. Received: padding={padding}", nameof(padding));
            DataFormat = ImageFormats.Standardize(dataFormat);
        }

        /// <summary>Number of spatial dimensions.</summary>
        public int Rank { get; }
        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }

        private protected bool IsAverage { get; }
        private protected int[] PoolValues => _poolSize;
        private protected int[] StrideValues => _strides;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["pool_size"] = BaseConv.Json(_poolSize);
            c["padding"] = Padding;
            c["strides"] = BaseConv.Json(_strides);
            c["data_format"] = DataFormat;
            return c;
        }

        /// <summary>Reads pool_size (with <paramref name="defaultPool"/> when Keras has a default), strides, padding and data_format.</summary>
        private protected static (int[] Pool, int[]? Strides, string Padding, string DataFormat) Read(ConfigReader c, int rank, int[]? defaultPool) =>
            (c.Ints("pool_size", rank, defaultPool), c.OptionalInts("strides", rank), c.Choice("padding", "valid", "valid", "same"), ImageFormats.Read(c));

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: true);
            CheckOutput(inputShape);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        private void CheckOutput(long[] inputShape)
        {
            if (Padding != "valid") return;
            bool last = DataFormat == "channels_last";
            for (int i = 0; i < Rank; i++)
            {
                long size = inputShape[last ? i + 1 : i + 2];
                if (size >= 0 && ConvUtils.ConvLength(size, _poolSize[i], _strides[i], 1, "valid") <= 0)
                    throw new KerasArgumentException(
                        $"Computed output size would be zero or negative. Received: `inputs.shape={ConvUtils.FormatShape(inputShape)}`, " +
                        $"`pool_size={ConvUtils.Tuple(_poolSize)}`, `strides={ConvUtils.Tuple(_strides)}`, `padding={Padding}`.");
            }
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            var output = (long[])inputShape.Clone();
            for (int i = 0; i < Rank; i++)
            {
                int axis = last ? i + 1 : i + 2;
                output[axis] = ConvUtils.ConvLength(inputShape[axis], _poolSize[i], _strides[i], 1, Padding);
            }
            return output;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var ncx = ConvUtils.ChannelsFirst(inputs, DataFormat, Rank);
            var window = _poolSize.Select(p => (long)p).ToArray();
            Tensor pooled;
            if (!IsAverage)
            {
                using var padded = Padding == "same" ? ConvUtils.PadSame(ncx, window, _strides, double.NegativeInfinity) : ncx.alias();
                pooled = ConvUtils.MaxPool(padded, _poolSize, _strides);
            }
            else if (Padding == "valid")
            {
                pooled = ConvUtils.AvgPool(ncx, _poolSize, _strides);
            }
            else
            {
                // Sum over the zero-padded window divided by the count of real inputs in it: pool a mask of ones the same way.
                using var padded = ConvUtils.PadSame(ncx, window, _strides);
                using var sums = ConvUtils.AvgPool(padded, _poolSize, _strides);
                var maskShape = new long[Rank + 2];
                maskShape[0] = 1;
                maskShape[1] = 1;
                for (int i = 0; i < Rank; i++) maskShape[i + 2] = ncx.shape[i + 2];
                using var ones = torch.ones(maskShape, ncx.dtype, ncx.device);
                using var paddedOnes = ConvUtils.PadSame(ones, window, _strides);
                using var counts = ConvUtils.AvgPool(paddedOnes, _poolSize, _strides);
                pooled = sums.div(counts);
            }
            using (pooled)
                return ConvUtils.FromChannelsFirst(pooled, DataFormat, Rank);
        }
    }
}

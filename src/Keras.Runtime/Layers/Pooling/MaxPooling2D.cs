using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid", data_format=None)</c>: the maximum
    /// over each window (strides default to the pool size; "same" pads with -inf as Keras/TF).
    /// </summary>
    [KerasClass("MaxPooling2D", "MaxPool2D")]
    public sealed class MaxPooling2D : Layer
    {
        /// <summary>Creates the layer with a square pool (strides default to the pool size).</summary>
        public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null)
            : this((poolSize, poolSize), strides is int s ? (s, s) : null, padding, dataFormat, name)
        {
        }

        /// <summary>Creates the layer.</summary>
        public MaxPooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides, string padding = "valid", string? dataFormat = null,
            string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype)
        {
            var stride = strides ?? poolSize;
            if (poolSize.Height <= 0 || poolSize.Width <= 0 || stride.Height <= 0 || stride.Width <= 0)
                throw new KerasArgumentException($"`pool_size` and `strides` must be positive. Received: pool_size=({poolSize.Height}, {poolSize.Width}), " +
                                                 $"strides=({stride.Height}, {stride.Width})", nameof(poolSize));
            PoolSize2 = poolSize;
            Strides2 = stride;
            Padding = (padding ?? "").ToLowerInvariant();
            if (Padding is not ("valid" or "same"))
                throw new KerasArgumentException($"The `padding` argument must be one of 'valid', 'same'. Received: padding={padding}", nameof(padding));
            DataFormat = ImageFormats.Standardize(dataFormat);
        }

        /// <summary>Pool size (the height, for square pools).</summary>
        public int PoolSize => PoolSize2.Height;
        /// <summary>Strides (the height, for square pools).</summary>
        public int Strides => Strides2.Height;
        /// <summary>Pool height and width.</summary>
        public (int Height, int Width) PoolSize2 { get; }
        /// <summary>Stride height and width.</summary>
        public (int Height, int Width) Strides2 { get; }
        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }
        /// <summary>Data format.</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["pool_size"] = new JsonArray(PoolSize2.Height, PoolSize2.Width);
            c["padding"] = Padding;
            c["strides"] = new JsonArray(Strides2.Height, Strides2.Width);
            c["data_format"] = DataFormat;
            return c;
        }

        internal static MaxPooling2D FromConfig(ConfigReader c)
        {
            var pool = c.Ints("pool_size", 2, new[] { 2, 2 });
            var strides = c.OptionalInts("strides", 2);
            return new MaxPooling2D((pool[0], pool[1]), strides == null ? null : (strides[0], strides[1]), c.Choice("padding", "valid", "valid", "same"),
                ImageFormats.Read(c), c.Name);
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            long Out(long size, int pool, int stride) => size < 0 ? -1 : Padding == "same" ? (size + stride - 1) / stride : (size - pool) / stride + 1;
            return last
                ? new[] { inputShape[0], Out(inputShape[1], PoolSize2.Height, Strides2.Height), Out(inputShape[2], PoolSize2.Width, Strides2.Width), inputShape[3] }
                : new[] { inputShape[0], inputShape[1], Out(inputShape[2], PoolSize2.Height, Strides2.Height), Out(inputShape[3], PoolSize2.Width, Strides2.Width) };
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var nchw = DataFormat == "channels_last" ? inputs.permute(0, 3, 1, 2) : inputs.alias();
            using var padded = Conv2D.PadSame(nchw, PoolSize2, Strides2, Padding, double.NegativeInfinity);
            using var pooled = nn.functional.max_pool2d(padded, new long[] { PoolSize2.Height, PoolSize2.Width }, new long[] { Strides2.Height, Strides2.Width });
            return DataFormat == "channels_last" ? pooled.permute(0, 2, 3, 1).contiguous() : pooled.alias();
        }
    }
}

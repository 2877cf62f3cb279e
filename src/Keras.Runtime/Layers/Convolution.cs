using System;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
    /// activation=None, use_bias=True)</c>. The kernel has Keras' layout (kh, kw, in, out) in both data formats;
    /// "same" padding follows Keras/TF (extra padding after). data_format null means the global image data format.
    /// </summary>
    public sealed class Conv2D : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly Initializer _kernelInitializer;
        private readonly Initializer _biasInitializer;

        /// <summary>Creates the layer with a square kernel.</summary>
        public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, string? activation = null,
            bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
            : this(filters, (kernelSize, kernelSize), (strides, strides), padding, dataFormat, activation, useBias, kernelInitializer, biasInitializer, name)
        {
        }

        /// <summary>Creates the layer.</summary>
        public Conv2D(int filters, (int Height, int Width) kernelSize, (int Height, int Width) strides, string padding = "valid", string? dataFormat = null,
            string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
            : base(name)
        {
            if (filters <= 0) throw new KerasArgumentException($"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.", nameof(filters));
            if (kernelSize.Height <= 0 || kernelSize.Width <= 0 || strides.Height <= 0 || strides.Width <= 0)
                throw new KerasArgumentException("`kernel_size` and `strides` must be positive.", nameof(kernelSize));
            Padding = padding.ToLowerInvariant();
            if (Padding is not ("valid" or "same"))
                throw new KerasArgumentException($"The `padding` argument must be one of 'valid', 'same'. Received: padding={padding}", nameof(padding));
            Filters = filters;
            KernelSize = kernelSize;
            Strides = strides;
            DataFormat = ImageFormats.Standardize(dataFormat);
            _activation = Activations.Get(activation);
            Activation = activation ?? "linear";
            UseBias = useBias;
            _kernelInitializer = kernelInitializer ?? new GlorotUniform();
            _biasInitializer = biasInitializer ?? new Zeros();
        }

        /// <summary>Number of output channels.</summary>
        public int Filters { get; }
        /// <summary>The activation's name ("linear" when none).</summary>
        public string Activation { get; }
        /// <summary>Kernel height and width.</summary>
        public (int Height, int Width) KernelSize { get; }
        /// <summary>Strides.</summary>
        public (int Height, int Width) Strides { get; }
        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <summary>Kernel (kh, kw, in, out), after build.</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>Bias (out), after build.</summary>
        public KerasVariable? Bias { get; private set; }

        private int ChannelAxis => DataFormat == "channels_last" ? 3 : 1;

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length != 4)
                throw new KerasArgumentException($"Input 0 of layer \"{Name}\" is incompatible with the layer: expected ndim=4, found ndim={inputShape.Length}. Full shape received: {FormatShape(inputShape)}");
            long channels = inputShape[ChannelAxis];
            if (channels < 0) throw new KerasArgumentException("The channel dimension of the inputs should be defined. The input_shape received is " + FormatShape(inputShape));
            Kernel = AddWeight("kernel", new[] { (long)KernelSize.Height, KernelSize.Width, channels, Filters }, _kernelInitializer);
            if (UseBias) Bias = AddWeight("bias", new[] { (long)Filters }, _biasInitializer);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 4 || (inputShape[ChannelAxis] >= 0 && inputShape[ChannelAxis] != Kernel!.Shape[2]))
                throw new KerasArgumentException(
                    $"Input 0 of layer \"{Name}\" is incompatible with the layer: expected axis {(ChannelAxis == 3 ? -1 : 1)} of input shape to have value " +
                    $"{Kernel!.Shape[2]}, but received input with shape {FormatShape(inputShape)}");
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            long h = inputShape[last ? 1 : 2], w = inputShape[last ? 2 : 3];
            long oh = Spatial(h, KernelSize.Height, Strides.Height), ow = Spatial(w, KernelSize.Width, Strides.Width);
            return last ? new[] { inputShape[0], oh, ow, Filters } : new[] { inputShape[0], Filters, oh, ow };
        }

        private long Spatial(long size, int kernel, int stride) =>
            size < 0 ? -1 : Padding == "same" ? (size + stride - 1) / stride : (size - kernel) / stride + 1;

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            using var nchw = DataFormat == "channels_last" ? inputs.permute(0, 3, 1, 2) : inputs.alias();
            using var padded = PadSame(nchw, KernelSize, Strides, Padding, 0);
            using var permuted = Kernel!.Value.permute(3, 2, 0, 1); // Keras (kh, kw, in, out) -> torch (out, in, kh, kw)
            using var kernel = permuted.to_type(computeType);
            using var bias = UseBias ? Bias!.Value.to_type(computeType) : null;
            using var convolved = nn.functional.conv2d(padded, kernel, bias, strides: new long[] { Strides.Height, Strides.Width });
            using var activated = _activation(convolved);
            return DataFormat == "channels_last" ? activated.permute(0, 2, 3, 1).contiguous() : activated.alias();
        }

        /// <summary>Pads an NCHW tensor as Keras' "same" does (nothing for "valid").</summary>
        internal static Tensor PadSame(Tensor nchw, (int Height, int Width) kernel, (int Height, int Width) strides, string padding, double value)
        {
            if (padding != "same") return nchw.alias();
            var (top, bottom) = ImageFormats.SamePadding(nchw.shape[2], kernel.Height, strides.Height);
            var (left, right) = ImageFormats.SamePadding(nchw.shape[3], kernel.Width, strides.Width);
            if (top == 0 && bottom == 0 && left == 0 && right == 0) return nchw.alias();
            return nn.functional.pad(nchw, new[] { left, right, top, bottom }, PaddingModes.Constant, value);
        }
    }

    /// <summary><c>keras.layers.MaxPooling2D(pool_size=(2, 2), strides=None, padding="valid", data_format=None)</c>.</summary>
    public sealed class MaxPooling2D : Layer
    {
        /// <summary>Creates the layer (strides default to the pool size).</summary>
        public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid", string? dataFormat = null, string? name = null) : base(name)
        {
            if (poolSize <= 0 || strides <= 0) throw new KerasArgumentException("`pool_size` and `strides` must be positive.", nameof(poolSize));
            PoolSize = poolSize;
            Strides = strides ?? poolSize;
            Padding = padding.ToLowerInvariant();
            if (Padding is not ("valid" or "same"))
                throw new KerasArgumentException($"The `padding` argument must be one of 'valid', 'same'. Received: padding={padding}", nameof(padding));
            DataFormat = ImageFormats.Standardize(dataFormat);
        }

        /// <summary>Pool size.</summary>
        public int PoolSize { get; }
        /// <summary>Strides.</summary>
        public int Strides { get; }
        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }
        /// <summary>Data format.</summary>
        public string DataFormat { get; }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            long Out(long size) => size < 0 ? -1 : Padding == "same" ? (size + Strides - 1) / Strides : (size - PoolSize) / Strides + 1;
            return last
                ? new[] { inputShape[0], Out(inputShape[1]), Out(inputShape[2]), inputShape[3] }
                : new[] { inputShape[0], inputShape[1], Out(inputShape[2]), Out(inputShape[3]) };
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            using var nchw = DataFormat == "channels_last" ? inputs.permute(0, 3, 1, 2) : inputs.alias();
            using var padded = Conv2D.PadSame(nchw, (PoolSize, PoolSize), (Strides, Strides), Padding, double.NegativeInfinity);
            using var pooled = nn.functional.max_pool2d(padded, new long[] { PoolSize, PoolSize }, new long[] { Strides, Strides });
            return DataFormat == "channels_last" ? pooled.permute(0, 2, 3, 1).contiguous() : pooled.alias();
        }
    }
}

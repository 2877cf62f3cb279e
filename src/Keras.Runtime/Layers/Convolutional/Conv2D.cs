using System;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;
using Keras.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
    /// dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    /// bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    /// kernel_constraint=None, bias_constraint=None)</c>. The kernel has Keras' layout (kh, kw, in/groups, out) in both
    /// data formats; "same" padding follows Keras/TF (extra padding after). data_format null means the global image
    /// data format.
    /// </summary>
    [KerasClass("Conv2D", "Convolution2D")]
    public sealed class Conv2D : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;

        /// <summary>Creates the layer with a square kernel.</summary>
        public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, string? activation = null,
            bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
            : this(filters, (kernelSize, kernelSize), (strides, strides), padding, dataFormat, activation, useBias, kernelInitializer, biasInitializer, name)
        {
        }

        /// <summary>Creates the layer.</summary>
        public Conv2D(int filters, (int Height, int Width) kernelSize, (int Height, int Width) strides, string padding = "valid", string? dataFormat = null,
            string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null,
            (int Height, int Width)? dilationRate = null, int groups = 1, Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null, Constraint? biasConstraint = null, bool trainable = true,
            string? dtype = null)
            : base(name, trainable, dtype)
        {
            if (filters <= 0) throw new KerasArgumentException($"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.", nameof(filters));
            if (kernelSize.Height <= 0 || kernelSize.Width <= 0 || strides.Height <= 0 || strides.Width <= 0)
                throw new KerasArgumentException("`kernel_size` and `strides` must be positive.", nameof(kernelSize));
            var dilation = dilationRate ?? (1, 1);
            if (dilation.Height <= 0 || dilation.Width <= 0)
                throw new KerasArgumentException($"`dilation_rate` must be positive. Received: dilation_rate=({dilation.Height}, {dilation.Width})", nameof(dilationRate));
            if (groups <= 0 || filters % groups != 0)
                throw new KerasArgumentException(
                    $"The number of filters must be evenly divisible by the number of groups. Received: groups={groups}, filters={filters}.", nameof(groups));
            if ((strides.Height > 1 || strides.Width > 1) && (dilation.Height > 1 || dilation.Width > 1))
                throw new KerasArgumentException(
                    $"`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: strides=({strides.Height}, {strides.Width}) and " +
                    $"dilation_rate=({dilation.Height}, {dilation.Width})", nameof(strides));
            DilationRate = dilation;
            Groups = groups;
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
            KernelInitializer = kernelInitializer ?? new GlorotUniform();
            BiasInitializer = biasInitializer ?? new Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
        }

        /// <summary>Dilation rate (height, width).</summary>
        public (int Height, int Width) DilationRate { get; }
        /// <summary>Number of groups the input channels are split into.</summary>
        public int Groups { get; }
        /// <summary>The kernel's initializer.</summary>
        public Initializer KernelInitializer { get; }
        /// <summary>The bias' initializer.</summary>
        public Initializer BiasInitializer { get; }
        /// <summary>The kernel's regularizer, or null.</summary>
        public Regularizer? KernelRegularizer { get; }
        /// <summary>The bias' regularizer, or null.</summary>
        public Regularizer? BiasRegularizer { get; }
        /// <summary>The kernel's constraint, or null.</summary>
        public Constraint? KernelConstraint { get; }
        /// <summary>The bias' constraint, or null.</summary>
        public Constraint? BiasConstraint { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["kernel_size"] = new JsonArray(KernelSize.Height, KernelSize.Width);
            c["strides"] = new JsonArray(Strides.Height, Strides.Width);
            c["padding"] = Padding;
            c["data_format"] = DataFormat;
            c["dilation_rate"] = new JsonArray(DilationRate.Height, DilationRate.Width);
            c["groups"] = Groups;
            c["activation"] = Activation;
            c["use_bias"] = UseBias;
            c["kernel_initializer"] = KerasObjects.Serialize(KernelInitializer);
            c["bias_initializer"] = KerasObjects.Serialize(BiasInitializer);
            c["kernel_regularizer"] = KerasObjects.SerializeOptional(KernelRegularizer);
            c["bias_regularizer"] = KerasObjects.SerializeOptional(BiasRegularizer);
            c["activity_regularizer"] = KerasObjects.SerializeOptional(ActivityRegularizer);
            c["kernel_constraint"] = KerasObjects.SerializeOptional(KernelConstraint);
            c["bias_constraint"] = KerasObjects.SerializeOptional(BiasConstraint);
            return c;
        }

        internal static Conv2D FromConfig(ConfigReader c)
        {
            var kernel = c.Ints("kernel_size", 2);
            var strides = c.Ints("strides", 2, new[] { 1, 1 });
            var dilation = c.Ints("dilation_rate", 2, new[] { 1, 1 });
            return new Conv2D(c.Int("filters", min: 1), (kernel[0], kernel[1]), (strides[0], strides[1]), c.Choice("padding", "valid", "valid", "same"),
                ImageFormats.Read(c), c.Activation("activation"), c.Bool("use_bias", true), c.Object<Initializer>("kernel_initializer", new GlorotUniform()),
                c.Object<Initializer>("bias_initializer", new Zeros()), c.Name, (dilation[0], dilation[1]), c.Int("groups", 1, min: 1),
                c.OptionalObject<Regularizer>("kernel_regularizer"), c.OptionalObject<Regularizer>("bias_regularizer"), null,
                c.OptionalObject<Constraint>("kernel_constraint"), c.OptionalObject<Constraint>("bias_constraint"));
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
            if (channels % Groups != 0)
                throw new KerasArgumentException(
                    $"The number of input channels must be evenly divisible by the number of groups. Received groups={Groups}, but the input has {channels} channels " +
                    $"(full input shape is {FormatShape(inputShape)}).");
            Kernel = AddWeight("kernel", new[] { (long)KernelSize.Height, KernelSize.Width, channels / Groups, Filters }, KernelInitializer,
                regularizer: KernelRegularizer, constraint: KernelConstraint);
            if (UseBias) Bias = AddWeight("bias", new[] { (long)Filters }, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 4 || (inputShape[ChannelAxis] >= 0 && inputShape[ChannelAxis] != Kernel!.Shape[2] * Groups))
                throw new KerasArgumentException(
                    $"Input 0 of layer \"{Name}\" is incompatible with the layer: expected axis {(ChannelAxis == 3 ? -1 : 1)} of input shape to have value " +
                    $"{Kernel!.Shape[2] * Groups}, but received input with shape {FormatShape(inputShape)}");
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            long h = inputShape[last ? 1 : 2], w = inputShape[last ? 2 : 3];
            long oh = Spatial(h, Effective(KernelSize.Height, DilationRate.Height), Strides.Height);
            long ow = Spatial(w, Effective(KernelSize.Width, DilationRate.Width), Strides.Width);
            return last ? new[] { inputShape[0], oh, ow, Filters } : new[] { inputShape[0], Filters, oh, ow };
        }

        private static int Effective(int kernel, int dilation) => (kernel - 1) * dilation + 1;

        private long Spatial(long size, int kernel, int stride) =>
            size < 0 ? -1 : Padding == "same" ? (size + stride - 1) / stride : (size - kernel) / stride + 1;

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            using var nchw = DataFormat == "channels_last" ? inputs.permute(0, 3, 1, 2) : inputs.alias();
            using var padded = PadSame(nchw, (Effective(KernelSize.Height, DilationRate.Height), Effective(KernelSize.Width, DilationRate.Width)), Strides, Padding, 0);
            using var permuted = Kernel!.Value.permute(3, 2, 0, 1); // Keras (kh, kw, in, out) -> torch (out, in, kh, kw)
            using var kernel = permuted.to_type(computeType);
            using var bias = UseBias ? Bias!.Value.to_type(computeType) : null;
            using var convolved = nn.functional.conv2d(padded, kernel, bias, strides: new long[] { Strides.Height, Strides.Width },
                dilation: new long[] { DilationRate.Height, DilationRate.Width }, groups: Groups);
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
}

using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using Keras.Regularizers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' <c>BaseDepthwiseConv</c>, behind <see cref="DepthwiseConv1D"/> and <see cref="DepthwiseConv2D"/>: each input
    /// channel is convolved with its own <c>depth_multiplier</c> filters; output channel c·depth_multiplier + m comes from
    /// input channel c and filter m. Kernel in Keras' layout (k..., in, depth_multiplier); bias (in·depth_multiplier).
    /// </summary>
    public abstract class BaseDepthwiseConv : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly int[] _kernelSize;
        private readonly int[] _strides;
        private readonly int[] _dilationRate;

        private protected BaseDepthwiseConv(int rank, int depthMultiplier, int[] kernelSize, int[] strides, string padding, string? dataFormat,
            int[] dilationRate, string? activation, bool useBias, Initializer? depthwiseInitializer, Initializer? biasInitializer,
            Regularizer? depthwiseRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer, Constraint? depthwiseConstraint,
            Constraint? biasConstraint, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            _kernelSize = ConvUtils.Standardize(kernelSize, rank, "kernel_size");
            _strides = ConvUtils.Standardize(strides, rank, "strides");
            _dilationRate = ConvUtils.Standardize(dilationRate, rank, "dilation_rate");
            Padding = ConvUtils.Padding(padding, allowCausal: false);
            DataFormat = ImageFormats.Standardize(dataFormat);
            _activation = Activations.Get(activation);
            Activation = activation ?? "linear";
            if (depthMultiplier <= 0)
                throw new KerasArgumentException(
                    $"Invalid value for argument `depth_multiplier`. Expected a strictly positive value. Received depth_multiplier={depthMultiplier}.",
                    nameof(depthMultiplier));
            DepthMultiplier = depthMultiplier;
            UseBias = useBias;
            DepthwiseInitializer = depthwiseInitializer ?? new GlorotUniform();
            BiasInitializer = biasInitializer ?? new Zeros();
            DepthwiseRegularizer = depthwiseRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            DepthwiseConstraint = depthwiseConstraint;
            BiasConstraint = biasConstraint;
        }

        /// <summary>Number of spatial dimensions (1 or 2).</summary>
        public int Rank { get; }
        /// <summary>Filters per input channel.</summary>
        public int DepthMultiplier { get; }
        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }
        /// <summary>The activation's name ("linear" when none).</summary>
        public string Activation { get; }
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
        /// <summary>The depthwise kernel's initializer.</summary>
        public Initializer DepthwiseInitializer { get; }
        /// <summary>The bias' initializer.</summary>
        public Initializer BiasInitializer { get; }
        /// <summary>The depthwise kernel's regularizer, or null.</summary>
        public Regularizer? DepthwiseRegularizer { get; }
        /// <summary>The bias' regularizer, or null.</summary>
        public Regularizer? BiasRegularizer { get; }
        /// <summary>The depthwise kernel's constraint, or null.</summary>
        public Constraint? DepthwiseConstraint { get; }
        /// <summary>The bias' constraint, or null.</summary>
        public Constraint? BiasConstraint { get; }
        /// <summary>The kernel (k..., in, depth_multiplier), after build.</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>The bias (in·depth_multiplier), after build when <see cref="UseBias"/>.</summary>
        public KerasVariable? Bias { get; private set; }

        private protected int[] KernelSizeValues => _kernelSize;
        private protected int[] StridesValues => _strides;
        private protected int[] DilationValues => _dilationRate;

        private int ChannelAxis(int ndim) => DataFormat == "channels_last" ? ndim - 1 : 1;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["depth_multiplier"] = DepthMultiplier;
            c["kernel_size"] = BaseConv.Json(_kernelSize);
            c["strides"] = BaseConv.Json(_strides);
            c["padding"] = Padding;
            c["data_format"] = DataFormat;
            c["dilation_rate"] = BaseConv.Json(_dilationRate);
            c["activation"] = Activation;
            c["use_bias"] = UseBias;
            c["depthwise_initializer"] = KerasObjects.Serialize(DepthwiseInitializer);
            c["bias_initializer"] = KerasObjects.Serialize(BiasInitializer);
            c["depthwise_regularizer"] = KerasObjects.SerializeOptional(DepthwiseRegularizer);
            c["bias_regularizer"] = KerasObjects.SerializeOptional(BiasRegularizer);
            c["activity_regularizer"] = KerasObjects.SerializeOptional(ActivityRegularizer);
            c["depthwise_constraint"] = KerasObjects.SerializeOptional(DepthwiseConstraint);
            c["bias_constraint"] = KerasObjects.SerializeOptional(BiasConstraint);
            return c;
        }

        /// <summary>The keys of a Keras depthwise-convolution config.</summary>
        private protected sealed class Args
        {
            internal Args(ConfigReader c, int rank)
            {
                DepthMultiplier = c.Int("depth_multiplier", 1, min: 1);
                KernelSize = c.Ints("kernel_size", rank);
                Strides = c.Ints("strides", rank, ConvUtils.Ones(rank));
                Padding = c.Choice("padding", "valid", "valid", "same");
                DataFormat = ImageFormats.Read(c);
                DilationRate = c.Ints("dilation_rate", rank, ConvUtils.Ones(rank));
                Activation = c.Activation("activation");
                UseBias = c.Bool("use_bias", true);
                DepthwiseInitializer = c.Object<Initializer>("depthwise_initializer", new GlorotUniform());
                BiasInitializer = c.Object<Initializer>("bias_initializer", new Zeros());
                DepthwiseRegularizer = c.OptionalObject<Regularizer>("depthwise_regularizer");
                BiasRegularizer = c.OptionalObject<Regularizer>("bias_regularizer");
                DepthwiseConstraint = c.OptionalObject<Constraint>("depthwise_constraint");
                BiasConstraint = c.OptionalObject<Constraint>("bias_constraint");
                Name = c.Name;
            }

            internal int DepthMultiplier { get; }
            internal int[] KernelSize { get; }
            internal int[] Strides { get; }
            internal string Padding { get; }
            internal string DataFormat { get; }
            internal int[] DilationRate { get; }
            internal string? Activation { get; }
            internal bool UseBias { get; }
            internal Initializer DepthwiseInitializer { get; }
            internal Initializer BiasInitializer { get; }
            internal Regularizer? DepthwiseRegularizer { get; }
            internal Regularizer? BiasRegularizer { get; }
            internal Constraint? DepthwiseConstraint { get; }
            internal Constraint? BiasConstraint { get; }
            internal string? Name { get; }
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            long channels = SeparableMath.CheckInput(Name, Rank, DataFormat, inputShape);
            long outChannels = channels * DepthMultiplier;
            SeparableMath.CheckOutputShape(Rank, DataFormat, inputShape, _kernelSize, _strides, _dilationRate, Padding,
                _kernelSize.Select(k => (long)k).Concat(new[] { channels, outChannels }).ToArray());
            Kernel = AddWeight("kernel", _kernelSize.Select(k => (long)k).Concat(new[] { channels, (long)DepthMultiplier }).ToArray(), DepthwiseInitializer,
                regularizer: DepthwiseRegularizer, constraint: DepthwiseConstraint);
            if (UseBias) Bias = AddWeight("bias", new[] { outChannels }, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            SeparableMath.CheckInput(Name, Rank, DataFormat, inputShape, Kernel!.Shape[Rank]);
            SeparableMath.CheckOutputShape(Rank, DataFormat, inputShape, _kernelSize, _strides, _dilationRate, Padding,
                _kernelSize.Select(k => (long)k).Concat(new[] { Kernel.Shape[Rank], Kernel.Shape[Rank] * DepthMultiplier }).ToArray());
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) =>
            SeparableMath.OutputShape(Rank, DataFormat, inputShape, inputShape[ChannelAxis(inputShape.Length)] * DepthMultiplier, _kernelSize, _strides,
                _dilationRate, Padding);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            using var ncx = ConvUtils.ChannelsFirst(inputs, DataFormat, Rank);
            using var bias = UseBias ? Bias!.Value.to_type(computeType) : null;
            using var convolved = SeparableMath.Depthwise(ncx, Kernel!.Value, bias, computeType, _kernelSize, _strides, _dilationRate, Padding);
            using var result = ConvUtils.FromChannelsFirst(convolved, DataFormat, Rank);
            return _activation(result); // in the layer's layout, as Keras (softmax acts on the channel axis there)
        }
    }

    /// <summary>What depthwise and separable convolutions share.</summary>
    internal static class SeparableMath
    {
        /// <summary>Checks rank and the channel axis (against <paramref name="expected"/> once built); returns the channels.</summary>
        internal static long CheckInput(string layer, int rank, string dataFormat, long[] inputShape, long? expected = null)
        {
            if (inputShape.Length < rank + 2) throw ConvUtils.WrongRank(layer, rank + 2, inputShape, exact: false);
            if (inputShape.Length > rank + 2) throw ConvUtils.WrongRank(layer, rank + 2, inputShape, exact: true);
            long channels = inputShape[dataFormat == "channels_last" ? inputShape.Length - 1 : 1];
            if (expected is long e && channels >= 0 && channels != e)
                throw ConvUtils.WrongAxis(layer, dataFormat == "channels_last" ? -1 : 1, e, inputShape);
            if (expected == null && channels < 0)
                throw new KerasArgumentException("The channel dimension of the inputs should be defined. The input_shape received is " + ConvUtils.FormatShape(inputShape));
            return channels;
        }

        internal static long[] OutputShape(int rank, string dataFormat, long[] inputShape, long outChannels, int[] kernel, int[] strides, int[] dilation, string padding)
        {
            bool last = dataFormat == "channels_last";
            var output = new long[rank + 2];
            output[0] = inputShape[0];
            for (int i = 0; i < rank; i++)
            {
                int axis = last ? i + 1 : i + 2;
                output[axis] = ConvUtils.ConvLength(inputShape[axis], kernel[i], strides[i], dilation[i], padding);
            }
            output[last ? rank + 1 : 1] = outChannels;
            return output;
        }

        /// <summary>Keras' "Computed output size would be zero or negative" check.</summary>
        internal static void CheckOutputShape(int rank, string dataFormat, long[] inputShape, int[] kernel, int[] strides, int[] dilation, string padding, long[] kernelShape)
        {
            bool last = dataFormat == "channels_last";
            for (int i = 0; i < rank; i++)
            {
                long size = inputShape[last ? i + 1 : i + 2];
                if (size >= 0 && ConvUtils.ConvLength(size, kernel[i], strides[i], dilation[i], padding) <= 0)
                    throw new KerasArgumentException(
                        $"Computed output size would be zero or negative. Received `inputs shape={ConvUtils.FormatShape(inputShape)}`, " +
                        $"`kernel shape={ConvUtils.FormatShape(kernelShape)}`, `dilation_rate={ConvUtils.Tuple(dilation)}`, " +
                        $"`strides={ConvUtils.Tuple(strides)}`, `padding={padding}`.");
            }
        }

        /// <summary>
        /// The depthwise convolution of a channels-first tensor with a Keras kernel (k..., in, dm): a grouped convolution
        /// with one group per input channel, output channel c·dm + m.
        /// </summary>
        internal static Tensor Depthwise(Tensor ncx, Tensor kerasKernel, Tensor? bias, ScalarType type, int[] kernel, int[] strides, int[] dilation, string padding)
        {
            int rank = kernel.Length;
            long channels = kerasKernel.shape[rank], multiplier = kerasKernel.shape[rank + 1];
            using var flat = kerasKernel.reshape(kernel.Select(k => (long)k).Concat(new[] { 1L, channels * multiplier }).ToArray());
            using var permuted = ConvUtils.TorchKernel(flat, rank); // (in·dm, 1, k...)
            using var weight = permuted.to_type(type);
            using var padded = padding == "same"
                ? ConvUtils.PadSame(ncx, kernel.Select((k, i) => ConvUtils.Effective(k, dilation[i])).ToArray(), strides)
                : ncx.alias();
            return ConvUtils.Conv(padded, weight, bias, strides, dilation, channels);
        }
    }
}

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
    /// Keras' <c>BaseConvTranspose</c>, behind <see cref="Conv1DTranspose"/>, <see cref="Conv2DTranspose"/> and
    /// <see cref="Conv3DTranspose"/>: the transpose (gradient) of a convolution. Kernel in Keras' layout
    /// (k..., filters, in); output lengths as Keras computes them: valid (n - 1)·s + max(k_eff, s), same n·s, or with
    /// <c>output_padding</c> (n - 1)·s + k_eff + p (valid) and (n - 1)·s + k_eff mod 2 + p (same), the window placed as
    /// JAX/TensorFlow place it (Keras makes every backend agree).
    /// </summary>
    public abstract class BaseConvTranspose : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly int[] _kernelSize;
        private readonly int[] _strides;
        private readonly int[] _dilationRate;
        private readonly int[]? _outputPadding;

        private protected BaseConvTranspose(int rank, int filters, int[] kernelSize, int[] strides, string padding, int[]? outputPadding, string? dataFormat,
            int[] dilationRate, string? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
            Regularizer? kernelRegularizer, Regularizer? biasRegularizer, Regularizer? activityRegularizer, Constraint? kernelConstraint,
            Constraint? biasConstraint, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            _kernelSize = ConvUtils.Standardize(kernelSize, rank, "kernel_size");
            _strides = ConvUtils.Standardize(strides, rank, "strides");
            _dilationRate = ConvUtils.Standardize(dilationRate, rank, "dilation_rate");
            Padding = ConvUtils.Padding(padding, allowCausal: false);
            _outputPadding = outputPadding == null ? null : ConvUtils.Standardize(outputPadding, rank, "output_padding", allowZero: true);
            DataFormat = ImageFormats.Standardize(dataFormat);
            _activation = Activations.Get(activation);
            Activation = activation ?? "linear";
            if (filters <= 0)
                throw new KerasArgumentException($"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.", nameof(filters));
            if (_outputPadding != null)
                for (int i = 0; i < rank; i++)
                    if (_outputPadding[i] >= _strides[i])
                        throw new KerasArgumentException(
                            $"`output_padding` must be strictly less than `strides` for all dimensions. At dimension {i}, `output_padding` is " +
                            $"{_outputPadding[i]} but `strides` is {_strides[i]}. Received: output_padding={ConvUtils.Tuple(_outputPadding)}, " +
                            $"strides={ConvUtils.Tuple(_strides)}", nameof(outputPadding));
            ConvUtils.CheckStridesAndDilation(_strides, _dilationRate);
            Filters = filters;
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? new GlorotUniform();
            BiasInitializer = biasInitializer ?? new Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
        }

        /// <summary>Number of spatial dimensions (1, 2 or 3).</summary>
        public int Rank { get; }
        /// <summary>Number of output channels.</summary>
        public int Filters { get; }
        /// <summary>"valid" or "same".</summary>
        public string Padding { get; }
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }
        /// <summary>The activation's name ("linear" when none).</summary>
        public string Activation { get; }
        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }
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
        /// <summary>The kernel, Keras' layout (k..., filters, in), after build.</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>The bias (filters), after build when <see cref="UseBias"/>.</summary>
        public KerasVariable? Bias { get; private set; }

        private protected int[] KernelSizeValues => _kernelSize;
        private protected int[] StridesValues => _strides;
        private protected int[] DilationValues => _dilationRate;
        private protected int[]? OutputPaddingValues => _outputPadding;

        private int ChannelAxis(int ndim) => DataFormat == "channels_last" ? ndim - 1 : 1;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["kernel_size"] = BaseConv.Json(_kernelSize);
            c["strides"] = BaseConv.Json(_strides);
            c["padding"] = Padding;
            c["output_padding"] = _outputPadding == null ? null : BaseConv.Json(_outputPadding);
            c["data_format"] = DataFormat;
            c["dilation_rate"] = BaseConv.Json(_dilationRate);
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

        /// <summary>The keys of a Keras transposed-convolution config.</summary>
        private protected sealed class Args
        {
            internal Args(ConfigReader c, int rank)
            {
                Filters = c.Int("filters", min: 1);
                KernelSize = c.Ints("kernel_size", rank);
                Strides = c.Ints("strides", rank, ConvUtils.Ones(rank));
                Padding = c.Choice("padding", "valid", "valid", "same");
                OutputPadding = c.OptionalInts("output_padding", rank, min: 0);
                DataFormat = ImageFormats.Read(c);
                DilationRate = c.Ints("dilation_rate", rank, ConvUtils.Ones(rank));
                Activation = c.Activation("activation");
                UseBias = c.Bool("use_bias", true);
                KernelInitializer = c.Object<Initializer>("kernel_initializer", new GlorotUniform());
                BiasInitializer = c.Object<Initializer>("bias_initializer", new Zeros());
                KernelRegularizer = c.OptionalObject<Regularizer>("kernel_regularizer");
                BiasRegularizer = c.OptionalObject<Regularizer>("bias_regularizer");
                KernelConstraint = c.OptionalObject<Constraint>("kernel_constraint");
                BiasConstraint = c.OptionalObject<Constraint>("bias_constraint");
                Name = c.Name;
            }

            internal int Filters { get; }
            internal int[] KernelSize { get; }
            internal int[] Strides { get; }
            internal string Padding { get; }
            internal int[]? OutputPadding { get; }
            internal string DataFormat { get; }
            internal int[] DilationRate { get; }
            internal string? Activation { get; }
            internal bool UseBias { get; }
            internal Initializer KernelInitializer { get; }
            internal Initializer BiasInitializer { get; }
            internal Regularizer? KernelRegularizer { get; }
            internal Regularizer? BiasRegularizer { get; }
            internal Constraint? KernelConstraint { get; }
            internal Constraint? BiasConstraint { get; }
            internal string? Name { get; }
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length < Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: false);
            if (inputShape.Length > Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: true);
            long channels = inputShape[ChannelAxis(inputShape.Length)];
            if (channels < 0)
                throw new KerasArgumentException("The channel dimension of the inputs should be defined. The input_shape received is " + ConvUtils.FormatShape(inputShape));
            var kernelShape = _kernelSize.Select(k => (long)k).Concat(new[] { (long)Filters, channels }).ToArray();
            Kernel = AddWeight("kernel", kernelShape, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
            if (UseBias) Bias = AddWeight("bias", new[] { (long)Filters }, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length < Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: false);
            if (inputShape.Length > Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: true);
            int axis = ChannelAxis(inputShape.Length);
            long expected = Kernel!.Shape[Rank + 1];
            if (inputShape[axis] >= 0 && inputShape[axis] != expected)
                throw ConvUtils.WrongAxis(Name, DataFormat == "channels_last" ? -1 : 1, expected, inputShape);
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            var output = new long[Rank + 2];
            output[0] = inputShape[0];
            for (int i = 0; i < Rank; i++)
            {
                int axis = last ? i + 1 : i + 2;
                output[axis] = ConvUtils.TransposeLength(inputShape[axis], _kernelSize[i], _strides[i], _dilationRate[i], Padding, _outputPadding?[i]);
            }
            output[last ? Rank + 1 : 1] = Filters;
            return output;
        }

        /// <summary>
        /// The transposed convolution as Keras' JAX backend computes it: the input dilated by the strides, padded with
        /// Keras' zeros (<see cref="ConvUtils.TransposePadding"/>), convolved with the spatially flipped kernel. (Written
        /// with an ordinary convolution: TorchSharp's CPU conv_transpose1d returned wrong values for batches of more than
        /// one sample at stride 1.)
        /// </summary>
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            using var ncx = ConvUtils.ChannelsFirst(inputs, DataFormat, Rank);
            using var dilated = ConvUtils.DilateInput(ncx, _strides);
            var pads = Enumerable.Range(0, Rank)
                .Select(i => ConvUtils.TransposePadding(_kernelSize[i], _strides[i], _dilationRate[i], Padding, _outputPadding?[i])).ToArray();
            using var padded = ConvUtils.PadSpatial(dilated, pads);
            // Keras (k..., filters, in) -> convolution weight (filters, in, k...), flipped along every spatial axis.
            using var permuted = Kernel!.Value.permute(new long[] { Rank, Rank + 1 }.Concat(Enumerable.Range(0, Rank).Select(i => (long)i)).ToArray());
            using var flipped = permuted.flip(Enumerable.Range(2, Rank).Select(i => (long)i).ToArray());
            using var kernel = flipped.to_type(computeType);
            using var bias = UseBias ? Bias!.Value.to_type(computeType) : null;
            using var convolved = ConvUtils.Conv(padded, kernel, bias, ConvUtils.Ones(Rank), _dilationRate, 1);
            using var result = ConvUtils.FromChannelsFirst(convolved, DataFormat, Rank);
            return _activation(result); // in the layer's layout, as Keras (softmax acts on the channel axis there)
        }
    }
}

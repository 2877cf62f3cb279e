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
    /// Keras' <c>BaseSeparableConv</c>, behind <see cref="SeparableConv1D"/> and <see cref="SeparableConv2D"/>: a
    /// depthwise convolution (kernel (k..., in, depth_multiplier)) followed by a pointwise one (kernel
    /// (1..., in·depth_multiplier, filters)), then the bias (filters) and the activation. Weights in Keras' order:
    /// depthwise kernel, pointwise kernel, bias.
    /// </summary>
    public abstract class BaseSeparableConv : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly int[] _kernelSize;
        private readonly int[] _strides;
        private readonly int[] _dilationRate;

        private protected BaseSeparableConv(int rank, int depthMultiplier, int filters, int[] kernelSize, int[] strides, string padding, string? dataFormat,
            int[] dilationRate, string? activation, bool useBias, Initializer? depthwiseInitializer, Initializer? pointwiseInitializer,
            Initializer? biasInitializer, Regularizer? depthwiseRegularizer, Regularizer? pointwiseRegularizer, Regularizer? biasRegularizer,
            Regularizer? activityRegularizer, Constraint? depthwiseConstraint, Constraint? pointwiseConstraint, Constraint? biasConstraint, string? name,
            bool trainable, string? dtype)
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
            if (filters <= 0)
                throw new KerasArgumentException($"Invalid value for argument `filters`. Expected a strictly positive value. Received filters={filters}.", nameof(filters));
            DepthMultiplier = depthMultiplier;
            Filters = filters;
            UseBias = useBias;
            DepthwiseInitializer = depthwiseInitializer ?? new GlorotUniform();
            PointwiseInitializer = pointwiseInitializer ?? new GlorotUniform();
            BiasInitializer = biasInitializer ?? new Zeros();
            DepthwiseRegularizer = depthwiseRegularizer;
            PointwiseRegularizer = pointwiseRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            DepthwiseConstraint = depthwiseConstraint;
            PointwiseConstraint = pointwiseConstraint;
            BiasConstraint = biasConstraint;
        }

        /// <summary>Number of spatial dimensions (1 or 2).</summary>
        public int Rank { get; }
        /// <summary>Depthwise filters per input channel.</summary>
        public int DepthMultiplier { get; }
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
        /// <summary>The depthwise kernel's initializer.</summary>
        public Initializer DepthwiseInitializer { get; }
        /// <summary>The pointwise kernel's initializer.</summary>
        public Initializer PointwiseInitializer { get; }
        /// <summary>The bias' initializer.</summary>
        public Initializer BiasInitializer { get; }
        /// <summary>The depthwise kernel's regularizer, or null.</summary>
        public Regularizer? DepthwiseRegularizer { get; }
        /// <summary>The pointwise kernel's regularizer, or null.</summary>
        public Regularizer? PointwiseRegularizer { get; }
        /// <summary>The bias' regularizer, or null.</summary>
        public Regularizer? BiasRegularizer { get; }
        /// <summary>The depthwise kernel's constraint, or null.</summary>
        public Constraint? DepthwiseConstraint { get; }
        /// <summary>The pointwise kernel's constraint, or null.</summary>
        public Constraint? PointwiseConstraint { get; }
        /// <summary>The bias' constraint, or null.</summary>
        public Constraint? BiasConstraint { get; }
        /// <summary>The depthwise kernel (k..., in, depth_multiplier), after build.</summary>
        public KerasVariable? DepthwiseKernel { get; private set; }
        /// <summary>The pointwise kernel (1..., in·depth_multiplier, filters), after build.</summary>
        public KerasVariable? PointwiseKernel { get; private set; }
        /// <summary>The bias (filters), after build when <see cref="UseBias"/>.</summary>
        public KerasVariable? Bias { get; private set; }

        private protected int[] KernelSizeValues => _kernelSize;
        private protected int[] StridesValues => _strides;
        private protected int[] DilationValues => _dilationRate;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["depth_multiplier"] = DepthMultiplier;
            c["filters"] = Filters;
            c["kernel_size"] = BaseConv.Json(_kernelSize);
            c["strides"] = BaseConv.Json(_strides);
            c["padding"] = Padding;
            c["data_format"] = DataFormat;
            c["dilation_rate"] = BaseConv.Json(_dilationRate);
            c["activation"] = Activation;
            c["use_bias"] = UseBias;
            c["depthwise_initializer"] = KerasObjects.Serialize(DepthwiseInitializer);
            c["pointwise_initializer"] = KerasObjects.Serialize(PointwiseInitializer);
            c["bias_initializer"] = KerasObjects.Serialize(BiasInitializer);
            c["depthwise_regularizer"] = KerasObjects.SerializeOptional(DepthwiseRegularizer);
            c["pointwise_regularizer"] = KerasObjects.SerializeOptional(PointwiseRegularizer);
            c["bias_regularizer"] = KerasObjects.SerializeOptional(BiasRegularizer);
            c["activity_regularizer"] = KerasObjects.SerializeOptional(ActivityRegularizer);
            c["depthwise_constraint"] = KerasObjects.SerializeOptional(DepthwiseConstraint);
            c["pointwise_constraint"] = KerasObjects.SerializeOptional(PointwiseConstraint);
            c["bias_constraint"] = KerasObjects.SerializeOptional(BiasConstraint);
            return c;
        }

        /// <summary>The keys of a Keras separable-convolution config.</summary>
        private protected sealed class Args
        {
            internal Args(ConfigReader c, int rank)
            {
                DepthMultiplier = c.Int("depth_multiplier", 1, min: 1);
                Filters = c.Int("filters", min: 1);
                KernelSize = c.Ints("kernel_size", rank);
                Strides = c.Ints("strides", rank, ConvUtils.Ones(rank));
                Padding = c.Choice("padding", "valid", "valid", "same");
                DataFormat = ImageFormats.Read(c);
                DilationRate = c.Ints("dilation_rate", rank, ConvUtils.Ones(rank));
                Activation = c.Activation("activation");
                UseBias = c.Bool("use_bias", true);
                DepthwiseInitializer = c.Object<Initializer>("depthwise_initializer", new GlorotUniform());
                PointwiseInitializer = c.Object<Initializer>("pointwise_initializer", new GlorotUniform());
                BiasInitializer = c.Object<Initializer>("bias_initializer", new Zeros());
                DepthwiseRegularizer = c.OptionalObject<Regularizer>("depthwise_regularizer");
                PointwiseRegularizer = c.OptionalObject<Regularizer>("pointwise_regularizer");
                BiasRegularizer = c.OptionalObject<Regularizer>("bias_regularizer");
                DepthwiseConstraint = c.OptionalObject<Constraint>("depthwise_constraint");
                PointwiseConstraint = c.OptionalObject<Constraint>("pointwise_constraint");
                BiasConstraint = c.OptionalObject<Constraint>("bias_constraint");
                Name = c.Name;
            }

            internal int DepthMultiplier { get; }
            internal int Filters { get; }
            internal int[] KernelSize { get; }
            internal int[] Strides { get; }
            internal string Padding { get; }
            internal string DataFormat { get; }
            internal int[] DilationRate { get; }
            internal string? Activation { get; }
            internal bool UseBias { get; }
            internal Initializer DepthwiseInitializer { get; }
            internal Initializer PointwiseInitializer { get; }
            internal Initializer BiasInitializer { get; }
            internal Regularizer? DepthwiseRegularizer { get; }
            internal Regularizer? PointwiseRegularizer { get; }
            internal Regularizer? BiasRegularizer { get; }
            internal Constraint? DepthwiseConstraint { get; }
            internal Constraint? PointwiseConstraint { get; }
            internal Constraint? BiasConstraint { get; }
            internal string? Name { get; }
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            long channels = SeparableMath.CheckInput(Name, Rank, DataFormat, inputShape);
            var depthwiseShape = _kernelSize.Select(k => (long)k).Concat(new[] { channels, (long)DepthMultiplier }).ToArray();
            var pointwiseShape = Enumerable.Repeat(1L, Rank).Concat(new[] { channels * DepthMultiplier, (long)Filters }).ToArray();
            SeparableMath.CheckOutputShape(Rank, DataFormat, inputShape, _kernelSize, _strides, _dilationRate, Padding,
                _kernelSize.Select(k => (long)k).Concat(new[] { channels, (long)Filters }).ToArray());
            DepthwiseKernel = AddWeight("depthwise_kernel", depthwiseShape, DepthwiseInitializer, regularizer: DepthwiseRegularizer, constraint: DepthwiseConstraint);
            PointwiseKernel = AddWeight("pointwise_kernel", pointwiseShape, PointwiseInitializer, regularizer: PointwiseRegularizer, constraint: PointwiseConstraint);
            if (UseBias) Bias = AddWeight("bias", new[] { (long)Filters }, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            SeparableMath.CheckInput(Name, Rank, DataFormat, inputShape, DepthwiseKernel!.Shape[Rank]);
            SeparableMath.CheckOutputShape(Rank, DataFormat, inputShape, _kernelSize, _strides, _dilationRate, Padding,
                _kernelSize.Select(k => (long)k).Concat(new[] { DepthwiseKernel.Shape[Rank], (long)Filters }).ToArray());
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape) =>
            SeparableMath.OutputShape(Rank, DataFormat, inputShape, Filters, _kernelSize, _strides, _dilationRate, Padding);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            using var ncx = ConvUtils.ChannelsFirst(inputs, DataFormat, Rank);
            using var depthwise = SeparableMath.Depthwise(ncx, DepthwiseKernel!.Value, null, computeType, _kernelSize, _strides, _dilationRate, Padding);
            using var permuted = ConvUtils.TorchKernel(PointwiseKernel!.Value, Rank); // (filters, in·dm, 1...)
            using var pointwise = permuted.to_type(computeType);
            using var bias = UseBias ? Bias!.Value.to_type(computeType) : null;
            using var convolved = ConvUtils.Conv(depthwise, pointwise, bias, ConvUtils.Ones(Rank), ConvUtils.Ones(Rank), 1);
            using var result = ConvUtils.FromChannelsFirst(convolved, DataFormat, Rank);
            return _activation(result); // in the layer's layout, as Keras (softmax acts on the channel axis there)
        }
    }
}

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
    /// Keras' <c>BaseConv</c>: the N-D convolution behind <see cref="Conv1D"/>, <see cref="Conv2D"/> and
    /// <see cref="Conv3D"/>. The kernel has Keras' layout (k..., in/groups, filters) in both data formats, "same" padding
    /// follows Keras (extra padding after), <c>dilation_rate</c> and <c>groups</c> are honoured, and weights, regularizers
    /// and constraints are Keras'.
    /// </summary>
    public abstract class BaseConv : Layer
    {
        private readonly Func<Tensor, Tensor> _activation;
        private readonly int[] _kernelSize;
        private readonly int[] _strides;
        private readonly int[] _dilationRate;

        private protected BaseConv(int rank, int filters, int[] kernelSize, int[] strides, string padding, string? dataFormat, int[] dilationRate, int groups,
            string? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer, Regularizer? kernelRegularizer,
            Regularizer? biasRegularizer, Regularizer? activityRegularizer, Constraint? kernelConstraint, Constraint? biasConstraint, string? name,
            bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            _kernelSize = ConvUtils.Standardize(kernelSize, rank, "kernel_size");
            _strides = ConvUtils.Standardize(strides, rank, "strides");
            _dilationRate = ConvUtils.Standardize(dilationRate, rank, "dilation_rate");
            Padding = ConvUtils.Padding(padding, allowCausal: rank == 1);
            DataFormat = ImageFormats.Standardize(dataFormat);
            _activation = Activations.Get(activation);
            Activation = activation ?? "linear";
            if (Shared.KerasArgumentRules.ConvFilters.Problem(filters) is { } filtersProblem) throw new KerasArgumentException(filtersProblem, nameof(filters));
            if (Shared.KerasArgumentRules.ConvGroups.Problem(groups) is { } groupsProblem) throw new KerasArgumentException(groupsProblem, nameof(groups));
            if (filters % groups != 0)
                throw new KerasArgumentException(
                    $"The number of filters must be evenly divisible by the number of groups. Received: groups={groups}, filters={filters}.", nameof(groups));
            ConvUtils.CheckStridesAndDilation(_strides, _dilationRate);
            Filters = filters;
            Groups = groups;
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
        /// <summary>Number of groups the input channels are split into.</summary>
        public int Groups { get; }
        /// <summary>"valid", "same" (or "causal", Conv1D only).</summary>
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
        /// <summary>The kernel, Keras' layout (k..., in/groups, filters), after build.</summary>
        public KerasVariable? Kernel { get; private set; }
        /// <summary>The bias (filters), after build when <see cref="UseBias"/>.</summary>
        public KerasVariable? Bias { get; private set; }

        private protected int[] KernelSizeValues => _kernelSize;
        private protected int[] StridesValues => _strides;
        private protected int[] DilationValues => _dilationRate;

        private int ChannelAxis(int ndim) => DataFormat == "channels_last" ? ndim - 1 : 1;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["filters"] = Filters;
            c["kernel_size"] = Json(_kernelSize);
            c["strides"] = Json(_strides);
            c["padding"] = Padding;
            c["data_format"] = DataFormat;
            c["dilation_rate"] = Json(_dilationRate);
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

        internal static JsonArray Json(int[] values) => new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

        /// <summary>The keys every Keras convolution config has, read for a subclass' FromConfig.</summary>
        private protected sealed class Args
        {
            internal Args(ConfigReader c, int rank, bool allowCausal)
            {
                c.Expect("lora_rank", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "LoRA (lora_rank)");
                c.Ignore("lora_alpha");
                Filters = c.Int("filters", min: 1);
                KernelSize = c.Ints("kernel_size", rank);
                Strides = c.Ints("strides", rank, ConvUtils.Ones(rank));
                Padding = allowCausal ? c.Choice("padding", "valid", "valid", "same", "causal") : c.Choice("padding", "valid", "valid", "same");
                DataFormat = ImageFormats.Read(c);
                DilationRate = c.Ints("dilation_rate", rank, ConvUtils.Ones(rank));
                Groups = c.Int("groups", 1, min: 1);
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
            internal string DataFormat { get; }
            internal int[] DilationRate { get; }
            internal int Groups { get; }
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
            if (channels % Groups != 0)
                throw new KerasArgumentException(
                    $"The number of input channels must be evenly divisible by the number of groups. Received groups={Groups}, but the input has {channels} channels " +
                    $"(full input shape is {ConvUtils.FormatShape(inputShape)}).");
            var kernelShape = _kernelSize.Select(k => (long)k).Concat(new[] { channels / Groups, Filters }).ToArray();
            CheckOutputShape(inputShape, kernelShape);
            Kernel = AddWeight("kernel", kernelShape, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
            if (UseBias) Bias = AddWeight("bias", new[] { (long)Filters }, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        private void CheckOutputShape(long[] inputShape, long[] kernelShape)
        {
            bool last = DataFormat == "channels_last";
            bool empty = Enumerable.Range(0, Rank).Any(i =>
            {
                long size = inputShape[last ? i + 1 : i + 2];
                return size >= 0 && ConvUtils.ConvLength(size, _kernelSize[i], _strides[i], _dilationRate[i], Padding) <= 0;
            });
            if (empty)
                throw new KerasArgumentException(
                    $"Computed output size would be zero or negative. Received `inputs shape={ConvUtils.FormatShape(inputShape)}`, " +
                    $"`kernel shape={ConvUtils.FormatShape(kernelShape)}`, `dilation_rate={ConvUtils.Tuple(_dilationRate)}`, " +
                    $"`strides={ConvUtils.Tuple(_strides)}`, `padding={Padding}`.");
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length < Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: false);
            if (inputShape.Length > Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: true);
            int axis = ChannelAxis(inputShape.Length);
            long expected = Kernel!.Shape[Rank] * Groups;
            if (inputShape[axis] >= 0 && inputShape[axis] != expected)
                throw ConvUtils.WrongAxis(Name, DataFormat == "channels_last" ? -1 : 1, expected, inputShape);
            CheckOutputShape(inputShape, Kernel.Shape);
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            var output = new long[Rank + 2];
            output[0] = inputShape[0];
            for (int i = 0; i < Rank; i++)
            {
                long size = inputShape[last ? i + 1 : i + 2];
                output[last ? i + 1 : i + 2] = ConvUtils.ConvLength(size, _kernelSize[i], _strides[i], _dilationRate[i], Padding);
            }
            output[last ? Rank + 1 : 1] = Filters;
            return output;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            using var ncx = ConvUtils.ChannelsFirst(inputs, DataFormat, Rank);
            using var padded = Pad(ncx);
            using var permuted = ConvUtils.TorchKernel(Kernel!.Value, Rank);
            using var kernel = permuted.to_type(computeType);
            using var bias = UseBias ? Bias!.Value.to_type(computeType) : null;
            using var convolved = ConvUtils.Conv(padded, kernel, bias, _strides, _dilationRate, Groups);
            using var result = ConvUtils.FromChannelsFirst(convolved, DataFormat, Rank);
            return _activation(result); // in the layer's layout, as Keras (softmax acts on the channel axis there)
        }

        private Tensor Pad(Tensor ncx)
        {
            switch (Padding)
            {
                case "same":
                    return ConvUtils.PadSame(ncx, _kernelSize.Select((k, i) => ConvUtils.Effective(k, _dilationRate[i])).ToArray(), _strides);
                case "causal": // Conv1D: everything before, so output t sees inputs up to t only
                    return ConvUtils.PadSpatial(ncx, new[] { (ConvUtils.Effective(_kernelSize[0], _dilationRate[0]) - 1, 0L) });
                default:
                    return ncx.alias();
            }
        }
    }
}

using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Regularizers;
using Keras.SavingLib;
using Keras.Initializers;
using Keras.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Dense(units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    /// bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    /// kernel_constraint=None, bias_constraint=None)</c>: <c>activation(inputs @ kernel + bias)</c>, kernel of shape
    /// (input_dim, units).
    /// </summary>
    [KerasClass("Dense")]
    public class Dense : Layer
    {
        /// <summary>Keras sets <c>supports_masking</c>: the input's mask passes through to the output.</summary>
        public override bool SupportsMasking => true;

        private readonly Func<Tensor, Tensor> _activation;

        /// <summary>Creates the layer.</summary>
        public Dense(
            int units,
            string? activation = null,
            bool useBias = true,
            Initializer? kernelInitializer = null,
            Initializer? biasInitializer = null,
            string? name = null,
            bool trainable = true,
            string? dtype = null,
            Regularizer? kernelRegularizer = null,
            Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null,
            Constraint? biasConstraint = null)
            : base(name, trainable, dtype)
        {
            if (Shared.KerasArgumentRules.DenseUnits.Problem(units) is { } problem) throw new KerasArgumentException(problem, nameof(units));
            Units = units;
            Activation = activation ?? "linear";
            _activation = Activations.Get(activation);
            UseBias = useBias;
            KernelInitializer = kernelInitializer ?? new GlorotUniform();
            BiasInitializer = biasInitializer ?? new Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
        }

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
            c["units"] = Units;
            c["activation"] = Activation;
            c["use_bias"] = UseBias;
            c["kernel_initializer"] = KerasObjects.Serialize(KernelInitializer);
            c["bias_initializer"] = KerasObjects.Serialize(BiasInitializer);
            c["kernel_regularizer"] = KerasObjects.SerializeOptional(KernelRegularizer);
            c["bias_regularizer"] = KerasObjects.SerializeOptional(BiasRegularizer);
            c["kernel_constraint"] = KerasObjects.SerializeOptional(KernelConstraint);
            c["bias_constraint"] = KerasObjects.SerializeOptional(BiasConstraint);
            return c;
        }

        internal static Dense FromConfig(ConfigReader c)
        {
            c.Expect("lora_rank", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "LoRA (lora_rank)");
            c.Ignore("lora_alpha");
            c.Expect("quantization_config", v => v.GetValueKind() == System.Text.Json.JsonValueKind.Null, "quantization");
            return new Dense(c.Int("units", min: 1), c.Activation("activation"), c.Bool("use_bias", true),
                c.Object<Initializer>("kernel_initializer", new GlorotUniform()), c.Object<Initializer>("bias_initializer", new Zeros()),
                c.Name, kernelRegularizer: c.OptionalObject<Regularizer>("kernel_regularizer"),
                biasRegularizer: c.OptionalObject<Regularizer>("bias_regularizer"),
                kernelConstraint: c.OptionalObject<Constraint>("kernel_constraint"), biasConstraint: c.OptionalObject<Constraint>("bias_constraint"));
        }

        /// <summary>Number of output units.</summary>
        public int Units { get; }

        /// <summary>The activation's name.</summary>
        public string Activation { get; }

        /// <summary>Whether a bias is added.</summary>
        public bool UseBias { get; }

        /// <summary>The kernel, shape (input_dim, units); null before the layer is built.</summary>
        public KerasVariable? Kernel { get; private set; }

        /// <summary>The bias, shape (units); null before build or without bias.</summary>
        public KerasVariable? Bias { get; private set; }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            if (inputShape.Length == 0 || inputShape[inputShape.Length - 1] < 0)
                throw new KerasArgumentException(
                    "The last dimension of the inputs to a Dense layer should be defined. Found None. Full input shape received: " +
                    FormatShape(inputShape));
            long inputDim = inputShape[inputShape.Length - 1];
            Kernel = AddWeight("kernel", new[] { inputDim, (long)Units }, KernelInitializer, regularizer: KernelRegularizer, constraint: KernelConstraint);
            if (UseBias) Bias = AddWeight("bias", new[] { (long)Units }, BiasInitializer, regularizer: BiasRegularizer, constraint: BiasConstraint);
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length < 2)
                throw new KerasArgumentException(
                    $"Input 0 of layer \"{Name}\" is incompatible with the layer: expected min_ndim=2, found ndim={inputShape.Length}. " +
                    $"Full shape received: {FormatShape(inputShape)}");
            long expected = Kernel!.Shape[0];
            long actual = inputShape[inputShape.Length - 1];
            if (actual >= 0 && actual != expected)
                throw new KerasArgumentException(
                    $"Input 0 of layer \"{Name}\" is incompatible with the layer: expected axis -1 of input shape to have value {expected}, " +
                    $"but received input with shape {FormatShape(inputShape)}");
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var output = (long[])inputShape.Clone();
            output[output.Length - 1] = Units;
            return output;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var computeType = Dtypes.ToScalarType(ComputeDtype);
            Tensor kernel = Kernel!.Value;
            bool castKernel = kernel.dtype != computeType;
            if (castKernel) kernel = kernel.to_type(computeType);
            try
            {
                Tensor linear;
                if (!UseBias)
                {
                    linear = inputs.matmul(kernel);
                }
                else
                {
                    Tensor bias = Bias!.Value;
                    bool castBias = bias.dtype != computeType;
                    if (castBias) bias = bias.to_type(computeType);
                    try
                    {
                        // 2-D inputs: one fused bias + matmul; other ranks: matmul then add.
                        if (inputs.dim() == 2) linear = torch.addmm(bias, inputs, kernel, beta: 1, alpha: 1);
                        else
                        {
                            using var product = inputs.matmul(kernel);
                            linear = product.add(bias);
                        }
                    }
                    finally
                    {
                        if (castBias) bias.Dispose();
                    }
                }
                switch (Activation)
                {
                    case "linear":
                        return linear;
                    case "relu":
                        return linear.relu_(); // the tensor is ours and addmm's backward does not need it
                    default:
                        using (linear)
                            return _activation(linear);
                }
            }
            finally
            {
                if (castKernel) kernel.Dispose();
            }
        }
    }
}

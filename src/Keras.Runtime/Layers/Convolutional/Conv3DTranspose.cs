using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv3DTranspose(filters, kernel_size, strides=(1, 1, 1), padding="valid", output_padding=None, data_format=None, dilation_rate=(1, 1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)</c>: kernel (k1, k2, k3, filters, in). See <see cref="BaseConvTranspose"/> for the output lengths.
    /// </summary>
    [KerasClass("Conv3DTranspose", "Convolution3DTranspose")]
    public sealed class Conv3DTranspose : BaseConvTranspose
    {
        /// <summary>Creates the layer with the same kernel size, stride and dilation on every spatial axis.</summary>
        public Conv3DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null, string? dataFormat = null,
            int dilationRate = 1, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(filters, (kernelSize, kernelSize, kernelSize), (strides, strides, strides), padding, outputPadding is int p ? (p, p, p) : null, dataFormat,
                (dilationRate, dilationRate, dilationRate), activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer.</summary>
        public Conv3DTranspose(int filters, (int D1, int D2, int D3) kernelSize, (int D1, int D2, int D3)? strides = null, string padding = "valid", (int D1, int D2, int D3)? outputPadding = null, string? dataFormat = null,
            (int D1, int D2, int D3)? dilationRate = null, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(3, filters, Conv3D.Triple(kernelSize), Conv3D.Triple(strides), padding, outputPadding is { } p ? new[] { p.D1, p.D2, p.D3 } : null, dataFormat, Conv3D.Triple(dilationRate), activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name,
                trainable, dtype)
        {
        }

        /// <summary>Kernel size per spatial axis.</summary>
        public (int D1, int D2, int D3) KernelSize => (KernelSizeValues[0], KernelSizeValues[1], KernelSizeValues[2]);
        /// <summary>Strides.</summary>
        public (int D1, int D2, int D3) Strides => (StridesValues[0], StridesValues[1], StridesValues[2]);
        /// <summary>Output padding, or null.</summary>
        public (int D1, int D2, int D3)? OutputPadding => OutputPaddingValues is { } p ? (p[0], p[1], p[2]) : null;
        /// <summary>Dilation rate.</summary>
        public (int D1, int D2, int D3) DilationRate => (DilationValues[0], DilationValues[1], DilationValues[2]);

        internal static Conv3DTranspose FromConfig(ConfigReader c)
        {
            var a = new Args(c, 3);
            return new Conv3DTranspose(a.Filters, (a.KernelSize[0], a.KernelSize[1], a.KernelSize[2]), (a.Strides[0], a.Strides[1], a.Strides[2]), a.Padding, a.OutputPadding is { } op ? (op[0], op[1], op[2]) : null, a.DataFormat, (a.DilationRate[0], a.DilationRate[1], a.DilationRate[2]), a.Activation, a.UseBias,
                a.KernelInitializer, a.BiasInitializer, a.KernelRegularizer, a.BiasRegularizer, null, a.KernelConstraint, a.BiasConstraint, a.Name);
        }
    }
}

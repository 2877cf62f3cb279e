using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv3D(filters, kernel_size, strides=(1, 1, 1), padding="valid", data_format=None,
    /// dilation_rate=(1, 1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    /// bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    /// kernel_constraint=None, bias_constraint=None)</c>: inputs (batch, d1, d2, d3, channels) or channels first; kernel
    /// (k1, k2, k3, in/groups, filters).
    /// </summary>
    [KerasClass("Conv3D", "Convolution3D")]
    public sealed class Conv3D : BaseConv
    {
        /// <summary>Creates the layer with a cubic kernel, strides and dilation.</summary>
        public Conv3D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, int dilationRate = 1,
            int groups = 1, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(filters, (kernelSize, kernelSize, kernelSize), (strides, strides, strides), padding, dataFormat, (dilationRate, dilationRate, dilationRate),
                groups, activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint,
                biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer (strides and dilation default to (1, 1, 1)).</summary>
        public Conv3D(int filters, (int D1, int D2, int D3) kernelSize, (int D1, int D2, int D3)? strides = null, string padding = "valid",
            string? dataFormat = null, (int D1, int D2, int D3)? dilationRate = null, int groups = 1, string? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null, Regularizer? kernelRegularizer = null,
            Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null,
            Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(3, filters, Triple(kernelSize), Triple(strides), padding, dataFormat, Triple(dilationRate), groups, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name,
                trainable, dtype)
        {
        }

        internal static int[] Triple((int D1, int D2, int D3)? value) => value is { } v ? new[] { v.D1, v.D2, v.D3 } : new[] { 1, 1, 1 };

        /// <summary>Kernel size per spatial axis.</summary>
        public (int D1, int D2, int D3) KernelSize => (KernelSizeValues[0], KernelSizeValues[1], KernelSizeValues[2]);
        /// <summary>Strides.</summary>
        public (int D1, int D2, int D3) Strides => (StridesValues[0], StridesValues[1], StridesValues[2]);
        /// <summary>Dilation rate.</summary>
        public (int D1, int D2, int D3) DilationRate => (DilationValues[0], DilationValues[1], DilationValues[2]);

        internal static Conv3D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 3, allowCausal: false);
            return new Conv3D(a.Filters, (a.KernelSize[0], a.KernelSize[1], a.KernelSize[2]), (a.Strides[0], a.Strides[1], a.Strides[2]), a.Padding,
                a.DataFormat, (a.DilationRate[0], a.DilationRate[1], a.DilationRate[2]), a.Groups, a.Activation, a.UseBias, a.KernelInitializer,
                a.BiasInitializer, a.KernelRegularizer, a.BiasRegularizer, null, a.KernelConstraint, a.BiasConstraint, a.Name);
        }
    }
}

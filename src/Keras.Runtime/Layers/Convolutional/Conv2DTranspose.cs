using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv2DTranspose(filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)</c>: kernel (kh, kw, filters, in). See <see cref="BaseConvTranspose"/> for the output lengths.
    /// </summary>
    [KerasClass("Conv2DTranspose", "Convolution2DTranspose")]
    public sealed class Conv2DTranspose : BaseConvTranspose
    {
        /// <summary>Creates the layer with the same kernel size, stride and dilation on every spatial axis.</summary>
        public Conv2DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null, string? dataFormat = null,
            int dilationRate = 1, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(filters, (kernelSize, kernelSize), (strides, strides), padding, outputPadding is int p ? (p, p) : null, dataFormat,
                (dilationRate, dilationRate), activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer,
                kernelConstraint, biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer.</summary>
        public Conv2DTranspose(int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid", (int Height, int Width)? outputPadding = null, string? dataFormat = null,
            (int Height, int Width)? dilationRate = null, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(2, filters, new[] { kernelSize.Height, kernelSize.Width }, Conv2D.Pair(strides), padding, outputPadding is { } p ? new[] { p.Height, p.Width } : null, dataFormat, Conv2D.Pair(dilationRate), activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name,
                trainable, dtype)
        {
        }

        /// <summary>Kernel height and width.</summary>
        public (int Height, int Width) KernelSize => (KernelSizeValues[0], KernelSizeValues[1]);
        /// <summary>Strides.</summary>
        public (int Height, int Width) Strides => (StridesValues[0], StridesValues[1]);
        /// <summary>Output padding, or null.</summary>
        public (int Height, int Width)? OutputPadding => OutputPaddingValues is { } p ? (p[0], p[1]) : null;
        /// <summary>Dilation rate.</summary>
        public (int Height, int Width) DilationRate => (DilationValues[0], DilationValues[1]);

        internal static Conv2DTranspose FromConfig(ConfigReader c)
        {
            var a = new Args(c, 2);
            return new Conv2DTranspose(a.Filters, (a.KernelSize[0], a.KernelSize[1]), (a.Strides[0], a.Strides[1]), a.Padding, a.OutputPadding is { } op ? (op[0], op[1]) : null, a.DataFormat, (a.DilationRate[0], a.DilationRate[1]), a.Activation, a.UseBias,
                a.KernelInitializer, a.BiasInitializer, a.KernelRegularizer, a.BiasRegularizer, null, a.KernelConstraint, a.BiasConstraint, a.Name);
        }
    }
}

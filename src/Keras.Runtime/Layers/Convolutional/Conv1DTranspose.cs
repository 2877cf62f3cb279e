using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv1DTranspose(filters, kernel_size, strides=1, padding="valid", output_padding=None, data_format=None, dilation_rate=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)</c>: kernel (kernel_size, filters, in). See <see cref="BaseConvTranspose"/> for the output lengths.
    /// </summary>
    [KerasClass("Conv1DTranspose", "Convolution1DTranspose")]
    public sealed class Conv1DTranspose : BaseConvTranspose
    {
        /// <summary>Creates the layer.</summary>
        public Conv1DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null, string? dataFormat = null,
            int dilationRate = 1, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(1, filters, new[] { kernelSize }, new[] { strides }, padding, outputPadding is int p ? new[] { p } : null, dataFormat, new[] { dilationRate }, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name,
                trainable, dtype)
        {
        }

        /// <summary>Length of the window.</summary>
        public int KernelSize => KernelSizeValues[0];
        /// <summary>Stride.</summary>
        public int Strides => StridesValues[0];
        /// <summary>Output padding, or null.</summary>
        public int? OutputPadding => OutputPaddingValues?[0];
        /// <summary>Dilation rate.</summary>
        public int DilationRate => DilationValues[0];

        internal static Conv1DTranspose FromConfig(ConfigReader c)
        {
            var a = new Args(c, 1);
            return new Conv1DTranspose(a.Filters, a.KernelSize[0], a.Strides[0], a.Padding, a.OutputPadding?[0], a.DataFormat, a.DilationRate[0], a.Activation, a.UseBias,
                a.KernelInitializer, a.BiasInitializer, a.KernelRegularizer, a.BiasRegularizer, null, a.KernelConstraint, a.BiasConstraint, a.Name);
        }
    }
}

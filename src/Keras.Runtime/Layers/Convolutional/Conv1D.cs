using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv1D(filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1, groups=1,
    /// activation=None, use_bias=True, kernel_initializer="glorot_uniform", bias_initializer="zeros", kernel_regularizer=None,
    /// bias_regularizer=None, activity_regularizer=None, kernel_constraint=None, bias_constraint=None)</c>: inputs (batch,
    /// steps, channels) (channels_last) or (batch, channels, steps); kernel (kernel_size, in/groups, filters).
    /// <c>padding="causal"</c> pads dilation·(kernel_size - 1) zeros before the sequence, so output t depends on inputs
    /// up to t only.
    /// </summary>
    [KerasClass("Conv1D", "Convolution1D")]
    public sealed class Conv1D : BaseConv
    {
        /// <summary>Creates the layer.</summary>
        public Conv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, int dilationRate = 1,
            int groups = 1, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(1, filters, new[] { kernelSize }, new[] { strides }, padding, dataFormat, new[] { dilationRate }, groups, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name,
                trainable, dtype)
        {
        }

        /// <summary>Length of the convolution window.</summary>
        public int KernelSize => KernelSizeValues[0];
        /// <summary>Stride.</summary>
        public int Strides => StridesValues[0];
        /// <summary>Dilation rate.</summary>
        public int DilationRate => DilationValues[0];

        internal static Conv1D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 1, allowCausal: true);
            return new Conv1D(a.Filters, a.KernelSize[0], a.Strides[0], a.Padding, a.DataFormat, a.DilationRate[0], a.Groups, a.Activation, a.UseBias,
                a.KernelInitializer, a.BiasInitializer, a.KernelRegularizer, a.BiasRegularizer, null, a.KernelConstraint, a.BiasConstraint, a.Name);
        }
    }
}

using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.DepthwiseConv1D(kernel_size, strides=1, padding="valid", depth_multiplier=1, data_format=None,
    /// dilation_rate=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform", bias_initializer="zeros",
    /// depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
    /// bias_constraint=None)</c>: kernel (kernel_size, in, depth_multiplier). See <see cref="BaseDepthwiseConv"/>.
    /// </summary>
    [KerasClass("DepthwiseConv1D")]
    public sealed class DepthwiseConv1D : BaseDepthwiseConv
    {
        /// <summary>Creates the layer.</summary>
        public DepthwiseConv1D(int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1, string? dataFormat = null,
            int dilationRate = 1, string? activation = null, bool useBias = true, Initializer? depthwiseInitializer = null,
            Initializer? biasInitializer = null, Regularizer? depthwiseRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null, Constraint? depthwiseConstraint = null, Constraint? biasConstraint = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(1, depthMultiplier, new[] { kernelSize }, new[] { strides }, padding, dataFormat, new[] { dilationRate }, activation, useBias,
                depthwiseInitializer, biasInitializer, depthwiseRegularizer, biasRegularizer, activityRegularizer, depthwiseConstraint, biasConstraint,
                name, trainable, dtype)
        {
        }

        /// <summary>Length of the window.</summary>
        public int KernelSize => KernelSizeValues[0];
        /// <summary>Stride.</summary>
        public int Strides => StridesValues[0];
        /// <summary>Dilation rate.</summary>
        public int DilationRate => DilationValues[0];

        internal static DepthwiseConv1D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 1);
            return new DepthwiseConv1D(a.KernelSize[0], a.Strides[0], a.Padding, a.DepthMultiplier, a.DataFormat, a.DilationRate[0], a.Activation, a.UseBias,
                a.DepthwiseInitializer, a.BiasInitializer, a.DepthwiseRegularizer, a.BiasRegularizer, null, a.DepthwiseConstraint, a.BiasConstraint, a.Name);
        }
    }
}

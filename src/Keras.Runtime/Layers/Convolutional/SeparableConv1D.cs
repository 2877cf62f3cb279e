using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.SeparableConv1D(filters, kernel_size, strides=1, padding="valid", data_format=None, dilation_rate=1,
    /// depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
    /// pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
    /// pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
    /// pointwise_constraint=None, bias_constraint=None)</c>: depthwise kernel (kernel_size, in, depth_multiplier), pointwise
    /// (1, in·depth_multiplier, filters). See <see cref="BaseSeparableConv"/>.
    /// </summary>
    [KerasClass("SeparableConv1D", "SeparableConvolution1D")]
    public sealed class SeparableConv1D : BaseSeparableConv
    {
        /// <summary>Creates the layer.</summary>
        public SeparableConv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, int dilationRate = 1,
            int depthMultiplier = 1, string? activation = null, bool useBias = true, Initializer? depthwiseInitializer = null,
            Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null, Regularizer? depthwiseRegularizer = null,
            Regularizer? pointwiseRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? depthwiseConstraint = null, Constraint? pointwiseConstraint = null, Constraint? biasConstraint = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(1, depthMultiplier, filters, new[] { kernelSize }, new[] { strides }, padding, dataFormat, new[] { dilationRate }, activation, useBias,
                depthwiseInitializer, pointwiseInitializer, biasInitializer, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer,
                activityRegularizer, depthwiseConstraint, pointwiseConstraint, biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Length of the window.</summary>
        public int KernelSize => KernelSizeValues[0];
        /// <summary>Stride.</summary>
        public int Strides => StridesValues[0];
        /// <summary>Dilation rate.</summary>
        public int DilationRate => DilationValues[0];

        internal static SeparableConv1D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 1);
            return new SeparableConv1D(a.Filters, a.KernelSize[0], a.Strides[0], a.Padding, a.DataFormat, a.DilationRate[0], a.DepthMultiplier, a.Activation,
                a.UseBias, a.DepthwiseInitializer, a.PointwiseInitializer, a.BiasInitializer, a.DepthwiseRegularizer, a.PointwiseRegularizer,
                a.BiasRegularizer, null, a.DepthwiseConstraint, a.PointwiseConstraint, a.BiasConstraint, a.Name);
        }
    }
}

using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.SeparableConv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
    /// dilation_rate=(1, 1), depth_multiplier=1, activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
    /// pointwise_initializer="glorot_uniform", bias_initializer="zeros", depthwise_regularizer=None,
    /// pointwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
    /// pointwise_constraint=None, bias_constraint=None)</c>: depthwise kernel (kh, kw, in, depth_multiplier), pointwise
    /// (1, 1, in·depth_multiplier, filters). See <see cref="BaseSeparableConv"/>.
    /// </summary>
    [KerasClass("SeparableConv2D", "SeparableConvolution2D")]
    public sealed class SeparableConv2D : BaseSeparableConv
    {
        /// <summary>Creates the layer with a square kernel, strides and dilation.</summary>
        public SeparableConv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, int dilationRate = 1,
            int depthMultiplier = 1, string? activation = null, bool useBias = true, Initializer? depthwiseInitializer = null,
            Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null, Regularizer? depthwiseRegularizer = null,
            Regularizer? pointwiseRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? depthwiseConstraint = null, Constraint? pointwiseConstraint = null, Constraint? biasConstraint = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : this(filters, (kernelSize, kernelSize), (strides, strides), padding, dataFormat, (dilationRate, dilationRate), depthMultiplier, activation,
                useBias, depthwiseInitializer, pointwiseInitializer, biasInitializer, depthwiseRegularizer, pointwiseRegularizer, biasRegularizer,
                activityRegularizer, depthwiseConstraint, pointwiseConstraint, biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer (strides and dilation default to (1, 1)).</summary>
        public SeparableConv2D(int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
            string? dataFormat = null, (int Height, int Width)? dilationRate = null, int depthMultiplier = 1, string? activation = null,
            bool useBias = true, Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null,
            Regularizer? depthwiseRegularizer = null, Regularizer? pointwiseRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null, Constraint? depthwiseConstraint = null, Constraint? pointwiseConstraint = null,
            Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(2, depthMultiplier, filters, new[] { kernelSize.Height, kernelSize.Width }, Conv2D.Pair(strides), padding, dataFormat,
                Conv2D.Pair(dilationRate), activation, useBias, depthwiseInitializer, pointwiseInitializer, biasInitializer, depthwiseRegularizer,
                pointwiseRegularizer, biasRegularizer, activityRegularizer, depthwiseConstraint, pointwiseConstraint, biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Kernel height and width.</summary>
        public (int Height, int Width) KernelSize => (KernelSizeValues[0], KernelSizeValues[1]);
        /// <summary>Strides.</summary>
        public (int Height, int Width) Strides => (StridesValues[0], StridesValues[1]);
        /// <summary>Dilation rate.</summary>
        public (int Height, int Width) DilationRate => (DilationValues[0], DilationValues[1]);

        internal static SeparableConv2D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 2);
            return new SeparableConv2D(a.Filters, (a.KernelSize[0], a.KernelSize[1]), (a.Strides[0], a.Strides[1]), a.Padding, a.DataFormat,
                (a.DilationRate[0], a.DilationRate[1]), a.DepthMultiplier, a.Activation, a.UseBias, a.DepthwiseInitializer, a.PointwiseInitializer,
                a.BiasInitializer, a.DepthwiseRegularizer, a.PointwiseRegularizer, a.BiasRegularizer, null, a.DepthwiseConstraint, a.PointwiseConstraint,
                a.BiasConstraint, a.Name);
        }
    }
}

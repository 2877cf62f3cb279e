using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.DepthwiseConv2D(kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1, data_format=None,
    /// dilation_rate=(1, 1), activation=None, use_bias=True, depthwise_initializer="glorot_uniform", bias_initializer="zeros",
    /// depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None, depthwise_constraint=None,
    /// bias_constraint=None)</c>: kernel (kh, kw, in, depth_multiplier). See <see cref="BaseDepthwiseConv"/>.
    /// </summary>
    [KerasClass("DepthwiseConv2D")]
    public sealed class DepthwiseConv2D : BaseDepthwiseConv
    {
        /// <summary>Creates the layer with a square kernel, strides and dilation.</summary>
        public DepthwiseConv2D(int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1, string? dataFormat = null,
            int dilationRate = 1, string? activation = null, bool useBias = true, Initializer? depthwiseInitializer = null,
            Initializer? biasInitializer = null, Regularizer? depthwiseRegularizer = null, Regularizer? biasRegularizer = null,
            Regularizer? activityRegularizer = null, Constraint? depthwiseConstraint = null, Constraint? biasConstraint = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : this((kernelSize, kernelSize), (strides, strides), padding, depthMultiplier, dataFormat, (dilationRate, dilationRate), activation, useBias,
                depthwiseInitializer, biasInitializer, depthwiseRegularizer, biasRegularizer, activityRegularizer, depthwiseConstraint, biasConstraint,
                name, trainable, dtype)
        {
        }

        /// <summary>Creates the layer (strides and dilation default to (1, 1)).</summary>
        public DepthwiseConv2D((int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
            int depthMultiplier = 1, string? dataFormat = null, (int Height, int Width)? dilationRate = null, string? activation = null,
            bool useBias = true, Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null, Regularizer? depthwiseRegularizer = null,
            Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null, Constraint? depthwiseConstraint = null,
            Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(2, depthMultiplier, new[] { kernelSize.Height, kernelSize.Width }, Conv2D.Pair(strides), padding, dataFormat, Conv2D.Pair(dilationRate),
                activation, useBias, depthwiseInitializer, biasInitializer, depthwiseRegularizer, biasRegularizer, activityRegularizer,
                depthwiseConstraint, biasConstraint, name, trainable, dtype)
        {
        }

        /// <summary>Kernel height and width.</summary>
        public (int Height, int Width) KernelSize => (KernelSizeValues[0], KernelSizeValues[1]);
        /// <summary>Strides.</summary>
        public (int Height, int Width) Strides => (StridesValues[0], StridesValues[1]);
        /// <summary>Dilation rate.</summary>
        public (int Height, int Width) DilationRate => (DilationValues[0], DilationValues[1]);

        internal static DepthwiseConv2D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 2);
            return new DepthwiseConv2D((a.KernelSize[0], a.KernelSize[1]), (a.Strides[0], a.Strides[1]), a.Padding, a.DepthMultiplier, a.DataFormat,
                (a.DilationRate[0], a.DilationRate[1]), a.Activation, a.UseBias, a.DepthwiseInitializer, a.BiasInitializer, a.DepthwiseRegularizer,
                a.BiasRegularizer, null, a.DepthwiseConstraint, a.BiasConstraint, a.Name);
        }
    }
}

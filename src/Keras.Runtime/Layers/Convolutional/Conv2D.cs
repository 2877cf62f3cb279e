using Keras.Constraints;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Conv2D(filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
    /// dilation_rate=(1, 1), groups=1, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
    /// bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
    /// kernel_constraint=None, bias_constraint=None)</c>. The kernel has Keras' layout (kh, kw, in/groups, out) in both
    /// data formats; "same" padding follows Keras/TF (extra padding after). data_format null means the global image
    /// data format.
    /// </summary>
    [KerasClass("Conv2D", "Convolution2D")]
    public sealed class Conv2D : BaseConv
    {
        /// <summary>Creates the layer with a square kernel, strides and dilation.</summary>
        public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", string? dataFormat = null, int dilationRate = 1,
            int groups = 1, string? activation = null, bool useBias = true, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : this(filters, (kernelSize, kernelSize), (strides, strides), padding, dataFormat, (dilationRate, dilationRate), groups, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint, name,
                trainable, dtype)
        {
        }

        /// <summary>Creates the layer (strides and dilation default to (1, 1)).</summary>
        public Conv2D(int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
            string? dataFormat = null, (int Height, int Width)? dilationRate = null, int groups = 1, string? activation = null, bool useBias = true,
            Initializer? kernelInitializer = null, Initializer? biasInitializer = null, Regularizer? kernelRegularizer = null,
            Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null, Constraint? kernelConstraint = null,
            Constraint? biasConstraint = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(2, filters, new[] { kernelSize.Height, kernelSize.Width }, Pair(strides), padding, dataFormat, Pair(dilationRate), groups, activation,
                useBias, kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint,
                name, trainable, dtype)
        {
        }

        internal static int[] Pair((int Height, int Width)? value) => value is { } v ? new[] { v.Height, v.Width } : new[] { 1, 1 };

        /// <summary>Kernel height and width.</summary>
        public (int Height, int Width) KernelSize => (KernelSizeValues[0], KernelSizeValues[1]);
        /// <summary>Strides.</summary>
        public (int Height, int Width) Strides => (StridesValues[0], StridesValues[1]);
        /// <summary>Dilation rate (height, width).</summary>
        public (int Height, int Width) DilationRate => (DilationValues[0], DilationValues[1]);

        internal static Conv2D FromConfig(ConfigReader c)
        {
            var a = new Args(c, 2, allowCausal: false);
            return new Conv2D(a.Filters, (a.KernelSize[0], a.KernelSize[1]), (a.Strides[0], a.Strides[1]), a.Padding, a.DataFormat,
                (a.DilationRate[0], a.DilationRate[1]), a.Groups, a.Activation, a.UseBias, a.KernelInitializer, a.BiasInitializer, a.KernelRegularizer,
                a.BiasRegularizer, null, a.KernelConstraint, a.BiasConstraint, a.Name);
        }
    }
}

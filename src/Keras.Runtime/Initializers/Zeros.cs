using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.Zeros()</c>: all zeros.</summary>
    [KerasClass("Zeros")]
    public sealed class Zeros : Initializer
    {
        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => zeros(shape, Interop.Dtypes.ToScalarType(dtype));

        internal static Zeros FromConfig(ConfigReader config) => new Zeros();
    }
}

using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary><c>keras.initializers.Ones()</c>: all ones.</summary>
    [KerasClass("Ones")]
    public sealed class Ones : Initializer
    {
        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype) => ones(shape, Interop.Dtypes.ToScalarType(dtype));

        internal static Ones FromConfig(ConfigReader config) => new Ones();
    }
}

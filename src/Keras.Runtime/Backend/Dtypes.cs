using Keras.Errors;
using TorchSharp;

namespace Keras.Interop
{
    /// <summary>Keras dtype names ↔ TorchSharp scalar types.</summary>
    internal static class Dtypes
    {
        public static torch.ScalarType ToScalarType(string dtype) => dtype switch
        {
            "float16" => torch.ScalarType.Float16,
            "bfloat16" => torch.ScalarType.BFloat16,
            "float32" => torch.ScalarType.Float32,
            "float64" => torch.ScalarType.Float64,
            "uint8" => torch.ScalarType.Byte,
            "int8" => torch.ScalarType.Int8,
            "int16" => torch.ScalarType.Int16,
            "int32" => torch.ScalarType.Int32,
            "int64" => torch.ScalarType.Int64,
            "bool" => torch.ScalarType.Bool,
            "complex64" => torch.ScalarType.ComplexFloat32,
            "complex128" => torch.ScalarType.ComplexFloat64,
            _ => throw new KerasArgumentException($"The dtype '{dtype}' has no TorchSharp equivalent in this runtime."),
        };

        public static string FromScalarType(torch.ScalarType type) => type switch
        {
            torch.ScalarType.Float16 => "float16",
            torch.ScalarType.BFloat16 => "bfloat16",
            torch.ScalarType.Float32 => "float32",
            torch.ScalarType.Float64 => "float64",
            torch.ScalarType.Byte => "uint8",
            torch.ScalarType.Int8 => "int8",
            torch.ScalarType.Int16 => "int16",
            torch.ScalarType.Int32 => "int32",
            torch.ScalarType.Int64 => "int64",
            torch.ScalarType.Bool => "bool",
            torch.ScalarType.ComplexFloat32 => "complex64",
            torch.ScalarType.ComplexFloat64 => "complex128",
            _ => type.ToString().ToLowerInvariant(),
        };

        /// <summary>Bytes per element of a Keras dtype name.</summary>
        public static int ElementSize(string dtype) => dtype switch
        {
            "float16" or "bfloat16" or "int16" or "uint16" => 2,
            "float64" or "int64" or "uint64" or "complex64" => 8,
            "complex128" => 16,
            "uint8" or "int8" or "bool" => 1,
            _ => 4,
        };

        public static bool IsFloating(torch.ScalarType type) =>
            type == torch.ScalarType.Float16 || type == torch.ScalarType.BFloat16 ||
            type == torch.ScalarType.Float32 || type == torch.ScalarType.Float64;
    }
}

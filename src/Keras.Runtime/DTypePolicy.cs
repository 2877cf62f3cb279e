using System;
using Keras.Errors;
using Keras.Shared;

namespace Keras
{
    /// <summary>
    /// Keras' <c>keras.DTypePolicy</c>: the dtype a layer computes in and the dtype of its variables.
    /// "mixed_float16" computes in float16 with float32 variables; "mixed_bfloat16" likewise with bfloat16; any dtype
    /// name (with Keras' aliases) uses that dtype for both.
    /// </summary>
    public sealed class DTypePolicy : IEquatable<DTypePolicy>
    {
        /// <summary>Creates a policy; <paramref name="name"/> null means the global policy's name.</summary>
        public DTypePolicy(string? name = null)
        {
            name ??= Config.DtypePolicy().Name;
            (ComputeDtype, VariableDtype) = Parse(name);
            Name = name;
        }

        private DTypePolicy(string name, string compute, string variable)
        {
            Name = name;
            ComputeDtype = compute;
            VariableDtype = variable;
        }

        /// <summary>The name as given (e.g. "mixed_float16").</summary>
        public string Name { get; }

        /// <summary>The dtype layers compute in.</summary>
        public string ComputeDtype { get; }

        /// <summary>The dtype of layer variables.</summary>
        public string VariableDtype { get; }

        /// <summary>Always null: quantized policies are not supported by this runtime.</summary>
        public string? QuantizationMode => null;

        /// <summary>Keras' <c>get_config()</c>: the policy's name.</summary>
        public string GetConfigName() => Name;

        internal static DTypePolicy FromFloatx(string floatx) => new DTypePolicy(floatx, floatx, floatx);

        internal static (string Compute, string Variable) Parse(string name)
        {
            if (name == "mixed_float16") return ("float16", "float32");
            if (name == "mixed_bfloat16") return ("bfloat16", "float32");
            if (KerasFacts.IsQuantizedPolicyName(name))
                throw new KerasArgumentException(
                    $"Quantized dtype policies such as '{name}' are not supported by KerasTooling yet. " +
                    "Use 'mixed_float16', 'mixed_bfloat16' or a float dtype such as 'float32'.");
            string? dtype = KerasFacts.StandardizeDtype(name);
            if (dtype == null)
            {
                string? hint = KerasFacts.DidYouMean(name, KerasFacts.MixedPolicies) ?? KerasFacts.DidYouMean(name, KerasFacts.FloatxValues);
                throw new KerasArgumentException(
                    $"Cannot convert '{name}' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', " +
                    "'mixed_bfloat16', and the name of any float dtype such as 'float32'." +
                    (hint != null ? $" Did you mean '{hint}'?" : ""));
            }
            return (dtype, dtype);
        }

        /// <inheritdoc />
        public bool Equals(DTypePolicy? other) => other is not null && other.Name == Name;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is DTypePolicy p && Equals(p);

        /// <inheritdoc />
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Name);

        /// <summary>Keras' repr: <c>&lt;DTypePolicy "mixed_float16"&gt;</c>.</summary>
        public override string ToString() => $"<DTypePolicy \"{Name}\">";

        /// <summary>Equality by name, as Keras.</summary>
        public static bool operator ==(DTypePolicy? a, DTypePolicy? b) => a is null ? b is null : a.Equals(b);

        /// <summary>Inequality by name.</summary>
        public static bool operator !=(DTypePolicy? a, DTypePolicy? b) => !(a == b);
    }
}

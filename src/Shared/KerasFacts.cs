// One source of truth for Keras' allowed configuration values, defaults, legacy keys and the "did you mean"
// distance. This file is compiled into Keras.Runtime, Keras.SourceGen and Keras.Analyzers (linked, not copied), so
// runtime validation, keras.json diagnostics and code fixes cannot disagree. netstandard2.0-compatible on purpose.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace Keras.Shared
{
    internal static class KerasFacts
    {
        // ---- defaults (keras/src/backend/config.py module variables) ----
        public const string DefaultFloatx = "float32";
        public const double DefaultEpsilon = 1e-7;
        public const string DefaultImageDataFormat = "channels_last";
        /// <summary>This runtime's default (and only) backend. Keras' own default is "tensorflow".</summary>
        public const string DefaultBackend = "torch";

        // ---- keys ----
        public const string KeyFloatx = "floatx";
        public const string KeyEpsilon = "epsilon";
        public const string KeyBackend = "backend";
        public const string KeyImageDataFormat = "image_data_format";
        public const string KeyNnxEnabled = "nnx_enabled";

        /// <summary>Keys Keras 3 reads from keras.json, in the order Keras writes them (nnx_enabled is read, never written).</summary>
        public static readonly string[] KnownKeys = { KeyFloatx, KeyEpsilon, KeyBackend, KeyImageDataFormat, KeyNnxEnabled };

        /// <summary>Values accepted by <c>set_floatx</c>.</summary>
        public static readonly string[] FloatxValues = { "bfloat16", "float16", "float32", "float64" };

        /// <summary>Values accepted for "floatx" in keras.json: Keras' import-time check omits bfloat16.</summary>
        public static readonly string[] KerasJsonFloatxValues = { "float16", "float32", "float64" };

        public static readonly string[] ImageDataFormats = { "channels_first", "channels_last" };

        /// <summary>Every backend name Keras knows, in Keras' message order.</summary>
        public static readonly string[] KerasBackends = { "tensorflow", "jax", "torch", "numpy", "openvino" };

        /// <summary>Backends this runtime can run.</summary>
        public static readonly string[] SupportedBackends = { "torch" };

        /// <summary>Mixed-precision policy names (besides plain dtype names).</summary>
        public static readonly string[] MixedPolicies = { "mixed_float16", "mixed_bfloat16" };

        /// <summary>Quantization prefixes Keras recognises in policy names (int8_from_mixed_bfloat16, ...).</summary>
        public static readonly string[] QuantizationModes = { "int8", "float8", "int4", "gptq", "awq" };

        /// <summary>Dtype names Keras' standardize_dtype accepts, and the aliases it maps.</summary>
        public static readonly string[] DtypeNames =
        {
            "float16", "float32", "float64", "bfloat16", "uint8", "uint16", "uint32", "uint64",
            "int8", "int16", "int32", "int64", "bool", "complex64", "complex128", "string",
        };

        public static readonly KeyValuePair<string, string>[] DtypeAliases =
        {
            new KeyValuePair<string, string>("float", "float32"),
            new KeyValuePair<string, string>("double", "float64"),
            new KeyValuePair<string, string>("int", "int64"),
            new KeyValuePair<string, string>("half", "float16"),
        };

        /// <summary>Keras 1/2 keys with their modern meaning.</summary>
        public static readonly KeyValuePair<string, string>[] LegacyKeys =
        {
            new KeyValuePair<string, string>("image_dim_ordering",
                "\"image_dim_ordering\" is a Keras 1 key: use \"image_data_format\" (\"th\" -> \"channels_first\", \"tf\" -> \"channels_last\")"),
        };

        /// <summary>Maps a legacy image_dim_ordering value to the modern image_data_format, or null.</summary>
        public static string? ImageDataFormatForLegacyOrdering(string value) =>
            value == "th" ? "channels_first" : value == "tf" ? "channels_last" : null;

        public static bool IsFloatx(string? value) => Contains(FloatxValues, value);

        public static bool IsKerasJsonFloatx(string? value) => Contains(KerasJsonFloatxValues, value);

        /// <summary>set_image_data_format lowercases its argument first; keras.json does not.</summary>
        public static string? NormalizeImageDataFormat(string? value)
        {
            if (value == null) return null;
            string lower = value.ToLowerInvariant();
            return Contains(ImageDataFormats, lower) ? lower : null;
        }

        /// <summary>Keras 3's whole-model archive extension (<c>model.save</c>, <c>load_model</c>).</summary>
        public const string ModelFileExtension = ".keras";

        /// <summary>Keras 3's weights-only file extension (<c>save_weights</c> without sharding).</summary>
        public const string WeightsFileExtension = ".weights.h5";

        /// <summary>A path in the legacy HDF5 model format (<c>.h5</c>, <c>.hdf5</c>), which this runtime neither writes nor reads as a model.</summary>
        public static bool IsLegacyH5Path(string path) =>
            path.EndsWith(".h5", StringComparison.Ordinal) || path.EndsWith(".hdf5", StringComparison.Ordinal);

        public static bool IsKnownBackend(string? value) => Contains(KerasBackends, value);

        public static bool IsSupportedBackend(string? value) => Contains(SupportedBackends, value);

        /// <summary>keras.json / KERAS_BACKEND naming a backend Keras knows but this runtime cannot run.</summary>
        public static string UnsupportedBackendMessage(string value) =>
            "backend \"" + value + "\" is a Keras backend that KerasTooling cannot run: it runs Keras on TorchSharp, so its only backend is \"torch\".";

        /// <summary>keras.json / KERAS_BACKEND naming a backend Keras does not know (Keras' import error, with a hint).</summary>
        public static string UnknownBackendMessage(string? value, string repr)
        {
            string? near = DidYouMean(value, KerasBackends);
            return "Unable to import backend : " + repr + ". Available backends are ('tensorflow', 'jax', 'torch', 'numpy' and 'openvino'); " +
                   "KerasTooling runs \"torch\"." + (near != null ? " Did you mean \"" + near + "\"?" : "");
        }

        /// <summary>What <c>Keras.Config.SetBackend(value)</c> rejects (the runtime throws it, KERAS003 reports it), or null.</summary>
        public static string? SetBackendProblem(string? value)
        {
            if (IsSupportedBackend(value)) return null;
            if (IsKnownBackend(value))
                return "The '" + value + "' backend is not available in KerasTooling: this runtime runs Keras on TorchSharp, so its only backend is 'torch'.";
            string? near = DidYouMean(value, KerasBackends);
            return "Available backends are ('tensorflow', 'jax', 'torch', 'numpy' and 'openvino'). Received: backend=" + (value ?? "None") +
                   (near != null ? ". Did you mean '" + near + "'?" : "");
        }

        /// <summary>Standardizes a dtype name (with Keras' aliases), or returns null if Keras would reject it.</summary>
        public static string? StandardizeDtype(string? name)
        {
            if (name == null) return null;
            foreach (var alias in DtypeAliases)
                if (alias.Key == name) return alias.Value;
            return Contains(DtypeNames, name) ? name : null;
        }

        /// <summary>True if Keras' DTypePolicy parser accepts the name (mixed_* or any dtype name).</summary>
        public static bool IsValidPolicyName(string? name) =>
            name != null && (Contains(MixedPolicies, name) || StandardizeDtype(name) != null);

        /// <summary>True if the name is a quantized policy name such as "int8_from_mixed_bfloat16".</summary>
        public static bool IsQuantizedPolicyName(string? name)
        {
            if (name == null) return false;
            foreach (var mode in QuantizationModes)
                if (name.StartsWith(mode + "_from_", StringComparison.Ordinal) || name == mode) return true;
            return false;
        }

        /// <summary>Epsilon must be a positive, finite number for the fuzz factor to make sense.</summary>
        public static bool IsValidEpsilon(double value) => !double.IsNaN(value) && !double.IsInfinity(value) && value > 0;

        /// <summary>Does <paramref name="epsilon"/> round to zero in the given float type?</summary>
        public static bool UnderflowsIn(double epsilon, string floatx)
        {
            // Smallest positive subnormals: float16 5.96e-8, bfloat16 9.18e-41, float32 1.4e-45.
            switch (floatx)
            {
                case "float16": return epsilon > 0 && epsilon < 5.960464477539063e-8 / 2;
                case "bfloat16": return epsilon > 0 && epsilon < 9.183549615799121e-41 / 2;
                case "float32": return epsilon > 0 && epsilon < 1.401298464324817e-45 / 2;
                default: return false;
            }
        }

        /// <summary>Formats a set as Keras prints a Python set of strings: {'a', 'b'}.</summary>
        public static string PythonSet(IEnumerable<string> values)
        {
            var parts = new List<string>();
            foreach (var v in values) parts.Add("'" + v + "'");
            return "{" + string.Join(", ", parts) + "}";
        }

        /// <summary>The closest candidate within a small edit distance, or null: powers every "did you mean".</summary>
        public static string? DidYouMean(string? value, IEnumerable<string> candidates)
        {
            if (string.IsNullOrEmpty(value)) return null;
            string lower = value!.ToLowerInvariant();
            string? best = null;
            int bestDistance = int.MaxValue, bestExact = int.MaxValue;
            foreach (var candidate in candidates)
            {
                int d = EditDistance(lower, candidate.ToLowerInvariant());
                if (d > bestDistance) continue;
                // Ties go to the spelling closest in case too ("acuracy" means "accuracy", not "Accuracy").
                int exact = EditDistance(value, candidate);
                if (d < bestDistance || exact < bestExact)
                {
                    bestDistance = d;
                    bestExact = exact;
                    best = candidate;
                }
            }
            if (best == null) return null;
            int allowed = Math.Max(2, best.Length / 3);
            return bestDistance <= allowed ? best : null;
        }

        /// <summary>Optimal string alignment distance (Levenshtein plus adjacent transpositions).</summary>
        public static int EditDistance(string a, string b)
        {
            var d = new int[a.Length + 1, b.Length + 1];
            for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
            for (int j = 0; j <= b.Length; j++) d[0, j] = j;
            for (int i = 1; i <= a.Length; i++)
            {
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                    if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                        d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
            return d[a.Length, b.Length];
        }

        /// <summary>Python's repr of a float, as Keras messages print it (1e-07, 0.001, 1.0, 1e+16).</summary>
        public static string PythonFloat(double value)
        {
            if (double.IsNaN(value)) return "nan";
            if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
            if (value == 0) return (1 / value) < 0 ? "-0.0" : "0.0";
            string sign = value < 0 ? "-" : "";
            string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
            string mantissa = r;
            int exponent = 0;
            int e = r.IndexOf('E');
            if (e >= 0)
            {
                mantissa = r.Substring(0, e);
                exponent = int.Parse(r.Substring(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            }
            int point = mantissa.IndexOf('.');
            string digits = point >= 0 ? mantissa.Remove(point, 1) : mantissa;
            int intDigits = point >= 0 ? point : mantissa.Length;
            int lead = 0;
            while (lead < digits.Length - 1 && digits[lead] == '0') lead++;
            digits = digits.Substring(lead).TrimEnd('0');
            if (digits.Length == 0) digits = "0";
            int exp10 = exponent + intDigits - 1 - lead; // decimal exponent of the first significant digit
            if (exp10 >= -4 && exp10 < 16)
            {
                string text;
                if (exp10 < 0) text = "0." + new string('0', -exp10 - 1) + digits;
                else if (digits.Length <= exp10 + 1) text = digits + new string('0', exp10 + 1 - digits.Length) + ".0";
                else text = digits.Substring(0, exp10 + 1) + "." + digits.Substring(exp10 + 1);
                return sign + text;
            }
            string m = digits.Length > 1 ? digits.Substring(0, 1) + "." + digits.Substring(1) : digits;
            return sign + m + "e" + (exp10 < 0 ? "-" : "+") + Math.Abs(exp10).ToString("00", CultureInfo.InvariantCulture);
        }

        private static bool Contains(string[] values, string? value)
        {
            if (value == null) return false;
            foreach (var v in values)
                if (string.Equals(v, value, StringComparison.Ordinal)) return true;
            return false;
        }
    }
}

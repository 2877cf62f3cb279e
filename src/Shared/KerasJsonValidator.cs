// keras.json validation shared by Keras.Runtime (the file in KERAS_HOME / ~/.keras), Keras.SourceGen (the baked
// values) and Keras.Analyzers (KERAS004/005/007 diagnostics located in the file), so they can never disagree.
// netstandard2.0-compatible; never throws for any input text.
using System;
using System.Collections.Generic;

namespace Keras.Shared
{
    internal enum KerasJsonSeverity
    {
        Error,
        Warning,
    }

    /// <summary>One problem in a keras.json, with its exact place in the text.</summary>
    internal sealed class KerasJsonFinding
    {
        public KerasJsonFinding(string id, KerasJsonSeverity severity, string message, JsonPosition start, int length, string? key)
        {
            Id = id;
            Severity = severity;
            Message = message;
            Start = start;
            Length = length;
            Key = key;
        }

        /// <summary>KERAS004 (invalid), KERAS005 (suspicious key), KERAS007 (epsilon underflow).</summary>
        public string Id { get; }
        public KerasJsonSeverity Severity { get; }
        public string Message { get; }
        public JsonPosition Start { get; }
        public int Length { get; }
        public string? Key { get; }
    }

    /// <summary>The values a keras.json resolves to (Keras' defaults for missing keys).</summary>
    internal sealed class KerasJsonValues
    {
        public string Floatx = KerasFacts.DefaultFloatx;
        public double Epsilon = KerasFacts.DefaultEpsilon;
        public string ImageDataFormat = KerasFacts.DefaultImageDataFormat;
        public string Backend = KerasFacts.DefaultBackend;
        public bool NnxEnabled;

        /// <summary>Where "floatx" is in the file (for KERAS001), or null when the key is absent.</summary>
        public JsonNode? FloatxNode;

        /// <summary>False when any error was found (then the values are Keras' defaults where the error was).</summary>
        public bool IsValid = true;
    }

    internal static class KerasJsonValidator
    {
        public const string InvalidId = "KERAS004";
        public const string SuspiciousKeyId = "KERAS005";
        public const string EpsilonUnderflowId = "KERAS007";

        /// <summary>The largest keras.json read (characters); a larger file is one KERAS004 and is not parsed.</summary>
        public const int MaxChars = 1 << 20;

        /// <summary>Unknown and duplicate keys reported one by one; the rest are summed up in one more finding.</summary>
        public const int MaxKeyFindings = 20;

        /// <summary>
        /// Validates <paramref name="text"/>. With <paramref name="checkedIn"/> (a project's keras.json, baked into the
        /// build) a backend Keras knows but this runtime cannot run is an error and suspicious keys are reported; for the
        /// user's ~/.keras/keras.json at run time (written by Python Keras too) such a backend is a warning with a
        /// fallback to torch, and keys Keras ignores are ignored.
        /// </summary>
        public static KerasJsonValues Validate(string text, bool checkedIn, List<KerasJsonFinding> findings)
        {
            var values = new KerasJsonValues();
            text = text ?? "";
            if (text.Length > MaxChars)
            {
                // Keras' file is five short keys: anything this large is not a keras.json, and parsing it would slow every build.
                findings.Add(new KerasJsonFinding(InvalidId, KerasJsonSeverity.Error,
                    "keras.json is " + text.Length + " characters long, more than the " + MaxChars + " this runtime reads (Keras' own file holds five " +
                    "short keys), so it was not read and Keras' defaults apply. Replace it with a real keras.json.",
                    new JsonPosition(0, 1, 1), 0, null));
                values.IsValid = false;
                return values;
            }
            var root = JsonPositionReader.Parse(text, out var syntaxError);
            if (root == null)
            {
                var at = syntaxError!.Position;
                findings.Add(new KerasJsonFinding(InvalidId, KerasJsonSeverity.Error,
                    "keras.json is not valid JSON: " + syntaxError.Message + ".", at, at.Offset < text.Length ? 1 : 0, null));
                values.IsValid = false;
                return values;
            }
            if (root.Kind != JsonKind.Object)
            {
                findings.Add(new KerasJsonFinding(InvalidId, KerasJsonSeverity.Error,
                    "keras.json must hold a JSON object such as {\"floatx\": \"float32\"}, but it holds a " + root.PythonTypeName + ".",
                    root.Start, root.Length, null));
                values.IsValid = false;
                return values;
            }

            var last = new Dictionary<string, JsonMember>(StringComparer.Ordinal);
            var keyFindings = new List<KerasJsonFinding>();
            int suppressed = 0;
            foreach (var m in root.Members!)
            {
                bool report = keyFindings.Count < MaxKeyFindings;
                if (checkedIn && last.ContainsKey(m.Name))
                {
                    if (report)
                        keyFindings.Add(new KerasJsonFinding(SuspiciousKeyId, KerasJsonSeverity.Warning,
                            "Duplicate key \"" + m.Name + "\": Keras uses the last one, so the earlier value is ignored.",
                            m.Key.Start, m.Key.Length, m.Name));
                    else suppressed++;
                }
                last[m.Name] = m;
                if (checkedIn && !IsKnownKey(m.Name))
                {
                    if (keyFindings.Count < MaxKeyFindings) ReportUnknownKey(m, text, keyFindings);
                    else suppressed++;
                }
            }
            findings.AddRange(keyFindings);
            if (suppressed > 0)
            {
                var lastShown = keyFindings[keyFindings.Count - 1];
                findings.Add(new KerasJsonFinding(SuspiciousKeyId, KerasJsonSeverity.Warning,
                    "... and " + suppressed + " more unknown or duplicate keys (only the first " + MaxKeyFindings + " are reported). Keras reads five keys: " +
                    "floatx, epsilon, backend, image_data_format and nnx_enabled.", lastShown.Start, lastShown.Length, null));
            }

            if (last.TryGetValue(KerasFacts.KeyFloatx, out var floatx)) CheckFloatx(floatx, text, values, findings);
            if (last.TryGetValue(KerasFacts.KeyEpsilon, out var epsilon)) CheckEpsilon(epsilon, text, values, findings);
            if (last.TryGetValue(KerasFacts.KeyBackend, out var backend)) CheckBackend(backend, text, checkedIn, values, findings);
            if (last.TryGetValue(KerasFacts.KeyImageDataFormat, out var idf)) CheckImageDataFormat(idf, text, values, findings);
            if (last.TryGetValue(KerasFacts.KeyNnxEnabled, out var nnx)) values.NnxEnabled = PythonTruthy(nnx.Value);

            if (values.IsValid && epsilon != null && KerasFacts.UnderflowsIn(values.Epsilon, values.Floatx))
                findings.Add(new KerasJsonFinding(EpsilonUnderflowId, KerasJsonSeverity.Warning,
                    "epsilon " + KerasFacts.PythonFloat(values.Epsilon) + " rounds to 0 in " + values.Floatx +
                    ", so divisions guarded by it can divide by zero. Use a larger epsilon (e.g. 1e-04 for float16) or a wider floatx.",
                    epsilon.Value.Start, epsilon.Value.Length, KerasFacts.KeyEpsilon));
            return values;
        }

        private static bool IsKnownKey(string name)
        {
            foreach (var k in KerasFacts.KnownKeys)
                if (k == name) return true;
            return false;
        }

        private static void ReportUnknownKey(JsonMember m, string text, List<KerasJsonFinding> findings)
        {
            foreach (var legacy in KerasFacts.LegacyKeys)
            {
                if (legacy.Key != m.Name) continue;
                string extra = "";
                if (m.Value.Kind == JsonKind.String)
                {
                    string? modern = KerasFacts.ImageDataFormatForLegacyOrdering(m.Value.StringValue ?? "");
                    if (modern != null) extra = " Here: \"image_data_format\": \"" + modern + "\".";
                }
                findings.Add(new KerasJsonFinding(SuspiciousKeyId, KerasJsonSeverity.Warning,
                    legacy.Value + "; Keras 3 ignores it." + extra, m.Key.Start, m.Key.Length, m.Name));
                return;
            }
            string? near = KerasFacts.DidYouMean(m.Name, KerasFacts.KnownKeys);
            findings.Add(new KerasJsonFinding(SuspiciousKeyId, KerasJsonSeverity.Warning,
                "Unknown key \"" + m.Name + "\": Keras ignores it." + (near != null ? " Did you mean \"" + near + "\"?" : ""),
                m.Key.Start, m.Key.Length, m.Name));
        }

        private static void Error(KerasJsonValues values, List<KerasJsonFinding> findings, JsonMember m, string message)
        {
            values.IsValid = false;
            findings.Add(new KerasJsonFinding(InvalidId, KerasJsonSeverity.Error, message, m.Value.Start, m.Value.Length, m.Name));
        }

        private static string Hint(string? value, string[] candidates)
        {
            string? near = KerasFacts.DidYouMean(value, candidates);
            return near != null ? " Did you mean \"" + near + "\"?" : "";
        }

        private static void CheckFloatx(JsonMember m, string text, KerasJsonValues values, List<KerasJsonFinding> findings)
        {
            values.FloatxNode = m.Value;
            string? value = m.Value.Kind == JsonKind.String ? m.Value.StringValue : null;
            if (KerasFacts.IsKerasJsonFloatx(value))
            {
                values.Floatx = value!;
                return;
            }
            string hint = value == "bfloat16"
                ? " keras.json does not accept bfloat16 (Keras' own check); call Keras.Config.SetFloatx(\"bfloat16\") in code, or use the mixed_bfloat16 policy."
                : Hint(value, KerasFacts.KerasJsonFloatxValues);
            Error(values, findings, m,
                "Invalid `floatx` configuration. Expected one of " + KerasFacts.PythonSet(KerasFacts.KerasJsonFloatxValues) +
                ". Received: floatx=" + m.Value.PythonRepr(text) + "." + hint);
        }

        private static void CheckEpsilon(JsonMember m, string text, KerasJsonValues values, List<KerasJsonFinding> findings)
        {
            if (!m.Value.IsPythonFloat)
            {
                string hint = m.Value.Kind == JsonKind.Number
                    ? " Write it as a float, e.g. " + m.Value.NumberText + ".0 (Keras rejects JSON integers here)."
                    : "";
                Error(values, findings, m, "Invalid `epsilon` configuration. Expected a float. Received: epsilon=" + m.Value.PythonRepr(text) + "." + hint);
                return;
            }
            double eps = m.Value.NumberValue;
            if (!KerasFacts.IsValidEpsilon(eps))
            {
                Error(values, findings, m,
                    "Invalid `epsilon` configuration. Expected a positive, finite float. Received: epsilon=" + m.Value.PythonRepr(text) + ".");
                return;
            }
            values.Epsilon = eps;
        }

        private static void CheckImageDataFormat(JsonMember m, string text, KerasJsonValues values, List<KerasJsonFinding> findings)
        {
            // keras.json must hold the exact value: unlike set_image_data_format, Keras does not lowercase it here.
            string? value = m.Value.Kind == JsonKind.String ? m.Value.StringValue : null;
            if (value == "channels_last" || value == "channels_first")
            {
                values.ImageDataFormat = value;
                return;
            }
            Error(values, findings, m,
                "Invalid `image_data_format` configuration. Expected one of {'channels_last', 'channels_first'}. Received: image_data_format=" +
                m.Value.PythonRepr(text) + "." + Hint(value, KerasFacts.ImageDataFormats));
        }

        private static void CheckBackend(JsonMember m, string text, bool checkedIn, KerasJsonValues values, List<KerasJsonFinding> findings)
        {
            string? value = m.Value.Kind == JsonKind.String ? m.Value.StringValue : null;
            if (value != null && KerasFacts.IsSupportedBackend(value))
            {
                values.Backend = value;
                return;
            }
            if (value != null && KerasFacts.IsKnownBackend(value))
            {
                string message = KerasFacts.UnsupportedBackendMessage(value);
                if (checkedIn)
                {
                    Error(values, findings, m, message + " Use \"backend\": \"torch\".");
                }
                else
                {
                    values.Backend = KerasFacts.DefaultBackend;
                    findings.Add(new KerasJsonFinding(InvalidId, KerasJsonSeverity.Warning,
                        message + " Using \"torch\"; set it to \"torch\" (or set KERAS_BACKEND=torch) to silence this warning.",
                        m.Value.Start, m.Value.Length, m.Name));
                }
                return;
            }
            Error(values, findings, m, KerasFacts.UnknownBackendMessage(value, m.Value.PythonRepr(text)));
        }

        /// <summary>Python's bool() of a JSON value.</summary>
        private static bool PythonTruthy(JsonNode node)
        {
            switch (node.Kind)
            {
                case JsonKind.True: return true;
                case JsonKind.String: return !string.IsNullOrEmpty(node.StringValue);
                case JsonKind.Number: return node.NumberValue != 0;
                case JsonKind.Object: return node.Members!.Count > 0;
                case JsonKind.Array: return node.Items!.Count > 0;
                default: return false;
            }
        }
    }
}

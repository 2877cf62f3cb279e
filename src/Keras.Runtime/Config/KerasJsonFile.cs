using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Keras.Shared;

namespace Keras.Configuration
{
    /// <summary>The module-level configuration Keras computes at import (keras/src/backend/config.py).</summary>
    internal sealed class KerasSettings
    {
        public string Floatx = KerasFacts.DefaultFloatx;
        public double Epsilon = KerasFacts.DefaultEpsilon;
        public string ImageDataFormat = KerasFacts.DefaultImageDataFormat;
        public string Backend = KerasFacts.DefaultBackend;
        public bool NnxEnabled;
        public int? MaxEpochs;
        public int? MaxStepsPerEpoch;

        /// <summary>The keras.json that was read, or null (baked values, or no file).</summary>
        public string? ConfigPath;

        /// <summary>Where the values came from, for people reading logs: "baked:...", a path, or "defaults".</summary>
        public string Source = "defaults";

        /// <summary>Things Keras would warn about (printed once by the caller).</summary>
        public readonly List<string> Warnings = new List<string>();

        /// <summary>The warning about the backend's source, replaced when a later source (KERAS_BACKEND) decides it.</summary>
        public string? BackendWarning;

        /// <summary>Every warning to print.</summary>
        public IEnumerable<string> AllWarnings => BackendWarning == null ? Warnings : Warnings.Concat(new[] { BackendWarning });

        public KerasSettings Clone()
        {
            var c = (KerasSettings)MemberwiseClone();
            return c;
        }
    }

    /// <summary>Values baked into the app at build time by Keras.SourceGen (they replace ~/.keras/keras.json).</summary>
    internal sealed class BakedValues
    {
        public BakedValues(string floatx, double epsilon, string imageDataFormat, string backend, string sourcePath)
        {
            Floatx = floatx;
            Epsilon = epsilon;
            ImageDataFormat = imageDataFormat;
            Backend = backend;
            SourcePath = sourcePath;
        }

        public string Floatx { get; }
        public double Epsilon { get; }
        public string ImageDataFormat { get; }
        public string Backend { get; }
        public string SourcePath { get; }
    }

    /// <summary>
    /// keras.json at run time, as Keras resolves it: <c>KERAS_HOME</c> (verbatim) or <c>~/.keras</c>, with
    /// <c>/tmp/.keras</c> when home is not writable; the file is read if present and created with the defaults only
    /// when missing (atomically); then <c>KERAS_BACKEND</c>, <c>KERAS_MAX_EPOCHS</c>, <c>KERAS_MAX_STEPS_PER_EPOCH</c>
    /// and <c>KERAS_NNX_ENABLED</c> apply. Unlike Python Keras, a malformed file is an error (Keras silently ignores
    /// it), so a typo never trains with settings nobody chose.
    /// </summary>
    internal static class KerasJsonFile
    {
        public const string FileName = "keras.json";

        /// <summary>The folder Keras uses (keras.config.keras_home()).</summary>
        public static string KerasDirectory(KerasEnvironment env)
        {
            string? kerasHome = env.GetVariable("KERAS_HOME");
            if (!string.IsNullOrEmpty(kerasHome)) return kerasHome!;
            string? home = env.HomeDirectory;
            string baseDir = home != null && env.IsWritable(home) ? home : TempRoot();
            return Path.Combine(baseDir, ".keras");
        }

        private static string TempRoot() => OperatingSystem.IsWindows() ? Path.GetTempPath() : "/tmp";

        public static string ConfigPath(KerasEnvironment env) => env.ExpandUser(Path.Combine(KerasDirectory(env), FileName));

        /// <summary>Runs Keras' import-time algorithm. Throws <see cref="KerasJsonException"/> for invalid input.</summary>
        public static KerasSettings Load(KerasEnvironment env, BakedValues? baked)
        {
            var settings = new KerasSettings();
            if (baked != null)
            {
                settings.Floatx = baked.Floatx;
                settings.Epsilon = baked.Epsilon;
                settings.ImageDataFormat = baked.ImageDataFormat;
                settings.Backend = baked.Backend;
                settings.Source = "baked:" + baked.SourcePath;
                ValidateBaked(baked, settings);
            }
            else
            {
                string dir = KerasDirectory(env);
                string path = ConfigPath(env);
                if (File.Exists(path))
                {
                    string text;
                    try
                    {
                        text = File.ReadAllText(path);
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        throw new KerasJsonException(
                            $"Could not read {path}: {e.Message}. Fix its permissions, or set KERAS_HOME to a folder " +
                            "with a readable keras.json.", path, null, 0, 0);
                    }
                    Apply(text, path, settings);
                    settings.ConfigPath = path;
                    settings.Source = path;
                }
                TryCreateDefaultFile(dir, path);
            }
            ApplyEnvironment(env, settings);
            return settings;
        }

        /// <summary>The default file Keras writes: 4-space indent, keys in Keras' order, no trailing newline.</summary>
        public static string DefaultFileContent()
        {
            var sb = new StringBuilder();
            sb.Append("{\n");
            sb.Append("    \"floatx\": \"").Append(KerasFacts.DefaultFloatx).Append("\",\n");
            sb.Append("    \"epsilon\": ").Append(KerasFacts.PythonFloat(KerasFacts.DefaultEpsilon)).Append(",\n");
            sb.Append("    \"backend\": \"").Append(KerasFacts.DefaultBackend).Append("\",\n");
            sb.Append("    \"image_data_format\": \"").Append(KerasFacts.DefaultImageDataFormat).Append("\"\n");
            sb.Append('}');
            return sb.ToString();
        }

        /// <summary>
        /// Creates keras.json with the defaults when it is missing: written to a temporary file in the same folder
        /// and renamed into place without overwriting, so a crash never leaves half a file and a file another
        /// process created meanwhile is kept. Failures are ignored, as Keras ignores them.
        /// </summary>
        public static bool TryCreateDefaultFile(string dir, string path)
        {
            try
            {
                if (!Directory.Exists(dir)) Directory.CreateDirectory(dir);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException)
            {
                return false;
            }
            if (File.Exists(path)) return false;
            string temp = Path.Combine(dir, "." + FileName + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllText(temp, DefaultFileContent(), new UTF8Encoding(false));
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
            finally
            {
                try
                {
                    if (File.Exists(temp)) File.Delete(temp);
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // best effort: a stray temp file is harmless and never read
                }
            }
        }

        /// <summary>
        /// Validates keras.json text with the shared rules (as the analyzers do) and applies its values; the first
        /// error becomes a <see cref="KerasJsonException"/> naming <paramref name="path"/>, the key, line and column.
        /// </summary>
        public static void Apply(string text, string path, KerasSettings settings)
        {
            var findings = new List<KerasJsonFinding>();
            var values = KerasJsonValidator.Validate(text, checkedIn: false, findings);
            foreach (var f in findings)
            {
                if (f.Severity == KerasJsonSeverity.Error)
                    throw Error(path, f.Key, f.Start, f.Message,
                        f.Key != null ? $"Fix the \"{f.Key}\" value." : "Fix the syntax, or delete the file to have Keras write its defaults again.");
            }
            foreach (var f in findings)
            {
                if (f.Key == KerasFacts.KeyBackend) settings.BackendWarning = $"{path}({f.Start.Line},{f.Start.Column}): {f.Message}";
            }
            settings.Floatx = values.Floatx;
            settings.Epsilon = values.Epsilon;
            settings.ImageDataFormat = values.ImageDataFormat;
            settings.Backend = values.Backend;
            settings.NnxEnabled = values.NnxEnabled;
        }

        /// <summary>
        /// Keras knows five backend names; this runtime runs "torch". Names Keras knows but this runtime cannot
        /// run (a keras.json written by Python Keras says "tensorflow") fall back to torch with a warning, so a
        /// machine shared with Python Keras keeps working; names Keras does not know are errors.
        /// </summary>
        internal static string ResolveBackend(string? value, string repr, Func<string, Exception> error, string where, KerasSettings settings)
        {
            settings.BackendWarning = null;
            if (value != null && KerasFacts.IsSupportedBackend(value)) return value;
            if (value != null && KerasFacts.IsKnownBackend(value))
            {
                settings.BackendWarning = $"{where}: {KerasFacts.UnsupportedBackendMessage(value)} Using \"torch\"; set it to \"torch\" " +
                                          "(or set KERAS_BACKEND=torch) to silence this warning.";
                return KerasFacts.DefaultBackend;
            }
            throw error(KerasFacts.UnknownBackendMessage(value, repr));
        }

        private static void ValidateBaked(BakedValues baked, KerasSettings settings)
        {
            string where = baked.SourcePath + " (baked at build time)";
            if (!KerasFacts.IsFloatx(baked.Floatx))
                throw new KerasJsonException($"{where}: invalid floatx \"{baked.Floatx}\". Rebuild the app after fixing keras.json.", baked.SourcePath, KerasFacts.KeyFloatx, 0, 0);
            if (!KerasFacts.IsValidEpsilon(baked.Epsilon))
                throw new KerasJsonException($"{where}: invalid epsilon {KerasFacts.PythonFloat(baked.Epsilon)}. Rebuild the app after fixing keras.json.", baked.SourcePath, KerasFacts.KeyEpsilon, 0, 0);
            if (KerasFacts.NormalizeImageDataFormat(baked.ImageDataFormat) != baked.ImageDataFormat)
                throw new KerasJsonException($"{where}: invalid image_data_format \"{baked.ImageDataFormat}\". Rebuild the app after fixing keras.json.", baked.SourcePath, KerasFacts.KeyImageDataFormat, 0, 0);
            settings.Backend = ResolveBackend(baked.Backend, baked.Backend,
                msg => new KerasJsonException(where + ": " + msg, baked.SourcePath, KerasFacts.KeyBackend, 0, 0), where, settings);
        }

        private static void ApplyEnvironment(KerasEnvironment env, KerasSettings settings)
        {
            string? backend = env.GetVariable("KERAS_BACKEND");
            if (!string.IsNullOrEmpty(backend))
                settings.Backend = ResolveBackend(backend, backend!,
                    msg => new KerasJsonException("Environment variable KERAS_BACKEND: " + msg + " Fix or unset KERAS_BACKEND.",
                        null, "KERAS_BACKEND", 0, 0),
                    "KERAS_BACKEND", settings);

            settings.MaxEpochs = ParseCap(env, "KERAS_MAX_EPOCHS") ?? settings.MaxEpochs;
            settings.MaxStepsPerEpoch = ParseCap(env, "KERAS_MAX_STEPS_PER_EPOCH") ?? settings.MaxStepsPerEpoch;

            string? nnx = env.GetVariable("KERAS_NNX_ENABLED");
            if (nnx != null) settings.NnxEnabled = nnx.ToLowerInvariant() is "true" or "1";
        }

        /// <summary>Python's int() of an environment variable: surrounding spaces, a sign and '_' separators allowed.</summary>
        private static int? ParseCap(KerasEnvironment env, string name)
        {
            string? raw = env.GetVariable(name);
            if (raw == null) return null;
            string s = raw.Trim();
            bool ok = s.Length > 0 && !s.StartsWith("_", StringComparison.Ordinal) && !s.EndsWith("_", StringComparison.Ordinal) &&
                      !s.Contains("__", StringComparison.Ordinal) &&
                      int.TryParse(s.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);
            if (!ok)
                throw new KerasJsonException(
                    $"Environment variable {name} must be an integer, but it is \"{raw}\" (invalid literal for int() with base 10). " +
                    $"Set it to a whole number of {(name == "KERAS_MAX_EPOCHS" ? "epochs" : "steps")}, or unset it.",
                    null, name, 0, 0);
            int value = int.Parse(s.Replace("_", ""), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (value < 0)
                throw new KerasJsonException(
                    $"Environment variable {name} is {value}; a cap must be 0 or more (0 means no cap, as in Keras). " +
                    "Set a positive number or unset it.", null, name, 0, 0);
            return value;
        }

        private static KerasJsonException Error(string path, string? key, JsonPosition at, string what, string todo) =>
            new KerasJsonException(
                $"{path}({at.Line},{at.Column}): " + (key != null ? $"key \"{key}\": " : "") + what + " " + todo +
                " (Delete the file to get Keras' defaults, or set KERAS_HOME to use another folder.)",
                path, key, at.Line, at.Column);
    }
}

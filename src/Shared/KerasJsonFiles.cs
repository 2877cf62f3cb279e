// Which AdditionalFiles are a project's keras.json, and how MSBuild tells the generator and analyzers about them.
// Shared by Keras.SourceGen and Keras.Analyzers (linked) so both pick the same file. netstandard2.0-compatible.
using System;
using System.IO;

namespace Keras.Shared
{
    internal static class KerasJsonFiles
    {
        public const string FileName = "keras.json";

        /// <summary>build_property.* names made compiler-visible by build/Keras.Runtime.targets.</summary>
        public const string BakeConfigProperty = "build_property.KerasBakeConfig";
        public const string ConfigFileProperty = "build_property.KerasConfigFileFullPath";
        public const string ProjectDirProperty = "build_property.MSBuildProjectDirectory";

        /// <summary>Item metadata build/Keras.Runtime.targets puts on the keras.json it adds to AdditionalFiles.</summary>
        public const string KerasConfigMetadata = "build_metadata.AdditionalFiles.KerasConfig";

        /// <summary>True for an additional file the project means as its keras.json.</summary>
        public static bool IsKerasConfig(string path, string? kerasConfigMetadata) =>
            string.Equals(kerasConfigMetadata, "true", StringComparison.OrdinalIgnoreCase) ||
            string.Equals(Path.GetFileName(path), FileName, StringComparison.OrdinalIgnoreCase);

        /// <summary>Baking is on unless KerasBakeConfig is "false".</summary>
        public static bool IsBakingEnabled(string? bakeConfig) =>
            !string.Equals(bakeConfig?.Trim(), "false", StringComparison.OrdinalIgnoreCase);

        /// <summary>The path as shown to users: relative to the project folder when inside it, with forward slashes.</summary>
        public static string DisplayPath(string path, string? projectDir)
        {
            string result = path;
            if (!string.IsNullOrEmpty(projectDir))
            {
                string dir = projectDir!.Replace('\\', '/').TrimEnd('/') + "/";
                string p = path.Replace('\\', '/');
                if (p.StartsWith(dir, StringComparison.OrdinalIgnoreCase)) result = p.Substring(dir.Length);
            }
            return result.Replace('\\', '/');
        }

        public static bool SamePath(string a, string b) =>
            string.Equals(Normalize(a), Normalize(b), StringComparison.Ordinal);

        private static string Normalize(string path)
        {
            try
            {
                return Path.GetFullPath(path).Replace('\\', '/').TrimEnd('/');
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
            {
                return path.Replace('\\', '/');
            }
        }
    }
}

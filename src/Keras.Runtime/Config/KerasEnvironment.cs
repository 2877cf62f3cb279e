using System;
using System.IO;

namespace Keras.Configuration
{
    /// <summary>What keras.json resolution reads from the machine: environment variables, home, writability.</summary>
    internal sealed class KerasEnvironment
    {
        public KerasEnvironment(Func<string, string?> getVariable, string? homeDirectory, Func<string, bool> isWritable)
        {
            GetVariable = getVariable;
            HomeDirectory = homeDirectory;
            IsWritable = isWritable;
        }

        public Func<string, string?> GetVariable { get; }
        public string? HomeDirectory { get; }
        public Func<string, bool> IsWritable { get; }

        public static KerasEnvironment Current { get; } = new KerasEnvironment(
            Environment.GetEnvironmentVariable,
            ResolveHome(),
            IsDirectoryWritable);

        /// <summary>Python's expanduser("~"): $HOME first, then the OS profile folder.</summary>
        private static string? ResolveHome()
        {
            string? home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home)) home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return string.IsNullOrEmpty(home) ? null : home;
        }

        /// <summary>os.access(path, W_OK) for a directory, tested by creating and deleting a probe file.</summary>
        internal static bool IsDirectoryWritable(string path)
        {
            try
            {
                if (!Directory.Exists(path)) return false;
                string probe = Path.Combine(path, ".keras-write-probe-" + Guid.NewGuid().ToString("N"));
                using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        /// <summary>Python's expanduser for a path that starts with "~".</summary>
        public string ExpandUser(string path)
        {
            if (HomeDirectory == null || path.Length == 0 || path[0] != '~') return path;
            if (path.Length == 1) return HomeDirectory;
            if (path[1] == '/' || path[1] == Path.DirectorySeparatorChar) return Path.Combine(HomeDirectory, path.Substring(2));
            return path;
        }
    }
}

using System;
using System.IO;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// Writes a file so that a crash at any instant leaves either the previous file or the complete new one: the content
    /// goes to a temporary file in the same directory, is flushed to disk, and is then renamed over the target (an atomic
    /// replace on POSIX and NTFS). A failed write deletes the temporary file and leaves the target untouched.
    /// <para>
    /// The temporary file has one fixed name per target (<c>.NAME.keras-save.tmp</c>): a save interrupted by a kill
    /// leaves at most that one file behind, and the next save of the same target reuses (overwrites) it, so repeated
    /// crashes never pile up temporary files. A target that is read-only is not replaced, and every error names the
    /// target, not the temporary file.
    /// </para>
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>The temporary file used while <paramref name="fullPath"/> is written.</summary>
        internal static string TemporaryPathFor(string fullPath) =>
            Path.Combine(Path.GetDirectoryName(fullPath) ?? ".", "." + Path.GetFileName(fullPath) + ".keras-save.tmp");

        internal static void Write(string path, Action<Stream> write)
        {
            string full = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(full) ?? ".";
            string temp = TemporaryPathFor(full);
            try
            {
                Directory.CreateDirectory(directory);
                if (File.Exists(full) && IsReadOnly(full))
                    throw new KerasInvalidOperationException(
                        $"Cannot save to {path}: the file is read-only, so it is not replaced. Make it writable or save to another path.");
                FileStream stream;
                try
                {
                    // Create (not CreateNew): a temporary file left by an interrupted save of this target is reused.
                    stream = new FileStream(temp, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
                {
                    throw new KerasFileFormatException($"Cannot save to {path}: another save of the same file is in progress ({e.Message}).", e);
                }
                using (stream)
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception e)
            {
                try
                {
                    File.Delete(temp);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
                if (e is IKerasException) throw;
                if (e is IOException or UnauthorizedAccessException)
                    throw new KerasFileFormatException($"Cannot save to {path}: {e.Message.Replace(temp, full)}", e);
                throw;
            }
        }

        private static bool IsReadOnly(string path)
        {
            if ((File.GetAttributes(path) & FileAttributes.ReadOnly) != 0) return true;
            if (OperatingSystem.IsWindows()) return false;
            // On Unix the mode bits decide: no write bit for anyone we could be means read-only.
            var mode = File.GetUnixFileMode(path);
            return (mode & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) == 0;
        }

        /// <summary>Copies <paramref name="source"/> over <paramref name="destination"/> with the same guarantee.</summary>
        internal static void Copy(string source, string destination) =>
            Write(destination, target =>
            {
                using var input = File.OpenRead(source);
                input.CopyTo(target);
            });
    }
}

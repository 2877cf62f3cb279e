using System;
using System.IO;

namespace Keras.SavingLib
{
    /// <summary>
    /// Writes a file so that a crash at any instant leaves either the previous file or the complete new one: the content
    /// goes to a temporary file in the same directory, is flushed to disk, and is then renamed over the target (an atomic
    /// replace on POSIX and NTFS). A failed write deletes the temporary file and leaves the target untouched.
    /// </summary>
    internal static class AtomicFile
    {
        internal static void Write(string path, Action<Stream> write)
        {
            string full = Path.GetFullPath(path);
            string directory = Path.GetDirectoryName(full) ?? ".";
            Directory.CreateDirectory(directory);
            string temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temp, full, overwrite: true);
            }
            catch
            {
                try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
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

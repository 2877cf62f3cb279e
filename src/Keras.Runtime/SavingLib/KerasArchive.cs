using System.IO;
using System.Linq;
using System.IO.Compression;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// The <c>.keras</c> zip archive (reference §4.1): <c>metadata.json</c>, <c>config.json</c> and
    /// <c>model.weights.h5</c>, stored uncompressed in that order.
    /// </summary>
    internal static class KerasArchive
    {
        internal const string MetadataEntry = "metadata.json";
        internal const string ConfigEntry = "config.json";
        internal const string WeightsEntry = "model.weights.h5";

        /// <summary>The Keras 3 file-format version written to metadata.json (the layout this runtime reads and writes).</summary>
        internal const string FormatVersion = "3.10.0";

        /// <summary>Writes the archive: metadata, config, then the weights produced by <paramref name="writeWeights"/>.</summary>
        internal static void Write(Stream stream, string configJson, System.Action<Stream> writeWeights)
        {
            using var weights = new MemoryStream();
            writeWeights(weights); // first, so a failure leaves nothing behind (the caller's temporary file is deleted)
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            string metadata = "{\"keras_version\": \"" + FormatVersion + "\", \"date_saved\": \"" +
                              System.DateTime.Now.ToString("yyyy-MM-dd@HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "\"}";
            WriteEntry(zip, MetadataEntry, System.Text.Encoding.UTF8.GetBytes(metadata));
            WriteEntry(zip, ConfigEntry, System.Text.Encoding.UTF8.GetBytes(configJson));
            WriteEntry(zip, WeightsEntry, weights.ToArray());
        }

        private static void WriteEntry(ZipArchive zip, string name, byte[] content)
        {
            var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
            using var output = entry.Open();
            output.Write(content, 0, content.Length);
        }

        /// <summary>Reads one entry into a seekable buffer; a path that is not a Keras zip is reported as Keras does.</summary>
        internal static MemoryStream ReadEntry(string path, string entryName) => Require(ReadEntries(path, entryName)[0], path, entryName);

        /// <summary>
        /// Reads several entries with one opening of the archive, each into a seekable buffer (null when the archive lacks
        /// it; <see cref="Require"/> turns that into Keras' error where the entry is needed).
        /// </summary>
        internal static MemoryStream?[] ReadEntries(string path, params string[] entryNames)
        {
            ZipArchive zip;
            try
            {
                zip = ZipFile.OpenRead(path);
            }
            catch (InvalidDataException e)
            {
                throw new KerasFileFormatException(
                    $"File not found: filepath={path}. Please ensure the file is an accessible `.keras` zip file. (It is not a zip archive: {e.Message} " +
                    "A legacy HDF5 model saved with a `.keras` name is not supported by Keras 3 either.)", e);
            }
            using (zip)
            {
                return entryNames.Select(name =>
                {
                    if (zip.GetEntry(name) is not { } entry) return null;
                    var buffer = new MemoryStream();
                    using (var input = entry.Open()) input.CopyTo(buffer);
                    buffer.Position = 0;
                    return buffer;
                }).ToArray();
            }
        }

        /// <summary>The entry, or the error for an archive that lacks it.</summary>
        internal static MemoryStream Require(MemoryStream? entry, string path, string entryName) =>
            entry ?? throw new KerasFileFormatException($"The archive {path} has no `{entryName}` entry: it is not a complete Keras 3 `.keras` file.");
    }
}

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

        /// <summary>The archive's entry, or Keras' error for an archive that lacks it.</summary>
        internal static ZipReader.Entry Require(ZipReader zip, string path, string entryName) =>
            zip.Find(entryName) ?? throw new KerasFileFormatException($"The archive {path} has no `{entryName}` entry: it is not a complete Keras 3 `.keras` file.");

        /// <summary>config.json (or another JSON entry), inflated within <see cref="LoadLimits.MaxJsonBytes"/> and CRC-checked.</summary>
        internal static byte[] ReadJson(ZipReader zip, string path, string entryName, LoadLimits limits) =>
            zip.ReadAll(Require(zip, path, entryName), limits.MaxJsonBytes, "LoadLimits.MaxJsonBytes");

        /// <summary>model.weights.h5 as a seekable stream (in place when stored), within <see cref="LoadLimits.MaxWeightsBytes"/>, CRC-checked.</summary>
        internal static Stream OpenWeights(ZipReader zip, string path, LoadLimits limits) =>
            zip.OpenSeekable(Require(zip, path, WeightsEntry), limits.MaxWeightsBytes, "LoadLimits.MaxWeightsBytes");
    }
}

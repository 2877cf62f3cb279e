using System;
using System.Collections.Generic;
using System.Linq;
using System.IO;
using System.IO.Compression;
using Keras.Errors;
using Keras.Shared;
using Keras.SavingLib;

namespace Keras.Models
{
    /// <summary>Keras' weight saving and loading (<c>save_weights</c>, <c>load_weights</c>; reference §4.2–4.3).</summary>
    public abstract partial class Model
    {
        /// <summary>
        /// Keras' <c>model.save_weights(filepath, overwrite=True)</c>: writes every variable of the model and, once it has
        /// stepped, its optimizer's state, in Keras 3's <c>.weights.h5</c> layout (Python Keras loads the file). The name
        /// must end in <c>.weights.h5</c>. The write is atomic: a crash leaves the previous file or the new one, never a
        /// partial file. With <paramref name="overwrite"/> false an existing file is an error (Keras would prompt).
        /// </summary>
        public void SaveWeights(string filepath, bool overwrite = true)
        {
            EnsureAlive();
            if (filepath is null || !filepath.EndsWith(KerasFacts.WeightsFileExtension, StringComparison.Ordinal))
                throw new KerasArgumentException($"The filename must end in `.weights.h5`. Received: filepath={filepath}", nameof(filepath));
            if (!Built)
                throw new KerasArgumentException(
                    "You are saving a model that has not yet been built. Try building the model first by calling it on some data or by using `build()`.");
            CheckOverwrite(filepath, overwrite);
            AtomicFile.Write(filepath, stream => WeightsFile.Write(this, stream));
        }

        /// <summary>
        /// Keras' <c>model.save(filepath, overwrite=True)</c>: writes a <c>.keras</c> archive (zip, entries stored
        /// uncompressed in Keras' order: <c>metadata.json</c>, <c>config.json</c>, <c>model.weights.h5</c>) that
        /// <see cref="Keras.Saving.LoadModel"/> and Python Keras load. The write is atomic. Saving to legacy <c>.h5</c> is not
        /// supported; other extensions fail with Keras' message.
        /// </summary>
        public void Save(string filepath, bool overwrite = true)
        {
            EnsureAlive();
            if (filepath is null) throw new KerasArgumentException("`filepath` must be a path.", nameof(filepath));
            if (KerasFacts.IsLegacyH5Path(filepath))
                throw new KerasArgumentException(
                    $"Saving to the legacy HDF5 model format is not supported by this runtime. Use a `.keras` path (Keras' native format, which Keras " +
                    $"recommends too), or SaveWeights with a `.weights.h5` path. Received: filepath={filepath}", nameof(filepath));
            if (!filepath.EndsWith(KerasFacts.ModelFileExtension, StringComparison.Ordinal))
                throw new KerasArgumentException(
                    "Invalid filepath extension for saving. Please add either a `.keras` extension for the native Keras format (recommended) or a " +
                    "`.h5` extension. Use `model.export(filepath)` if you want to export a SavedModel for use with TFLite/TFServing/etc. " +
                    $"Received: filepath={filepath}.", nameof(filepath));
            CheckOverwrite(filepath, overwrite);
            if (!Built)
                Utilities.IoUtils.Warn("You are saving a model that has not yet been built. It might not contain any weights yet. Consider building the " +
                                       "model first by calling it on some data.");
            string config = ModelSerialization.Serialize(this).ToJsonString();
            AtomicFile.Write(filepath, stream => KerasArchive.Write(stream, config, weights => WeightsFile.Write(this, weights)));
        }

        /// <summary>overwrite: false refuses an existing file (Keras would prompt on the console; a library must not).</summary>
        private static void CheckOverwrite(string filepath, bool overwrite)
        {
            if (!overwrite && File.Exists(filepath))
                throw new KerasInvalidOperationException(
                    $"The file {filepath} already exists and overwrite is false. Pass overwrite: true to replace it, or choose another path.");
        }

        /// <summary>Keras' <c>model.to_json()</c>: the model's configuration (layers, build and compile configs), without weights.</summary>
        public string ToJson()
        {
            EnsureAlive();
            return ModelSerialization.Serialize(this).ToJsonString();
        }

        /// <summary>SaveWeights with extra string attributes on the file's root group (Keras ignores them when loading).</summary>
        internal void SaveWeights(string filepath, IReadOnlyDictionary<string, string> rootAttributes) =>
            AtomicFile.Write(filepath, stream => WeightsFile.Write(this, stream, rootAttributes));

        /// <summary>The generators of every layer's training randomness, in weight-file traversal order.</summary>
        internal IReadOnlyList<TorchSharp.torch.Generator> AllRandomGenerators() =>
            WeightsFile.Walk(this).SelectMany(entry => entry.Layer.RandomGenerators).ToArray();

        /// <summary>
        /// Keras' <c>model.load_weights(filepath, skip_mismatch=False)</c> from a <c>.weights.h5</c> file or from the
        /// <c>model.weights.h5</c> inside a <c>.keras</c> archive, including files written by Python Keras. Layers are
        /// matched by position and class as Keras does (not by name). A count or shape mismatch fails for every affected
        /// layer at once; with <paramref name="skipMismatch"/> it is a warning and those layers keep their values. The
        /// optimizer's state is restored when the optimizer has been built (see <see cref="Optimizers.Optimizer.Build"/>).
        /// </summary>
        public void LoadWeights(string filepath, bool skipMismatch = false) => LoadWeightsReadingAttribute(filepath, skipMismatch, rootAttribute: null);

        /// <summary>
        /// LoadWeights within explicit limits for untrusted files (see <see cref="LoadLimits"/>); the file is read and
        /// checked completely before any variable changes, so a failure leaves the model exactly as it was.
        /// </summary>
        public void LoadWeights(string filepath, LoadLimits limits, bool skipMismatch = false) =>
            LoadWeightsReadingAttribute(filepath, skipMismatch, rootAttribute: null, limits ?? throw new KerasArgumentException("`limits` cannot be null.", nameof(limits)));

        private static byte[] ReadAll(FileStream file)
        {
            var bytes = new byte[file.Length];
            file.ReadExactly(bytes, 0, bytes.Length);
            return bytes;
        }

        /// <summary>LoadWeights that also returns a string attribute of the weights file's root group (read in the same pass).</summary>
        internal string? LoadWeightsReadingAttribute(string filepath, bool skipMismatch, string? rootAttribute, LoadLimits? limits = null)
        {
            EnsureAlive();
            if (filepath is null) throw new KerasArgumentException("`filepath` must be a path.", nameof(filepath));
            bool archive = filepath.EndsWith(KerasFacts.ModelFileExtension, StringComparison.Ordinal);
            if (!archive && !filepath.EndsWith(KerasFacts.WeightsFileExtension, StringComparison.Ordinal))
                throw new KerasArgumentException(
                    $"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` files and `.weights.h5` files here " +
                    "(legacy `.h5` and Orbax checkpoints are not supported by this runtime).", nameof(filepath));
            if (!Built)
                throw new KerasArgumentException(
                    "You are loading weights into a model that has not yet been built. Try building the model first by calling it on some data or by using `build()`.");
            if (!File.Exists(filepath))
                throw new FileNotFoundException($"No such file: {filepath}. Check the path, or save weights there first with SaveWeights.", filepath);
            var budget = limits ?? LoadLimits.Default;
            budget.Validate();
            if (!archive)
            {
                using var file = new FileStream(filepath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
                // Small files are read into memory once: the HDF5 reader's many small reads then cost no syscalls.
                using Stream stream = file.Length <= ZipReader.InMemoryLimit ? new MemoryStream(ReadAll(file), writable: false) : file;
                return WeightsFile.Read(this, stream, filepath, skipMismatch, rootAttribute, budget);
            }
            using var zip = ZipReader.Open(filepath);
            using var weights = KerasArchive.OpenWeights(zip, filepath, budget);
            return WeightsFile.Read(this, weights, filepath + "/" + KerasArchive.WeightsEntry, skipMismatch, rootAttribute, budget);
        }
    }
}

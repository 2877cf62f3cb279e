using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.BackupAndRestore(backup_dir, save_freq="epoch", double_checkpoint=False,
    /// delete_checkpoint=True)</c> (keras-reference.md §5.5): backs up the model (weights and optimizer state) to
    /// <c>{backupDir}/latest.weights.h5</c> with <c>training_metadata.json</c>, and when Fit starts again after an
    /// interruption it restores them and resumes at the saved epoch.
    /// <para>
    /// Beyond Keras: every file is written atomically (temporary file, flush, rename), so a kill at any instant leaves a
    /// loadable backup; the weights file also carries its own epoch and the dropout generators' states, so weights and
    /// metadata can never disagree and a run resumed from an epoch backup reaches the same weights as an uninterrupted
    /// run with the same seed.
    /// </para>
    /// </summary>
    public sealed class BackupAndRestore : Callback
    {
        private const string EmbeddedMetadata = "keras_tooling_training_metadata";
        private readonly BatchCounter? _saveEvery;

        /// <summary>Creates the callback, backing up at every epoch end (<paramref name="saveFreq"/> must be "epoch").</summary>
        public BackupAndRestore(string backupDir, string saveFreq = "epoch", bool doubleCheckpoint = false, bool deleteCheckpoint = true)
        {
            if (saveFreq != "epoch") throw InvalidSaveFreq(saveFreq);
            BackupDir = ValidDirectory(backupDir);
            DoubleCheckpoint = doubleCheckpoint;
            DeleteCheckpoint = deleteCheckpoint;
        }

        /// <summary>Creates the callback, backing up every <paramref name="saveFreq"/> batches (0 backs up after every batch, as Keras' False).</summary>
        public BackupAndRestore(string backupDir, int saveFreq, bool doubleCheckpoint = false, bool deleteCheckpoint = true)
        {
            if (saveFreq < 0) throw InvalidSaveFreq(saveFreq);
            BackupDir = ValidDirectory(backupDir);
            _saveEvery = new BatchCounter(saveFreq);
            DoubleCheckpoint = doubleCheckpoint;
            DeleteCheckpoint = deleteCheckpoint;
        }

        private static string ValidDirectory(string backupDir) =>
            string.IsNullOrEmpty(backupDir) ? throw new KerasArgumentException("Empty `backup_dir` argument passed", nameof(backupDir)) : backupDir;

        private static KerasArgumentException InvalidSaveFreq(object value) =>
            new KerasArgumentException(
                $"Invalid value for argument `save_freq`. Received: save_freq={value}. Expected either 'epoch' or an integer value.", "saveFreq");

        /// <summary>The backup directory (created at the first backup).</summary>
        public string BackupDir { get; }

        /// <summary>Keep the previous backup as <c>*.bkp</c> and fall back to it when the latest one cannot be read.</summary>
        public bool DoubleCheckpoint { get; }

        /// <summary>Delete the backup directory when training completes.</summary>
        public bool DeleteCheckpoint { get; }

        /// <summary>The next epoch to run (Keras' <c>_current_epoch</c>).</summary>
        public int CurrentEpoch { get; private set; }

        /// <summary>The last training batch seen in the current epoch (Keras' <c>_last_batch_seen</c>).</summary>
        public int LastBatchSeen => _saveEvery?.LastBatchSeen ?? 0;

        private string WeightsPath => Path.Combine(BackupDir, "latest.weights.h5");
        private string MetadataPath => Path.Combine(BackupDir, "training_metadata.json");
        private string PreviousWeightsPath => WeightsPath + ".bkp";
        private string PreviousMetadataPath => MetadataPath + ".bkp";

        /// <inheritdoc />
        public override void OnTrainBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            var model = Model!;
            if (!model.Built)
                throw new KerasInvalidOperationException(
                    "To use the BackupAndRestore callback, you model must be built before you call `fit()`. Call `model.Build(inputShape)` " +
                    "(or call the model on a batch) first.");
            CurrentEpoch = 0;
            _saveEvery?.Reset();
            try
            {
                Restore();
            }
            catch (IOException) when (DoubleCheckpoint && File.Exists(PreviousWeightsPath))
            {
                AtomicFile.Copy(PreviousWeightsPath, WeightsPath);
                if (File.Exists(PreviousMetadataPath)) AtomicFile.Copy(PreviousMetadataPath, MetadataPath);
                else File.Delete(MetadataPath);
                Restore();
            }
        }

        private void Restore()
        {
            var model = Model!;
            Metadata? metadata = null;
            if (File.Exists(WeightsPath))
            {
                if (model.Optimizer is { } optimizer && !optimizer.Built) optimizer.Build(model.TrainableWeights);
                if (model.LoadWeightsReadingAttribute(WeightsPath, skipMismatch: false, EmbeddedMetadata) is { } embedded) metadata = Parse(embedded, WeightsPath);
            }
            if (metadata == null && File.Exists(MetadataPath)) metadata = Parse(File.ReadAllText(MetadataPath), MetadataPath);
            if (metadata == null) return;
            CurrentEpoch = metadata.Epoch;
            model.ResumeEpoch = metadata.Epoch;
            var generators = model.AllRandomGenerators();
            if (metadata.Rng is { } states && states.Length == generators.Count)
                for (int i = 0; i < states.Length; i++)
                {
                    using var state = torch.tensor(Convert.FromBase64String(states[i]));
                    generators[i].set_state(state);
                }
        }

        /// <inheritdoc />
        public override void OnTrainBatchEnd(int batch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (_saveEvery?.Tick(batch) == true) Save();
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            CurrentEpoch = epoch + 1;
            _saveEvery?.EpochEnded();
            if (_saveEvery == null) Save();
        }

        /// <inheritdoc />
        public override void OnTrainEnd(IReadOnlyDictionary<string, double>? logs = null)
        {
            if (DeleteCheckpoint && Directory.Exists(BackupDir)) Directory.Delete(BackupDir, recursive: true);
        }

        private void Save()
        {
            var model = Model!;
            Directory.CreateDirectory(BackupDir);
            if (DoubleCheckpoint && File.Exists(WeightsPath)) AtomicFile.Copy(WeightsPath, PreviousWeightsPath);
            if (DoubleCheckpoint && File.Exists(MetadataPath)) AtomicFile.Copy(MetadataPath, PreviousMetadataPath);
            var rng = model.AllRandomGenerators().Select(g =>
            {
                using var state = g.get_state();
                return Convert.ToBase64String(state.data<byte>().ToArray());
            }).ToArray();
            string json = JsonSerializer.Serialize(new Dictionary<string, object> { ["epoch"] = CurrentEpoch, ["batch"] = LastBatchSeen, ["rng"] = rng });
            // Weights and their own metadata in one atomic rename; the Keras-compatible metadata file follows.
            model.SaveWeights(WeightsPath, new Dictionary<string, string> { [EmbeddedMetadata] = json });
            AtomicFile.Write(MetadataPath, stream =>
            {
                var bytes = System.Text.Encoding.UTF8.GetBytes(json);
                stream.Write(bytes, 0, bytes.Length);
            });
        }

        private sealed class Metadata
        {
            public int Epoch { get; set; }
            public string[]? Rng { get; set; }
        }

        private static Metadata Parse(string json, string source)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                var result = new Metadata { Epoch = root.GetProperty("epoch").GetInt32() };
                if (root.TryGetProperty("rng", out var rng) && rng.ValueKind == JsonValueKind.Array)
                    result.Rng = rng.EnumerateArray().Select(e => e.GetString() ?? "").ToArray();
                return result;
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new KerasFileFormatException($"The backup metadata in {source} is unreadable ({e.Message}). Delete {source} to start over.", e);
            }
        }
    }
}

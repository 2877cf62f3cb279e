using System;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;
using KerasFacts = Keras.Shared.KerasFacts;
using Keras.Models;
using Keras.SavingLib;

namespace Keras
{
    /// <summary>
    /// <c>keras.saving</c>: whole-model loading and saving in Keras 3's <c>.keras</c> format, and
    /// <c>model_from_json</c>. Weights alone: <see cref="Model.SaveWeights(string, bool)"/> and <see cref="Model.LoadWeights(string, bool)"/>.
    /// </summary>
    public static class Saving
    {
        /// <summary>
        /// Keras' <c>keras.saving.load_model(filepath, compile=True, safe_mode=True)</c>: rebuilds the model from a
        /// <c>.keras</c> archive (saved by this runtime or by Python Keras 3), loads its weights, and compiles it from its
        /// compile config when <paramref name="compile"/> is true (restoring the optimizer's state). Built-in layers and
        /// Sequential/Functional models are supported; a file with other classes fails naming the class, and can still be
        /// used by building the model in C# and calling <see cref="Model.LoadWeights(string, bool)"/>. <paramref name="safeMode"/> refuses
        /// Python lambdas with Keras' message; <c>Config.EnableUnsafeDeserialization()</c> overrides it, as in Keras.
        /// </summary>
        public static Model LoadModel(string filepath, bool compile = true, bool safeMode = true, LoadLimits? limits = null)
        {
            if (filepath is null) throw new KerasArgumentException("`filepath` must be a path.", nameof(filepath));
            if (KerasFacts.IsLegacyH5Path(filepath))
                throw new KerasArgumentException(
                    $"Loading legacy HDF5 model files is not supported by this runtime: filepath={filepath}. Re-save the model from Python Keras " +
                    "with model.save(\"model.keras\"), or build it in C# and load the weights with LoadWeights.", nameof(filepath));
            if (!filepath.EndsWith(KerasFacts.ModelFileExtension, StringComparison.Ordinal))
                throw new KerasArgumentException(
                    $"File format not supported: filepath={filepath}. Keras 3 only supports V3 `.keras` files and legacy H5 format files (`.h5` " +
                    "extension); this runtime loads `.keras` files.", nameof(filepath));
            if (!File.Exists(filepath))
                throw new FileNotFoundException($"File not found: filepath={filepath}. Please ensure the file is an accessible `.keras` zip file.", filepath);
            var budget = limits ?? LoadLimits.Default;
            budget.Validate();
            using var zip = ZipReader.Open(filepath); // one opening of the archive for config and weights
            var configBytes = KerasArchive.ReadJson(zip, filepath, KerasArchive.ConfigEntry, budget);
            JsonNode? config;
            try
            {
                // Checked strictly first: JsonNode checks UTF-8 lazily, when a value is first read, deep inside loading. Valid
                // UTF-8 without a byte-order mark is parsed as it is; anything else is decoded strictly as text (which names
                // the bad bytes, and keeps a mark as the character JSON refuses).
                bool plain = System.Text.Unicode.Utf8.IsValid(configBytes) && !configBytes.AsSpan().StartsWith(Utf8Bom);
                config = plain
                    ? SavingLib.ConfigJson.Parse(configBytes.AsSpan(), budget, filepath + "/config.json")
                    : SavingLib.ConfigJson.Parse(
                        new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(configBytes), budget,
                        filepath + "/config.json");
            }
            catch (System.Text.DecoderFallbackException e)
            {
                throw new KerasFileFormatException($"The config.json of {filepath} is not valid UTF-8 text: {e.Message}", e);
            }
            catch (JsonException e)
            {
                throw new KerasFileFormatException($"The config.json of {filepath} is not valid JSON (or nests deeper than LoadLimits.MaxJsonDepth): {e.Message}", e);
            }
            using var load = LoadContext.Begin(filepath, budget);
            load.WeightsFollow = zip.Find(KerasArchive.WeightsEntry) != null;
            var model = ModelSerialization.Deserialize(config, compile, safeMode, filepath);
            load.WeightsFollow = false;
            if (model.Built)
            {
                using var weights = KerasArchive.OpenWeights(zip, filepath, budget);
                WeightsFile.Read(model, weights, filepath + "/" + KerasArchive.WeightsEntry, skipMismatch: false, limits: budget);
            }
            load.Succeeded();
            return model;
        }

        private static ReadOnlySpan<byte> Utf8Bom => new byte[] { 0xEF, 0xBB, 0xBF };

        /// <summary>
        /// Keras' <c>keras.saving.register_keras_serializable(package="Custom", name=None)</c>: lets <see cref="LoadModel"/>
        /// and <see cref="ModelFromJson"/> rebuild a custom layer or subclassed model. Saved configs name it
        /// "<paramref name="package"/>&gt;<paramref name="name"/>" (default: the class name); <paramref name="fromConfig"/>
        /// rebuilds an instance from the config its <see cref="Layers.Layer.GetConfig"/> wrote. Register before loading.
        /// </summary>
        public static void RegisterKerasSerializable<T>(Func<JsonObject, T> fromConfig, string package = "Custom", string? name = null) where T : Layers.Layer
        {
            if (fromConfig is null) throw new KerasArgumentException("`fromConfig` must rebuild an instance from its config.", nameof(fromConfig));
            SerializableRegistry.Register(typeof(T), package, name ?? typeof(T).Name, config => fromConfig(config));
        }

        /// <summary>Keras' <c>keras.saving.save_model(model, filepath, overwrite=True)</c>; the same as <see cref="Model.Save"/>.</summary>
        public static void SaveModel(Model model, string filepath, bool overwrite = true)
        {
            if (model is null) throw new KerasArgumentException("`model` must be a Keras model.", nameof(model));
            model.Save(filepath, overwrite);
        }

        /// <summary>
        /// Keras' <c>keras.models.model_from_json(json_string)</c>: a new model (fresh weights) from <see cref="Model.ToJson"/>
        /// output or a config.json; a non-empty compile config in it is applied, as Keras does.
        /// </summary>
        public static Model ModelFromJson(string json)
        {
            if (json is null) throw new KerasArgumentException("`json` must be a JSON string.", nameof(json));
            var budget = LoadLimits.Default;
            if (System.Text.Encoding.UTF8.GetByteCount(json) > budget.MaxJsonBytes)
                throw new KerasArgumentException($"The model JSON is larger than LoadLimits.MaxJsonBytes ({budget.MaxJsonBytes:N0} bytes).", nameof(json));
            JsonNode? node;
            try
            {
                node = SavingLib.ConfigJson.Parse(json, budget, "the model JSON");
            }
            catch (JsonException e)
            {
                throw new KerasArgumentException($"The model JSON is not valid JSON: {e.Message}", e);
            }
            using var load = LoadContext.Begin("the model JSON", budget);
            var model = ModelSerialization.Deserialize(node, compile: true, safeMode: true, "the model JSON");
            load.Succeeded();
            return model;
        }
    }
}

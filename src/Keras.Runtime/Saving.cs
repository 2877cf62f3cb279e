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
    /// <c>model_from_json</c>. Weights alone: <see cref="Model.SaveWeights(string, bool)"/> and <see cref="Model.LoadWeights"/>.
    /// </summary>
    public static class Saving
    {
        /// <summary>
        /// Keras' <c>keras.saving.load_model(filepath, compile=True, safe_mode=True)</c>: rebuilds the model from a
        /// <c>.keras</c> archive (saved by this runtime or by Python Keras 3), loads its weights, and compiles it from its
        /// compile config when <paramref name="compile"/> is true (restoring the optimizer's state). Built-in layers and
        /// Sequential/Functional models are supported; a file with other classes fails naming the class, and can still be
        /// used by building the model in C# and calling <see cref="Model.LoadWeights"/>. <paramref name="safeMode"/> refuses
        /// Python lambdas with Keras' message; <c>Config.EnableUnsafeDeserialization()</c> overrides it, as in Keras.
        /// </summary>
        public static Model LoadModel(string filepath, bool compile = true, bool safeMode = true)
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
            var entries = KerasArchive.ReadEntries(filepath, KerasArchive.ConfigEntry, KerasArchive.WeightsEntry); // one opening of the zip
            using var configStream = KerasArchive.Require(entries[0], filepath, KerasArchive.ConfigEntry);
            using var weights = entries[1];
            JsonNode? config;
            try
            {
                config = JsonNode.Parse(configStream);
            }
            catch (JsonException e)
            {
                throw new KerasFileFormatException($"The config.json of {filepath} is not valid JSON: {e.Message}", e);
            }
            var model = ModelSerialization.Deserialize(config, compile, safeMode, filepath);
            if (model.Built)
                WeightsFile.Read(model, KerasArchive.Require(weights, filepath, KerasArchive.WeightsEntry), filepath + "/" + KerasArchive.WeightsEntry,
                    skipMismatch: false);
            return model;
        }

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
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(json);
            }
            catch (JsonException e)
            {
                throw new KerasArgumentException($"The model JSON is not valid JSON: {e.Message}", e);
            }
            return ModelSerialization.Deserialize(node, compile: true, safeMode: true, "the model JSON");
        }
    }
}

using System;
using System.Text.Json;
using System.Text.Json.Nodes;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>A Keras object with a config (Keras' <c>get_config()</c>): initializers, regularizers, constraints, schedules.</summary>
    internal interface IKerasConfigurable
    {
        /// <summary>Every key Keras writes for the object, from its own fields.</summary>
        JsonObject GetConfig();
    }

    /// <summary>
    /// Keras' <c>serialize_keras_object</c> / <c>deserialize_keras_object</c> for the object families of the catalog that
    /// are not layers (initializers, regularizers, constraints, ...): the generic envelope
    /// <c>{"module", "class_name", "config", "registered_name"}</c>, string identifiers resolved through the shared
    /// identifier tables, classes found in <see cref="KerasCatalog"/>.
    /// </summary>
    internal static class KerasObjects
    {
        /// <summary>The serialized form of a built-in object.</summary>
        internal static JsonObject Serialize(IKerasConfigurable value)
        {
            var entry = KerasCatalog.Of(value.GetType());
            string className = entry?.ClassName ?? value.GetType().Name;
            return ModelSerialization.Wrap(entry?.Module, className, value.GetConfig(), entry == null ? className : entry.RegisteredName);
        }

        /// <summary>Serializes an optional object (null stays null).</summary>
        internal static JsonNode? SerializeOptional(IKerasConfigurable? value) => value == null ? null : Serialize(value);

        /// <summary>
        /// Rebuilds an object of family <typeparamref name="T"/> from a string identifier (<c>"glorot_uniform"</c>) or a
        /// serialized object. Unknown names fail with Keras' "Could not interpret" message and the nearest known name.
        /// </summary>
        internal static T Deserialize<T>(JsonNode node, string source) where T : class
        {
            var kind = KerasCatalog.KindOf(typeof(T)) ?? throw new InvalidOperationException(typeof(T) + " is not a Keras object family.");
            string className;
            ConfigReader reader;
            switch (node)
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                {
                    string identifier = (string)v!;
                    var table = IdentifierTable(kind);
                    className = table?.Resolve(identifier) ?? identifier;
                    if (KerasCatalog.Find(kind, className) == null)
                        throw new KerasArgumentException(table?.UnknownMessage(identifier) ?? $"Could not interpret {KerasCatalog.Describe(kind)} identifier: {identifier}");
                    reader = new ConfigReader(new JsonObject(), className, source);
                    break;
                }
                case JsonObject o:
                {
                    className = o["class_name"] is JsonValue c && c.GetValueKind() == JsonValueKind.String
                        ? (string)c!
                        : throw new KerasConfigException($"{source}: a serialized {KerasCatalog.Describe(kind)} needs a string 'class_name'. Received: {ConfigReader.Describe(o)}",
                            source, KerasCatalog.Describe(kind), "class_name", ConfigReader.Describe(o["class_name"]), "a string");
                    var config = o["config"] switch
                    {
                        null => new JsonObject(),
                        JsonObject obj => obj,
                        var other => throw new KerasConfigException(
                            $"{source}: {KerasCatalog.Describe(kind)} {className}: 'config' must be an object. Received: {ConfigReader.Describe(other)}",
                            source, className, "config", ConfigReader.Describe(other), "an object"),
                    };
                    className = IdentifierTable(kind)?.Resolve(className) ?? className; // Keras looks class names up in the same table
                    reader = new ConfigReader(config, className, source);
                    break;
                }
                default:
                    throw new KerasConfigException(
                        $"{source}: expected a {KerasCatalog.Describe(kind)} name or a serialized {KerasCatalog.Describe(kind)}. Received: {ConfigReader.Describe(node)}",
                        source, KerasCatalog.Describe(kind), null, ConfigReader.Describe(node), "a string or an object");
            }
            reader.Kind = KerasCatalog.Describe(kind);
            var entry = KerasCatalog.Find(kind, className) ?? throw new KerasTypeException(
                $"Could not locate {KerasCatalog.Describe(kind)} class '{className}'. Known: " + string.Join(", ", KnownNames(kind)) + ".");
            if (entry.FromConfig == null) throw new KerasTypeException($"The {KerasCatalog.Describe(kind)} class '{className}' cannot be rebuilt from a config.");
            var result = (T)entry.FromConfig(reader);
            reader.Finish();
            return result;
        }

        private static string[] KnownNames(Type kind)
        {
            var all = KerasCatalog.All(kind);
            var names = new string[all.Count];
            for (int i = 0; i < names.Length; i++) names[i] = all[i].ClassName;
            return names;
        }

        /// <summary>The shared table of names Keras resolves for a family, when it has one.</summary>
        private static Shared.KerasIdentifiers.Kind? IdentifierTable(Type kind)
        {
            string module = KerasCatalog.ModuleOfKind(kind);
            foreach (var table in Shared.KerasIdentifiers.All)
                if (table.Module == module) return table;
            return null;
        }
    }
}

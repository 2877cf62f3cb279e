using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Layers;

namespace Keras.SavingLib
{
    /// <summary>
    /// Keras' registry of custom serializable classes (<c>register_keras_serializable</c>): registered name
    /// "package&gt;Name" → the function that rebuilds an instance from its config. Process-wide, as Keras' global custom
    /// objects.
    /// </summary>
    internal static class SerializableRegistry
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, Func<JsonObject, Layer>> ByName = new Dictionary<string, Func<JsonObject, Layer>>(StringComparer.Ordinal);
        private static readonly Dictionary<Type, string> NameByType = new Dictionary<Type, string>();

        internal static void Register(Type type, string package, string name, Func<JsonObject, Layer> fromConfig)
        {
            if (string.IsNullOrEmpty(package) || package.Contains('>'))
                throw new KerasArgumentException($"`package` must be a non-empty name without '>'. Received: package={package}", nameof(package));
            string registered = package + ">" + name;
            lock (Gate)
            {
                if (NameByType.TryGetValue(type, out var existing) && existing != registered)
                    throw new KerasArgumentException($"{type.Name} has already been registered as '{existing}'.");
                ByName[registered] = fromConfig;
                NameByType[type] = registered;
            }
        }

        /// <summary>Removes a registration (tests that register classes restore the global registry afterwards).</summary>
        internal static void Unregister(Type type)
        {
            lock (Gate)
            {
                if (!NameByType.TryGetValue(type, out var name)) return;
                NameByType.Remove(type);
                ByName.Remove(name);
            }
        }

        internal static string? NameOf(Type type)
        {
            lock (Gate) return NameByType.TryGetValue(type, out var name) ? name : null;
        }

        /// <summary>Looks a class up as Keras does: by registered name, then by class name among the registered ones.</summary>
        internal static Func<JsonObject, Layer>? Find(string? registeredName, string className)
        {
            lock (Gate)
            {
                if (registeredName != null && ByName.TryGetValue(registeredName, out var byRegistered)) return byRegistered;
                foreach (var pair in ByName)
                    if (pair.Key.EndsWith(">" + className, StringComparison.Ordinal)) return pair.Value;
                return null;
            }
        }
    }
}

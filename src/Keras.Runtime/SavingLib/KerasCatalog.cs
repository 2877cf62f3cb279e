using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;

namespace Keras.SavingLib
{
    /// <summary>
    /// Marks the base class of a family of serializable Keras objects (layers, initializers, regularizers, ...) with the
    /// module Keras writes for its built-in members (<c>"keras.layers"</c>, <c>"keras.initializers"</c>, ...).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    internal sealed class KerasKindAttribute : Attribute
    {
        public KerasKindAttribute(string module, string description)
        {
            Module = module;
            Description = description;
        }

        /// <summary>The module of built-in members, e.g. "keras.layers".</summary>
        public string Module { get; }

        /// <summary>What a member is called in messages ("layer", "initializer").</summary>
        public string Description { get; }

        /// <summary>
        /// Module prefixes that select this family in a serialized envelope when the class name alone is ambiguous
        /// (Keras' operations share class names with layers: <c>keras.src.ops.numpy.Add</c> vs <c>keras.layers.Add</c>).
        /// </summary>
        public string[] ModulePrefixes { get; set; } = Array.Empty<string>();

        /// <summary>Whether Keras writes the class name as registered_name for built-in members (operations do).</summary>
        public bool WritesRegisteredName { get; set; }
    }

    /// <summary>
    /// The built-in Keras classes of this assembly, found once by reflection from their <see cref="KerasClassAttribute"/>:
    /// Keras class name (and aliases) → the class and its <c>FromConfig(ConfigReader)</c> factory, per kind. The catalog
    /// knows no class by name; a class joins it by carrying the attribute.
    /// </summary>
    internal static class KerasCatalog
    {
        internal sealed class Entry
        {
            private readonly Lazy<Func<ConfigReader, object>?> _fromConfig;

            internal Entry(Type type, Type kind, KerasClassAttribute attribute)
            {
                _fromConfig = new Lazy<Func<ConfigReader, object>?>(() => Factory(type, kind));
                Type = type;
                Kind = kind;
                ClassName = attribute.ClassName;
                Aliases = attribute.Aliases;
                Module = attribute.Module ?? ModuleOfKind(kind);
                RegisteredName = attribute.RegisteredName ?? (KindAttribute(kind)?.WritesRegisteredName == true ? attribute.ClassName : null);
            }

            public Type Type { get; }
            public Type Kind { get; }
            public string ClassName { get; }
            public string[] Aliases { get; }
            public string Module { get; }
            public string? RegisteredName { get; }

            /// <summary>The class' factory (made on first use: start-up pays only for the classes a file uses).</summary>
            public Func<ConfigReader, object>? FromConfig => _fromConfig.Value;
        }

        private sealed class Tables
        {
            public readonly Dictionary<Type, Entry> ByType = new Dictionary<Type, Entry>();
            public readonly Dictionary<(Type Kind, string Name), Entry> ByName = new Dictionary<(Type, string), Entry>();
            public readonly Dictionary<(Type Kind, string Name), string> Refused = new Dictionary<(Type, string), string>();
        }

        private static readonly Lazy<Tables> Loaded = new Lazy<Tables>(Discover, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);

        private static Tables Discover()
        {
            var tables = new Tables();
            foreach (var type in typeof(KerasCatalog).Assembly.GetTypes())
            {
                if (type.IsDefined(typeof(KerasRefusedClassAttribute), inherit: false))
                    foreach (var refused in type.GetCustomAttributes<KerasRefusedClassAttribute>(inherit: false))
                        tables.Refused[(refused.Kind, refused.ClassName)] = refused.Reason;
                if (!type.IsDefined(typeof(KerasClassAttribute), inherit: false)) continue;
                var attribute = type.GetCustomAttribute<KerasClassAttribute>(inherit: false)!;
                var kind = KindOf(type) ?? throw new InvalidOperationException(
                    $"{type.FullName} carries [KerasClass] but derives from no [KerasKind] base class.");
                var entry = new Entry(type, kind, attribute);
                tables.ByType[type] = entry;
                foreach (var name in new[] { attribute.ClassName }.Concat(attribute.Aliases))
                {
                    if (tables.ByName.TryGetValue((kind, name), out var clash))
                        throw new InvalidOperationException($"Keras class name '{name}' is claimed by both {clash.Type.FullName} and {type.FullName}.");
                    tables.ByName[(kind, name)] = entry;
                }
            }
            return tables;
        }

        private static Func<ConfigReader, object>? Factory(Type type, Type kind)
        {
            var method = type.GetMethod("FromConfig", BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic,
                binder: null, new[] { typeof(ConfigReader) }, modifiers: null);
            if (method == null) return null;
            if (!kind.IsAssignableFrom(method.ReturnType) || method.ReturnType.IsValueType)
                throw new InvalidOperationException($"{type.FullName}.FromConfig must return the class (or a {kind.Name}).");
            return (Func<ConfigReader, object>)method.CreateDelegate(typeof(Func<,>).MakeGenericType(typeof(ConfigReader), method.ReturnType));
        }

        /// <summary>The family base class (the nearest base carrying <see cref="KerasKindAttribute"/>), or null.</summary>
        internal static Type? KindOf(Type type)
        {
            if (KindsOf.TryGetValue(type, out var known)) return known;
            // Each base class is asked once: the catalog's classes share a few bases.
            var kind = type.IsDefined(typeof(KerasKindAttribute), inherit: false) ? type : type.BaseType is { } baseType ? KindOf(baseType) : null;
            KindsOf.TryAdd(type, kind);
            return kind;
        }

        // Asked for every object a config builds (initializers, regularizers, ...): reflection once per type.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Type?> KindsOf =
            new System.Collections.Concurrent.ConcurrentDictionary<Type, Type?>();

        /// <summary>The built-in class of <paramref name="kind"/> that Keras names <paramref name="className"/> (or an alias), or null.</summary>
        internal static Entry? Find(Type kind, string className) =>
            Loaded.Value.ByName.TryGetValue((kind, className), out var entry) ? entry : null;

        /// <summary>
        /// Why this runtime refuses the Keras class <paramref name="className"/> of <paramref name="kind"/> on purpose (a
        /// <see cref="KerasRefusedClassAttribute"/> in the class' family folder), or null.
        /// </summary>
        internal static string? Refusal(Type kind, string className)
        {
            for (var k = kind; k != null; k = k.BaseType)
                if (Loaded.Value.Refused.TryGetValue((k, className), out var reason)) return reason;
            return null;
        }

        /// <summary>
        /// The family an envelope's <c>module</c> selects among those derived from <paramref name="defaultKind"/> (its
        /// <see cref="KerasKindAttribute.ModulePrefixes"/>), else <paramref name="defaultKind"/>.
        /// </summary>
        internal static Type KindForModule(string? module, Type defaultKind)
        {
            if (module == null) return defaultKind;
            if (ModuleKinds.TryGetValue((module, defaultKind), out var known)) return known;
            var found = defaultKind;
            foreach (var kind in Loaded.Value.ByType.Values.Select(e => e.Kind).Distinct())
                if (kind != defaultKind && defaultKind.IsAssignableFrom(kind) && KindAttribute(kind) is { } a &&
                    a.ModulePrefixes.Any(p => module == p || module.StartsWith(p + ".", StringComparison.Ordinal)))
                {
                    found = kind;
                    break;
                }
            // Bounded: files name a handful of modules, but a hostile one may name thousands.
            if (ModuleKinds.Count < 256) ModuleKinds.TryAdd((module, defaultKind), found);
            return found;
        }

        // Answers per (module, default kind), so that each module is looked up once per process.
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Module, Type Kind), Type> ModuleKinds =
            new System.Collections.Concurrent.ConcurrentDictionary<(string Module, Type Kind), Type>();

        /// <summary>The catalog entry of a built-in class, or null for classes outside the catalog (users' classes).</summary>
        internal static Entry? Of(Type type) => Loaded.Value.ByType.TryGetValue(type, out var entry) ? entry : null;

        /// <summary>Every built-in class of <paramref name="kind"/>, by Keras class name.</summary>
        internal static IReadOnlyList<Entry> All(Type kind) =>
            Loaded.Value.ByType.Values.Where(e => e.Kind == kind).OrderBy(e => e.ClassName, StringComparer.Ordinal).ToArray();

        /// <summary>The module Keras writes for built-in members of <paramref name="kind"/> ("keras.layers", ...).</summary>
        internal static string ModuleOfKind(Type kind) => KindAttribute(kind)?.Module ?? "";

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, KerasKindAttribute?> Kinds =
            new System.Collections.Concurrent.ConcurrentDictionary<Type, KerasKindAttribute?>();

        private static KerasKindAttribute? KindAttribute(Type kind) => Kinds.GetOrAdd(kind, k => k.GetCustomAttribute<KerasKindAttribute>());

        /// <summary>"layer", "initializer", ... for messages.</summary>
        internal static string Describe(Type kind) => KindAttribute(kind)?.Description ?? kind.Name;
    }
}

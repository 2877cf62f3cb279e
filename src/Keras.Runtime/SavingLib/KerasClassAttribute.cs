using System;

namespace Keras.SavingLib
{
    /// <summary>
    /// Marks a built-in class with the Keras class name it is saved under (<c>"class_name"</c> in configs) and the
    /// other names Keras resolves to it (its aliases in <c>keras.layers</c>, <c>keras.initializers</c>, ...). The class
    /// owns its identity: besides this attribute it has a <c>GetConfig()</c> override writing every key Keras writes and
    /// a static <c>FromConfig(ConfigReader)</c> rebuilding it. <see cref="KerasCatalog"/> finds both by reflection,
    /// so no shared code names the class.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = false)]
    internal sealed class KerasClassAttribute : Attribute
    {
        public KerasClassAttribute(string className, params string[] aliases)
        {
            ClassName = className;
            Aliases = aliases;
        }

        /// <summary>Keras' class name, e.g. "Dense".</summary>
        public string ClassName { get; }

        /// <summary>Other class names Keras deserializes to this class (e.g. "Conv2D" for "Convolution2D").</summary>
        public string[] Aliases { get; }

        /// <summary>The module Keras writes for the class when it differs from its kind's (e.g. "keras" for Sequential).</summary>
        public string? Module { get; set; }

        /// <summary>The registered_name Keras writes for the class when it is not null (e.g. "Functional").</summary>
        public string? RegisteredName { get; set; }
    }
}

namespace Keras.SavingLib
{
    /// <summary>
    /// Marks a class (usually a static holder in the family folder) as the owner of a Keras class name this runtime
    /// refuses on purpose, with the reason and what to do instead: loading a config of that class fails with this message
    /// rather than the generic "could not locate class". <see cref="Kind"/> is the family base class (e.g. Layer).
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false, AllowMultiple = true)]
    internal sealed class KerasRefusedClassAttribute : Attribute
    {
        public KerasRefusedClassAttribute(Type kind, string className, string reason)
        {
            Kind = kind;
            ClassName = className;
            Reason = reason;
        }

        /// <summary>The family (Layer, ...).</summary>
        public Type Kind { get; }

        /// <summary>Keras' class name, e.g. "Lambda".</summary>
        public string ClassName { get; }

        /// <summary>Why it is refused and what to do instead.</summary>
        public string Reason { get; }
    }
}

using Microsoft.CodeAnalysis;

namespace Keras.Analyzers
{
    /// <summary>Every Keras diagnostic. IDs are fixed: docs, suppressions and users' .editorconfig files name them.</summary>
    internal static class Descriptors
    {
        /// <summary>Each rule's documentation page: docs/rules/KERASnnn.md in the repository.</summary>
        public const string HelpLinkBase = "https://github.com/KerasTooling/KerasTooling/blob/main/docs/rules/";

        public const string ConfigurationCategory = "Keras.Configuration";
        public const string UsageCategory = "Keras.Usage";

        public static readonly DiagnosticDescriptor Float16WithoutMixedPrecision = new DiagnosticDescriptor(
            "KERAS001",
            "floatx set to float16 without a mixed-precision policy",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Training in float16 is numerically unstable. Keras recommends the mixed_float16 policy: float16 compute with float32 variables.",
            helpLinkUri: HelpLinkBase + "KERAS001.md",
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor InvalidKerasJson = new DiagnosticDescriptor(
            "KERAS004",
            "keras.json holds a value Keras rejects",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "keras.json is malformed, or a value has the wrong type or is outside what Keras (and this runtime) accepts.",
            helpLinkUri: HelpLinkBase + "KERAS004.md");

        public static readonly DiagnosticDescriptor SuspiciousKerasJsonKey = new DiagnosticDescriptor(
            "KERAS005",
            "keras.json key that Keras ignores",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Unknown keys, duplicate keys and Keras 1/2 legacy keys are ignored by Keras 3, which is rarely what the author meant.",
            helpLinkUri: HelpLinkBase + "KERAS005.md");

        public static readonly DiagnosticDescriptor KerasJsonFileProblem = new DiagnosticDescriptor(
            "KERAS006",
            "keras.json to bake is missing or ambiguous",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The configured <KerasConfigFile> does not exist, or more than one keras.json is an AdditionalFiles item.",
            helpLinkUri: HelpLinkBase + "KERAS006.md",
            customTags: WellKnownDiagnosticTags.CompilationEnd);

        public static readonly DiagnosticDescriptor EpsilonUnderflow = new DiagnosticDescriptor(
            "KERAS007",
            "epsilon underflows to 0 in the configured floatx",
            "{0}",
            ConfigurationCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "An epsilon smaller than the smallest positive value of floatx rounds to 0, so it no longer guards divisions.",
            helpLinkUri: HelpLinkBase + "KERAS007.md");
    }
}

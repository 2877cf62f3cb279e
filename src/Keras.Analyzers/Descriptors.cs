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
            helpLinkUri: HelpLinkBase + "KERAS001.md");

        public static readonly DiagnosticDescriptor SetBackendWithLiveObjects = new DiagnosticDescriptor(
            "KERAS002",
            "SetBackend while Keras objects created earlier are still used",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "SetBackend reloads Keras: objects created before it are not converted and are released; using them afterwards fails.",
            helpLinkUri: HelpLinkBase + "KERAS002.md");

        public static readonly DiagnosticDescriptor InvalidConfigArgument = new DiagnosticDescriptor(
            "KERAS003",
            "Invalid constant argument to a Keras config setter",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The value is one Keras rejects at run time (the same rules as the runtime's validation).",
            helpLinkUri: HelpLinkBase + "KERAS003.md");

        public static readonly DiagnosticDescriptor DebugCapOutsideTests = new DiagnosticDescriptor(
            "KERAS008",
            "Debug-only epoch/step cap outside test code",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "SetMaxEpochs and SetMaxStepsPerEpoch cap every Fit in the process; Keras documents them as purely for debugging.",
            helpLinkUri: HelpLinkBase + "KERAS008.md");

        public static readonly DiagnosticDescriptor UnsafeDeserialization = new DiagnosticDescriptor(
            "KERAS009",
            "Unsafe deserialization enabled",
            "{0}",
            "Keras.Security",
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Turning Keras' safe mode off lets a loaded file run code (lambdas): only for files from a trusted source.",
            helpLinkUri: HelpLinkBase + "KERAS009.md");

        public static readonly DiagnosticDescriptor ConfigAfterObjects = new DiagnosticDescriptor(
            "KERAS010",
            "Config changed after Keras objects were created in the same method",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Layers capture floatx, the dtype policy and the image data format when they are created; a later change does not affect them.",
            helpLinkUri: HelpLinkBase + "KERAS010.md");

        public static readonly DiagnosticDescriptor ModelInLoopWithoutClearSession = new DiagnosticDescriptor(
            "KERAS101",
            "Keras model built in a loop without ClearSession",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Each iteration adds to Keras' global state and keeps the previous model's native memory until the GC finalizes it.",
            helpLinkUri: HelpLinkBase + "KERAS101.md");

        public static readonly DiagnosticDescriptor TrainableChangedAfterCompile = new DiagnosticDescriptor(
            "KERAS102",
            "Trainable changed after Compile and the model trained without compiling again",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Compile freezes which weights are trained; a later change of Trainable applies only at the next Compile (Keras FAQ).",
            helpLinkUri: HelpLinkBase + "KERAS102.md");

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

        public static readonly DiagnosticDescriptor FileExtension = new DiagnosticDescriptor(
            "KERAS201",
            "File extension that Keras rejects",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Keras decides the file format from the extension and rejects the call at run time otherwise: Save needs .keras, " +
                         "SaveWeights .weights.h5, LoadWeights .keras or .weights.h5, LoadModel .keras.",
            helpLinkUri: HelpLinkBase + "KERAS201.md");

        public const string PerformanceCategory = "Keras.Performance";

        public static readonly DiagnosticDescriptor UnknownIdentifier = new DiagnosticDescriptor(
            "KERAS301",
            "Name that Keras cannot resolve",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Keras resolves activations, optimizers, losses, metrics, initializers, regularizers, constraints, paddings, data formats, " +
                         "interpolations and callback modes by name; an unknown name fails at run time (often after the data has loaded).",
            helpLinkUri: HelpLinkBase + "KERAS301.md");

        public static readonly DiagnosticDescriptor InvalidArgument = new DiagnosticDescriptor(
            "KERAS302",
            "Constant argument that Keras rejects",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "The value is outside the range the runtime's argument checks accept (the same shared rules): the call throws at run time.",
            helpLinkUri: HelpLinkBase + "KERAS302.md");

        public static readonly DiagnosticDescriptor OutputLossMismatch = new DiagnosticDescriptor(
            "KERAS103",
            "Output activation and loss disagree",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "A softmax or sigmoid output trained with fromLogits: true applies the activation twice; a softmax over one unit always outputs 1.0; " +
                         "a sigmoid output with a categorical loss over several classes does not give a distribution.",
            helpLinkUri: HelpLinkBase + "KERAS103.md");

        public static readonly DiagnosticDescriptor UnproducibleMonitor = new DiagnosticDescriptor(
            "KERAS104",
            "Callback monitors a log entry this Fit cannot produce",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "EarlyStopping, ModelCheckpoint and ReduceLROnPlateau watching a val_* entry without validation data, or a metric name that was " +
                         "not compiled (val_acc where Keras 3 logs val_accuracy), never act.",
            helpLinkUri: HelpLinkBase + "KERAS104.md");

        public static readonly DiagnosticDescriptor NotCompiled = new DiagnosticDescriptor(
            "KERAS105",
            "Model trained or evaluated without being compiled",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            description: "Fit, Evaluate and TrainOnBatch need Compile first; on a model created in this method that no path compiles, they throw.",
            helpLinkUri: HelpLinkBase + "KERAS105.md");

        public static readonly DiagnosticDescriptor FrozenModelCalledWithoutTrainingFalse = new DiagnosticDescriptor(
            "KERAS106",
            "Frozen model called without training: false",
            "{0}",
            UsageCategory,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            description: "Keras' fine-tuning guide: call a frozen base model with training=False so that its BatchNormalization layers stay in " +
                         "inference mode, also after it is unfrozen for fine-tuning.",
            helpLinkUri: HelpLinkBase + "KERAS106.md");

        public static readonly DiagnosticDescriptor PredictPerSample = new DiagnosticDescriptor(
            "KERAS401",
            "Predict called on one sample per loop iteration",
            "{0}",
            PerformanceCategory,
            DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            description: "Predict sets up a prediction loop for each call; calling it once per sample is much slower than one call on the whole batch, " +
                         "or calling the model directly.",
            helpLinkUri: HelpLinkBase + "KERAS401.md");
    }
}

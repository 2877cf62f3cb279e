// The names Keras resolves by string, per kind (keras.activations.get, keras.initializers.get, ...), with the class
// (or function) each resolves to. Linked into Keras.Runtime, Keras.SourceGen and Keras.Analyzers: the runtime's
// `Get(identifier)` functions look names up here, and the analyzers report the names that are not here, so the two
// cannot disagree (tests/Keras.Runtime.Tests/SharedFactsTests checks every entry resolves in the runtime and back).
// netstandard2.0-compatible on purpose.
using System;
using System.Collections.Generic;

namespace Keras.Shared
{
    internal static class KerasIdentifiers
    {
        /// <summary>A kind of object Keras resolves by name.</summary>
        internal sealed class Kind
        {
            internal Kind(string name, string module, bool caseInsensitive, params string[] pairs)
            {
                Name = name;
                Module = module;
                CaseInsensitive = caseInsensitive;
                var map = new Dictionary<string, string>(caseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
                var order = new List<string>();
                for (int i = 0; i < pairs.Length; i += 2)
                {
                    map[pairs[i]] = pairs[i + 1];
                    order.Add(pairs[i]);
                }
                Map = map;
                Identifiers = order.ToArray();
            }

            /// <summary>"activation", "initializer", ...</summary>
            public string Name { get; }

            /// <summary>The Keras module whose <c>get</c> resolves them, e.g. "keras.initializers".</summary>
            public string Module { get; }

            /// <summary>Optimizer names are matched case-insensitively (Keras lowercases them).</summary>
            public bool CaseInsensitive { get; }

            /// <summary>Identifier → the Keras class (or function) name it resolves to.</summary>
            public IReadOnlyDictionary<string, string> Map { get; }

            /// <summary>Every identifier, in table order (for "did you mean" and messages).</summary>
            public string[] Identifiers { get; }

            /// <summary>The class the identifier resolves to, or null when Keras would not resolve it.</summary>
            public string? Resolve(string? identifier) =>
                identifier == null ? null : Special?.Invoke(identifier) ?? (Map.TryGetValue(identifier, out var target) ? target : null);

            /// <summary>Names resolved by a rule rather than the table (compile's "accuracy"/"acc" in any case), or null.</summary>
            public Func<string, string?>? Special { get; set; }

            /// <summary>Keras' error for an unknown identifier, with the nearest known one.</summary>
            public string UnknownMessage(string identifier)
            {
                string? near = KerasFacts.DidYouMean(identifier, Identifiers);
                return "Could not interpret " + Name + " identifier: " + identifier + (near != null ? ". Did you mean '" + near + "'?" : "");
            }
        }

        /// <summary>Pairs of (Keras class name, snake_case name) for classes Keras registers under both.</summary>
        private static string[] WithSnake(params string[] classAndSnake)
        {
            var pairs = new List<string>();
            for (int i = 0; i < classAndSnake.Length; i += 2)
            {
                pairs.Add(classAndSnake[i]);
                pairs.Add(classAndSnake[i]);
                pairs.Add(classAndSnake[i + 1]);
                pairs.Add(classAndSnake[i]);
            }
            return pairs.ToArray();
        }

        private static string[] Concat(params string[][] parts)
        {
            var all = new List<string>();
            foreach (var p in parts) all.AddRange(p);
            return all.ToArray();
        }

        private static string[] Same(params string[] names)
        {
            var pairs = new string[names.Length * 2];
            for (int i = 0; i < names.Length; i++)
            {
                pairs[2 * i] = names[i];
                pairs[2 * i + 1] = names[i];
            }
            return pairs;
        }

        /// <summary>keras.activations.get (keras/src/activations/__init__.py ALL_OBJECTS_DICT).</summary>
        public static readonly Kind Activations = new Kind("activation function", "keras.activations", false, Concat(
            Same("relu", "leaky_relu", "relu6", "softmax", "celu", "elu", "selu", "softplus", "softsign", "squareplus", "soft_shrink",
                "sparse_plus", "silu", "gelu", "glu", "tanh", "tanh_shrink", "threshold", "sigmoid", "sparse_sigmoid", "exponential",
                "hard_sigmoid", "hard_silu", "hard_tanh", "hard_shrink", "linear", "mish", "log_softmax", "log_sigmoid", "sparsemax"),
            new[] { "swish", "silu", "hard_swish", "hard_silu" }));

        /// <summary>keras.initializers.get: class names, their snake_case, and Keras' aliases.</summary>
        public static readonly Kind Initializers = new Kind("initializer", "keras.initializers", false, Concat(
            WithSnake("Constant", "constant", "Identity", "identity", "Ones", "ones", "Zeros", "zeros", "GlorotNormal", "glorot_normal",
                "GlorotUniform", "glorot_uniform", "HeNormal", "he_normal", "HeUniform", "he_uniform", "LecunNormal", "lecun_normal",
                "LecunUniform", "lecun_uniform", "Orthogonal", "orthogonal", "RandomNormal", "random_normal", "RandomUniform", "random_uniform",
                "TruncatedNormal", "truncated_normal", "VarianceScaling", "variance_scaling"),
            new[] { "IdentityInitializer", "Identity", "normal", "RandomNormal", "one", "Ones", "OrthogonalInitializer", "Orthogonal",
                "uniform", "RandomUniform", "zero", "Zeros" }));

        /// <summary>keras.regularizers.get.</summary>
        public static readonly Kind Regularizers = new Kind("regularizer", "keras.regularizers", false,
            WithSnake("L1", "l1", "L2", "l2", "L1L2", "l1l2", "OrthogonalRegularizer", "orthogonal_regularizer"));

        /// <summary>keras.constraints.get.</summary>
        public static readonly Kind Constraints = new Kind("constraint", "keras.constraints", false,
            WithSnake("MaxNorm", "max_norm", "MinMaxNorm", "min_max_norm", "NonNeg", "non_neg", "UnitNorm", "unit_norm"));

        /// <summary>
        /// keras.optimizers.get: <c>cls.__name__.lower()</c> of keras/src/optimizers/__init__.py ALL_OBJECTS, matched
        /// case-insensitively. Lamb is not in ALL_OBJECTS (Keras 3.15.1), so "lamb" does not resolve by name; its
        /// serialized class name "Lamb" does. ("lossscaleoptimizer" resolves but needs its inner optimizer.)
        /// </summary>
        public static readonly Kind Optimizers = new Kind("optimizer", "keras.optimizers", true,
            "adam", "Adam", "sgd", "SGD", "rmsprop", "RMSprop", "adadelta", "Adadelta", "adamw", "AdamW", "adagrad", "Adagrad",
            "adamax", "Adamax", "adafactor", "Adafactor", "nadam", "Nadam", "ftrl", "Ftrl", "lion", "Lion",
            "lossscaleoptimizer", "LossScaleOptimizer");

        /// <summary>
        /// keras.losses.get (keras/src/losses/__init__.py ALL_OBJECTS_DICT): class names resolve to the class, function
        /// names and Keras' short aliases to the function (the runtime makes the class wrapping it, named after the
        /// function). Circle and CategoricalGeneralizedCrossEntropy are not in this runtime.
        /// </summary>
        public static readonly Kind Losses = new Kind("loss", "keras.losses", false, Concat(
            Same("KLDivergence", "Poisson", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy", "CategoricalFocalCrossentropy",
                "SparseCategoricalCrossentropy", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                "CosineSimilarity", "LogCosh", "Huber", "Hinge", "SquaredHinge", "CategoricalHinge", "Dice", "Tversky", "CTC",
                "kl_divergence", "poisson", "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy", "categorical_focal_crossentropy",
                "sparse_categorical_crossentropy", "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                "mean_squared_logarithmic_error", "cosine_similarity", "log_cosh", "huber", "hinge", "squared_hinge", "categorical_hinge", "dice",
                "tversky", "ctc"),
            new[] { "bce", "binary_crossentropy", "BCE", "binary_crossentropy", "kld", "kl_divergence", "KLD", "kl_divergence",
                "mae", "mean_absolute_error", "MAE", "mean_absolute_error", "mse", "mean_squared_error", "MSE", "mean_squared_error",
                "mape", "mean_absolute_percentage_error", "MAPE", "mean_absolute_percentage_error",
                "msle", "mean_squared_logarithmic_error", "MSLE", "mean_squared_logarithmic_error" }));

        /// <summary>
        /// keras.metrics.get (keras/src/metrics/__init__.py ALL_OBJECTS_DICT): every class by its name and its snake_case
        /// (Keras' to_snake_case: "AUC" → "auc", "IoU" → "io_u"), plus Keras' short aliases. compile() also takes
        /// "accuracy"/"acc" (any case), resolved from the data's shapes. ConcordanceCorrelation and PearsonCorrelation
        /// are not in this runtime.
        /// </summary>
        public static readonly Kind Metrics = new Kind("metric", "keras.metrics", false,
            "Mean", "Mean", "Sum", "Sum", "MeanMetricWrapper", "MeanMetricWrapper", "MeanSquaredError", "MeanSquaredError",
            "RootMeanSquaredError", "RootMeanSquaredError", "MeanAbsoluteError", "MeanAbsoluteError",
            "MeanAbsolutePercentageError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "MeanSquaredLogarithmicError",
            "CosineSimilarity", "CosineSimilarity", "LogCoshError", "LogCoshError", "R2Score", "R2Score", "AUC", "AUC",
            "FalseNegatives", "FalseNegatives", "FalsePositives", "FalsePositives", "Precision", "Precision",
            "PrecisionAtRecall", "PrecisionAtRecall", "Recall", "Recall", "RecallAtPrecision", "RecallAtPrecision",
            "SensitivityAtSpecificity", "SensitivityAtSpecificity", "SpecificityAtSensitivity", "SpecificityAtSensitivity",
            "TrueNegatives", "TrueNegatives", "TruePositives", "TruePositives", "Hinge", "Hinge", "SquaredHinge", "SquaredHinge",
            "CategoricalHinge", "CategoricalHinge", "KLDivergence", "KLDivergence", "Poisson", "Poisson", "BinaryCrossentropy", "BinaryCrossentropy",
            "CategoricalCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy",
            "Accuracy", "Accuracy", "BinaryAccuracy", "BinaryAccuracy", "CategoricalAccuracy", "CategoricalAccuracy",
            "SparseCategoricalAccuracy", "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "TopKCategoricalAccuracy",
            "SparseTopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "F1Score", "F1Score", "FBetaScore", "FBetaScore", "IoU", "IoU",
            "BinaryIoU", "BinaryIoU", "MeanIoU", "MeanIoU", "OneHotIoU", "OneHotIoU", "OneHotMeanIoU", "OneHotMeanIoU", "mean", "Mean", "sum", "Sum",
            "mean_metric_wrapper", "MeanMetricWrapper", "mean_squared_error", "MeanSquaredError", "root_mean_squared_error", "RootMeanSquaredError",
            "mean_absolute_error", "MeanAbsoluteError", "mean_absolute_percentage_error", "MeanAbsolutePercentageError",
            "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", "cosine_similarity", "CosineSimilarity",
            "log_cosh_error", "LogCoshError", "r2_score", "R2Score", "auc", "AUC", "false_negatives", "FalseNegatives",
            "false_positives", "FalsePositives", "precision", "Precision", "precision_at_recall", "PrecisionAtRecall", "recall", "Recall",
            "recall_at_precision", "RecallAtPrecision", "sensitivity_at_specificity", "SensitivityAtSpecificity",
            "specificity_at_sensitivity", "SpecificityAtSensitivity", "true_negatives", "TrueNegatives", "true_positives", "TruePositives",
            "hinge", "Hinge", "squared_hinge", "SquaredHinge", "categorical_hinge", "CategoricalHinge", "kl_divergence", "KLDivergence",
            "poisson", "Poisson", "binary_crossentropy", "BinaryCrossentropy", "categorical_crossentropy", "CategoricalCrossentropy",
            "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", "accuracy", "Accuracy", "binary_accuracy", "BinaryAccuracy",
            "categorical_accuracy", "CategoricalAccuracy", "sparse_categorical_accuracy", "SparseCategoricalAccuracy",
            "top_k_categorical_accuracy", "TopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", "SparseTopKCategoricalAccuracy",
            "f1_score", "F1Score", "f_beta_score", "FBetaScore", "io_u", "IoU", "binary_io_u", "BinaryIoU", "mean_io_u", "MeanIoU",
            "one_hot_io_u", "OneHotIoU", "one_hot_mean_io_u", "OneHotMeanIoU", "bce", "BinaryCrossentropy", "BCE", "BinaryCrossentropy",
            "mse", "MeanSquaredError", "MSE", "MeanSquaredError", "mae", "MeanAbsoluteError", "MAE", "MeanAbsoluteError",
            "mape", "MeanAbsolutePercentageError", "MAPE", "MeanAbsolutePercentageError", "msle", "MeanSquaredLogarithmicError",
            "MSLE", "MeanSquaredLogarithmicError")
        {
            // compile_utils.get_metric: "accuracy" and "acc", in any case, pick the accuracy that fits the data's shapes.
            Special = name => name.ToLowerInvariant() is "accuracy" or "acc" ? "Accuracy" : null,
        };

        /// <summary>Layer padding modes (Keras' standardize_padding lowercases): convolutions other than 1D, pooling.</summary>
        public static readonly Kind Paddings = new Kind("padding", "keras.layers", true, Same("valid", "same"));

        /// <summary>Conv1D also accepts "causal".</summary>
        public static readonly Kind CausalPaddings = new Kind("padding", "keras.layers", true, Same("valid", "same", "causal"));

        /// <summary>standardize_data_format (lowercased).</summary>
        public static readonly Kind DataFormats = new Kind("data_format", "keras.layers", true, Same("channels_last", "channels_first"));

        /// <summary>
        /// UpSampling2D's interpolations: those Keras' torch backend runs (its resize refuses "lanczos3"/"lanczos5", and
        /// "area" exists only in the TensorFlow backend; the runtime refuses them with Keras' message).
        /// </summary>
        public static readonly Kind Interpolations = new Kind("interpolation", "keras.layers", true, Same("nearest", "bilinear", "bicubic"));

        /// <summary>Bidirectional's merge modes (compared as given; null, Keras' None, means both outputs unmerged).</summary>
        public static readonly Kind MergeModes = new Kind("merge_mode", "keras.layers", false, Same("sum", "mul", "ave", "concat"));

        /// <summary>MonitorCallback modes (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau): anything else warns and falls back to "auto".</summary>
        public static readonly Kind MonitorModes = new Kind("mode", "keras.callbacks", false, Same("auto", "min", "max"));

        /// <summary>Every kind, for tests and analyzers.</summary>
        public static readonly Kind[] All =
            { Activations, Initializers, Regularizers, Constraints, Optimizers, Losses, Metrics, Paddings, CausalPaddings, DataFormats, Interpolations, MergeModes, MonitorModes };

        /// <summary>
        /// The log name of a metric given by name to Compile (what Fit logs, and callbacks monitor): the name exactly as
        /// given, as Keras' compile_utils.get_metric names it ("acc" logs "acc", "BinaryAccuracy" logs "BinaryAccuracy");
        /// null when Keras does not resolve it.
        /// </summary>
        public static string? MetricLogName(string? identifier) => Metrics.Resolve(identifier) != null ? identifier : null;

        /// <summary>
        /// Activation names Keras resolves but that cannot be used by name alone (keras.activations.threshold needs its
        /// arguments): the runtime refuses them with this message, KERAS301 reports them.
        /// </summary>
        public static string? UnusableActivation(string? identifier) =>
            identifier == "threshold"
                ? "threshold() missing 2 required positional arguments: 'threshold' and 'default_value'. keras.activations.threshold needs its " +
                  "arguments: apply it yourself in a custom layer (torch.where(x > threshold, x, default_value))."
                : null;

        /// <summary>
        /// Where a string argument of the runtime's API is resolved by name: "Type metadata name|member|C# parameter" →
        /// kind. A type may be a base class; "*" as the type means any runtime type (activation arguments are
        /// resolved by keras.activations.get wherever they appear). Elements of an <c>IEnumerable&lt;string&gt;</c>
        /// parameter (Compile's metrics) are looked up one by one.
        /// </summary>
        public static readonly KeyValuePair<string, Kind>[] Parameters =
        {
            P("*|*|activation", Activations), P("*|*|recurrentActivation", Activations),
            P("Keras.Activations|Get|identifier", Activations),
            P("Keras.Initializers.Initializer|Get|identifier", Initializers),
            P("Keras.Regularizers.Regularizer|Get|identifier", Regularizers),
            P("Keras.Constraints.Constraint|Get|identifier", Constraints),
            P("Keras.Optimizers.Optimizer|Get|identifier", Optimizers),
            P("Keras.Losses.Loss|Get|identifier", Losses),
            P("Keras.Metrics.Metric|Get|identifier", Metrics),
            P("Keras.Models.Model|Compile|optimizer", Optimizers), P("Keras.Models.Model|Compile|loss", Losses),
            P("Keras.Models.Model|Compile|metrics", Metrics),
            P("Keras.Layers.Conv1D|.ctor|padding", CausalPaddings),
            P("Keras.Layers.BaseConv|.ctor|padding", Paddings), P("Keras.Layers.BaseConvTranspose|.ctor|padding", Paddings),
            P("Keras.Layers.BaseDepthwiseConv|.ctor|padding", Paddings), P("Keras.Layers.BaseSeparableConv|.ctor|padding", Paddings),
            P("Keras.Layers.BasePooling|.ctor|padding", Paddings),
            P("*|.ctor|dataFormat", DataFormats),
            P("Keras.Layers.UpSampling2D|.ctor|interpolation", Interpolations),
            P("Keras.Layers.Bidirectional|.ctor|mergeMode", MergeModes),
            P("Keras.Callbacks.EarlyStopping|.ctor|mode", MonitorModes), P("Keras.Callbacks.ModelCheckpoint|.ctor|mode", MonitorModes),
            P("Keras.Callbacks.ReduceLROnPlateau|.ctor|mode", MonitorModes),
        };

        private static KeyValuePair<string, Kind> P(string site, Kind kind) => new KeyValuePair<string, Kind>(site, kind);

        /// <summary>
        /// The kind of a parameter, given the declaring type and its base types (most derived first), the member
        /// (".ctor" or a method name) and the C# parameter name; null when the parameter is not resolved by name.
        /// </summary>
        public static Kind? ParameterKind(IEnumerable<string> typeAndBases, string member, string parameter)
        {
            var sites = _sites ??= SitesOf(Parameters);
            string tail = "|" + member + "|" + parameter;
            foreach (var type in typeAndBases)
                if (sites.TryGetValue(type + tail, out var kind)) return kind;
            return sites.TryGetValue("*" + tail, out var any) ? any : sites.TryGetValue("*|*|" + parameter, out var all) ? all : null;
        }

        private static Dictionary<string, Kind>? _sites;

        private static Dictionary<string, Kind> SitesOf(KeyValuePair<string, Kind>[] entries)
        {
            var d = new Dictionary<string, Kind>(StringComparer.Ordinal);
            foreach (var e in entries) d[e.Key] = e.Value;
            return d;
        }

        /// <summary>Every C# parameter name some entry of <see cref="Parameters"/> names (the analyzer's cheap pre-filter).</summary>
        public static readonly HashSet<string> ParameterNames = NamesOf(Parameters);

        private static HashSet<string> NamesOf(KeyValuePair<string, Kind>[] entries)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in entries) set.Add(e.Key.Substring(e.Key.LastIndexOf('|') + 1));
            return set;
        }
    }
}

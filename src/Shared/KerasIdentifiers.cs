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
                identifier != null && Map.TryGetValue(identifier, out var target) ? target : null;

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

        /// <summary>keras.losses.get: class names, function names and Keras' short aliases.</summary>
        public static readonly Kind Losses = new Kind("loss", "keras.losses", false,
            "MeanSquaredError", "MeanSquaredError", "mean_squared_error", "mean_squared_error", "mse", "mean_squared_error", "MSE", "mean_squared_error",
            "MeanAbsoluteError", "MeanAbsoluteError", "mean_absolute_error", "mean_absolute_error", "mae", "mean_absolute_error", "MAE", "mean_absolute_error",
            "BinaryCrossentropy", "BinaryCrossentropy", "binary_crossentropy", "binary_crossentropy", "bce", "binary_crossentropy", "BCE", "binary_crossentropy",
            "CategoricalCrossentropy", "CategoricalCrossentropy", "categorical_crossentropy", "categorical_crossentropy",
            "SparseCategoricalCrossentropy", "SparseCategoricalCrossentropy", "sparse_categorical_crossentropy", "sparse_categorical_crossentropy");

        /// <summary>Metric names compile() resolves (keras.metrics.get plus compile's "accuracy"/"acc").</summary>
        public static readonly Kind Metrics = new Kind("metric", "keras.metrics", false,
            "accuracy", "accuracy", "acc", "accuracy",
            "BinaryAccuracy", "BinaryAccuracy", "binary_accuracy", "BinaryAccuracy",
            "CategoricalAccuracy", "CategoricalAccuracy", "categorical_accuracy", "CategoricalAccuracy",
            "SparseCategoricalAccuracy", "SparseCategoricalAccuracy", "sparse_categorical_accuracy", "SparseCategoricalAccuracy",
            "MeanAbsoluteError", "MeanAbsoluteError", "mean_absolute_error", "MeanAbsoluteError", "mae", "MeanAbsoluteError", "MAE", "MeanAbsoluteError",
            "MeanSquaredError", "MeanSquaredError", "mean_squared_error", "MeanSquaredError", "mse", "MeanSquaredError", "MSE", "MeanSquaredError");

        /// <summary>Every kind, for tests and analyzers.</summary>
        public static readonly Kind[] All = { Activations, Initializers, Regularizers, Constraints, Optimizers, Losses, Metrics };
    }
}

// The numeric argument ranges Keras (and this runtime) enforce, as data. Linked into Keras.Runtime, Keras.SourceGen and
// Keras.Analyzers: the runtime's constructors and Fit/Evaluate/Predict check their arguments with these rules, KERAS302
// reports constant arguments the same rules reject, so the two cannot disagree
// (tests/Keras.Analyzers.Tests/ArgumentRulesAgreementTests checks it over generated constants).
// netstandard2.0-compatible on purpose.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace Keras.Shared
{
    internal static class KerasArgumentRules
    {
        /// <summary>An interval on the real line, each end open, closed or absent.</summary>
        internal readonly struct Range
        {
            public Range(double? min, bool minInclusive, double? max, bool maxInclusive)
            {
                Min = min;
                MinInclusive = minInclusive;
                Max = max;
                MaxInclusive = maxInclusive;
            }

            public double? Min { get; }
            public bool MinInclusive { get; }
            public double? Max { get; }
            public bool MaxInclusive { get; }

            /// <summary>NaN is outside every range.</summary>
            public bool Contains(double value)
            {
                if (double.IsNaN(value)) return false;
                if (Min is double lo && (MinInclusive ? value < lo : value <= lo)) return false;
                if (Max is double hi && (MaxInclusive ? value > hi : value >= hi)) return false;
                return true;
            }

            /// <summary>The interval as text: [0, 1), or "more than 0" style bounds.</summary>
            public override string ToString()
            {
                if (Min is double lo && Max is double hi)
                    return (MinInclusive ? "[" : "(") + Num(lo) + ", " + Num(hi) + (MaxInclusive ? "]" : ")");
                if (Min is double l) return (MinInclusive ? ">= " : "> ") + Num(l);
                if (Max is double h) return (MaxInclusive ? "<= " : "< ") + Num(h);
                return "any value";
            }

            private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        }

        /// <summary>How a fraction's out-of-range constant can be read unambiguously.</summary>
        internal enum Fix
        {
            /// <summary>No value is clearly meant.</summary>
            None,

            /// <summary>A whole number in (1, 100) given for a fraction: a percentage (Dropout(20) means 0.2).</summary>
            Percent,
        }

        /// <summary>
        /// One argument rule. <see cref="Sites"/> are "Type metadata name|member|C# parameter": the member is ".ctor" or a
        /// method name; the type may be a base class (then every Keras type derived from it that takes the parameter in
        /// that member is covered).
        /// </summary>
        internal sealed class Rule
        {
            private readonly Func<string, string, string> _message;

            internal Rule(string kerasName, Range range, bool integer, Fix fix, Func<string, string, string> message, params string[] sites)
            {
                KerasName = kerasName;
                Range = range;
                Integer = integer;
                ClearFix = fix;
                _message = message;
                Sites = sites;
            }

            /// <summary>Keras' keyword name (messages).</summary>
            public string KerasName { get; }

            public Range Range { get; }

            /// <summary>An int parameter (values print without a fraction).</summary>
            public bool Integer { get; }

            public Fix ClearFix { get; }

            /// <summary>Where the rule applies: "Keras.Layers.Dropout|.ctor|rate".</summary>
            public string[] Sites { get; }

            public bool IsValid(double value) => Range.Contains(value);

            /// <summary>
            /// Keras' error for <paramref name="value"/>, or null when the value is accepted. <paramref name="kerasName"/>
            /// overrides <see cref="KerasName"/> for rules shared by several arguments (tuple elements).
            /// </summary>
            public string? Problem(double value, string? kerasName = null) => Range.Contains(value) ? null : _message(Format(value), kerasName ?? KerasName);

            /// <summary>The value clearly meant by a rejected constant, or null when none is (then no code fix is offered).</summary>
            public double? ClearlyMeant(double value)
            {
                if (Range.Contains(value)) return null;
                if (ClearFix == Fix.Percent && value > 1 && value < 100 && Math.Floor(value) == value && Range.Contains(value / 100)) return value / 100;
                return null;
            }

            private string Format(double value) =>
                Integer && !double.IsNaN(value) && !double.IsInfinity(value) && Math.Floor(value) == value
                    ? ((long)value).ToString(CultureInfo.InvariantCulture)
                    : KerasFacts.PythonFloat(value);
        }

        private static readonly Range Positive = new Range(0, false, null, false);
        private static readonly Range NonNegative = new Range(0, true, null, false);
        private static readonly Range UnitClosed = new Range(0, true, 1, true);
        private static readonly Range UnitHalfOpen = new Range(0, true, 1, false);

        // ---- layers ----

        /// <summary>Dropout's rate: a fraction in [0, 1] (Keras' Dropout accepts 1, which drops everything).</summary>
        public static readonly Rule DropoutRate = new Rule("rate", UnitClosed, false, Fix.Percent,
            (v, n) => "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=" + v,
            "Keras.Layers.Dropout|.ctor|rate");

        public static readonly Rule DenseUnits = new Rule("units", Positive, true, Fix.None,
            (v, n) => "Received an invalid value for `units`, expected a positive integer. Received: units=" + v,
            "Keras.Layers.Dense|.ctor|units");

        public static readonly Rule RecurrentUnits = new Rule("units", Positive, true, Fix.None,
            (v, n) => "Received an invalid value for argument `units`, expected a positive integer, got " + v + ".",
            "Keras.Layers.Recurrent|.ctor|units");

        public static readonly Rule EmbeddingInputDim = new Rule("input_dim", Positive, true, Fix.None,
            (v, n) => "Both `input_dim` and `output_dim` should be positive, Received input_dim = " + v,
            "Keras.Layers.Embedding|.ctor|inputDim");

        public static readonly Rule EmbeddingOutputDim = new Rule("output_dim", Positive, true, Fix.None,
            (v, n) => "Both `input_dim` and `output_dim` should be positive, Received output_dim = " + v,
            "Keras.Layers.Embedding|.ctor|outputDim");

        public static readonly Rule ConvFilters = new Rule("filters", Positive, true, Fix.None,
            (v, n) => "Invalid value for argument `filters`. Expected a strictly positive value. Received filters=" + v + ".",
            "Keras.Layers.BaseConv|.ctor|filters", "Keras.Layers.BaseConvTranspose|.ctor|filters", "Keras.Layers.BaseSeparableConv|.ctor|filters");

        public static readonly Rule ConvGroups = new Rule("groups", Positive, true, Fix.None,
            (v, n) => "The number of groups must be a positive integer. Received: groups=" + v + ".",
            "Keras.Layers.BaseConv|.ctor|groups");

        /// <summary>Every element of kernel_size / strides / dilation_rate / pool_size / size (Keras' standardize_tuple).</summary>
        public static readonly Rule TupleElement = new Rule("kernel_size", Positive, true, Fix.None,
            (v, n) => "The `" + n + "` argument must be a tuple of positive integers (`value > 0`). Received a value of " + v,
            "Keras.Layers.BaseConv|.ctor|kernelSize", "Keras.Layers.BaseConv|.ctor|strides", "Keras.Layers.BaseConv|.ctor|dilationRate",
            "Keras.Layers.BaseConvTranspose|.ctor|kernelSize", "Keras.Layers.BaseConvTranspose|.ctor|strides", "Keras.Layers.BaseConvTranspose|.ctor|dilationRate",
            "Keras.Layers.BaseSeparableConv|.ctor|kernelSize", "Keras.Layers.BaseSeparableConv|.ctor|strides", "Keras.Layers.BaseSeparableConv|.ctor|dilationRate",
            "Keras.Layers.BaseDepthwiseConv|.ctor|kernelSize", "Keras.Layers.BaseDepthwiseConv|.ctor|strides", "Keras.Layers.BaseDepthwiseConv|.ctor|dilationRate",
            "Keras.Layers.BasePooling|.ctor|poolSize", "Keras.Layers.BasePooling|.ctor|strides",
            "Keras.Layers.UpSampling2D|.ctor|size", "Keras.Layers.UpSampling3D|.ctor|size");

        /// <summary>Elements of output_padding (allow_zero).</summary>
        public static readonly Rule TupleElementAllowZero = new Rule("output_padding", NonNegative, true, Fix.None,
            (v, n) => "The `" + n + "` argument must be a tuple of integers with `value >= 0`. Received a value of " + v,
            "Keras.Layers.BaseConvTranspose|.ctor|outputPadding");

        public static readonly Rule UpSampling1DSize = new Rule("size", Positive, true, Fix.None,
            (v, n) => "Argument `size` should be a positive integer. Received: size=" + v,
            "Keras.Layers.UpSampling1D|.ctor|size");

        public static readonly Rule RepeatVectorN = new Rule("n", Positive, true, Fix.None,
            (v, n) => "Argument `n` should be a positive integer. Received: n=" + v,
            "Keras.Layers.RepeatVector|.ctor|n");

        public static readonly Rule LeakyReluNegativeSlope = new Rule("negative_slope", NonNegative, false, Fix.None,
            (v, n) => "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. Expected a float. Received: negative_slope=" + v,
            "Keras.Layers.LeakyReLU|.ctor|negativeSlope");

        public static readonly Rule ReluMaxValue = new Rule("max_value", NonNegative, false, Fix.None,
            (v, n) => "max_value of a ReLU layer cannot be a negative value. Received: max_value=" + v,
            "Keras.Layers.ReLU|.ctor|maxValue");

        public static readonly Rule ReluNegativeSlope = new Rule("negative_slope", NonNegative, false, Fix.None,
            (v, n) => "negative_slope of a ReLU layer cannot be None or a negative value. Received: negative_slope=" + v,
            "Keras.Layers.ReLU|.ctor|negativeSlope");

        public static readonly Rule ReluThreshold = new Rule("threshold", NonNegative, false, Fix.None,
            (v, n) => "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=" + v,
            "Keras.Layers.ReLU|.ctor|threshold");

        // ---- optimizers and callbacks ----

        public static readonly Rule SgdMomentum = new Rule("momentum", UnitClosed, false, Fix.Percent,
            (v, n) => "`momentum` must be a float between [0, 1]. Received: momentum=" + v,
            "Keras.Optimizers.SGD|.ctor|momentum");

        public static readonly Rule ReduceLrFactor = new Rule("factor", new Range(null, false, 1, false), false, Fix.None,
            (v, n) => "ReduceLROnPlateau does not support a factor >= 1.0. Received factor=" + v,
            "Keras.Callbacks.ReduceLROnPlateau|.ctor|factor");

        // ---- Fit / Evaluate / Predict ----

        public static readonly Rule BatchSize = new Rule("batch_size", Positive, true, Fix.None,
            (v, n) => "`batch_size` must be a positive integer. Received: batch_size=" + v,
            "Keras.Models.Model|Fit|batchSize", "Keras.Models.Model|Evaluate|batchSize", "Keras.Models.Model|Predict|batchSize");

        public static readonly Rule StepsPerEpoch = new Rule("steps_per_epoch", Positive, true, Fix.None,
            (v, n) => "`" + n + "` must be a positive integer or None. Received: " + n + "=" + v,
            "Keras.Models.Model|Fit|stepsPerEpoch");

        /// <summary>validation_split is a fraction in [0, 1).</summary>
        public static readonly Rule ValidationSplit = new Rule("validation_split", UnitHalfOpen, false, Fix.Percent,
            (v, n) => "`validation_split` must be in [0, 1). Received: validation_split=" + v,
            "Keras.Models.Model|Fit|validationSplit");

        public static readonly Rule Epochs = new Rule("epochs", NonNegative, true, Fix.None,
            (v, n) => "`epochs` must be 0 or more. Received: epochs=" + v,
            "Keras.Models.Model|Fit|epochs");

        public static readonly Rule InitialEpoch = new Rule("initial_epoch", NonNegative, true, Fix.None,
            (v, n) => "`initial_epoch` must be 0 or more. Received: initial_epoch=" + v,
            "Keras.Models.Model|Fit|initialEpoch");

        /// <summary>Every rule, for the analyzers and the agreement test.</summary>
        public static readonly Rule[] All =
        {
            DropoutRate, DenseUnits, RecurrentUnits, EmbeddingInputDim, EmbeddingOutputDim, ConvFilters, ConvGroups, TupleElement,
            TupleElementAllowZero, UpSampling1DSize, RepeatVectorN, LeakyReluNegativeSlope, ReluMaxValue, ReluNegativeSlope, ReluThreshold, SgdMomentum,
            ReduceLrFactor, BatchSize, StepsPerEpoch, ValidationSplit, Epochs, InitialEpoch,
        };

        private static Dictionary<string, Dictionary<string, Rule>>? _bySite;

        /// <summary>The rule for (type metadata name, member, parameter), or null. Type is the declaring type or a base of it.</summary>
        public static Rule? Find(string typeMetadataName, string member, string parameter)
        {
            var bySite = _bySite;
            if (bySite == null)
            {
                bySite = new Dictionary<string, Dictionary<string, Rule>>(StringComparer.Ordinal);
                foreach (var rule in All)
                    foreach (var site in rule.Sites)
                    {
                        var parts = site.Split('|');
                        if (!bySite.TryGetValue(parts[0], out var members)) bySite[parts[0]] = members = new Dictionary<string, Rule>(StringComparer.Ordinal);
                        members[parts[1] + "|" + parts[2]] = rule;
                    }
                _bySite = bySite;
            }
            return bySite.TryGetValue(typeMetadataName, out var m) && m.TryGetValue(member + "|" + parameter, out var r) ? r : null;
        }

        /// <summary>True when some rule names <paramref name="typeMetadataName"/> (cheap pre-filter for the analyzer).</summary>
        public static bool HasRulesFor(string typeMetadataName)
        {
            Find(typeMetadataName, "", "");
            return _bySite!.ContainsKey(typeMetadataName);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;

namespace Keras.Optimizers.Schedules
{
    /// <summary>
    /// <c>keras.optimizers.schedules.PiecewiseConstantDecay(boundaries, values, name="PiecewiseConstant")</c>:
    /// <c>values[0]</c> while <c>step &lt;= boundaries[0]</c>, <c>values[i]</c> while
    /// <c>boundaries[i-1] &lt; step &lt;= boundaries[i]</c>, and <c>values[^1]</c> after the last boundary.
    /// </summary>
    [KerasClass("PiecewiseConstantDecay")]
    public sealed class PiecewiseConstantDecay : LearningRateSchedule
    {
        private readonly double[] _boundaries;
        private readonly double[] _values;

        /// <summary>Creates the schedule; <paramref name="values"/> has one more entry than <paramref name="boundaries"/>.</summary>
        public PiecewiseConstantDecay(IReadOnlyList<double> boundaries, IReadOnlyList<double> values, string name = "PiecewiseConstant")
        {
            if (boundaries is null) throw new KerasArgumentException("`boundaries` must be a list of numbers.", nameof(boundaries));
            if (values is null) throw new KerasArgumentException("`values` must be a list of numbers.", nameof(values));
            if (boundaries.Count != values.Count - 1)
                throw new KerasArgumentException(
                    "The length of boundaries should be 1 less than the length of values. Received: boundaries=" + List(boundaries) +
                    $" of length {boundaries.Count}, and values={List(values)} of length {values.Count}.");
            _boundaries = boundaries.ToArray();
            _values = values.ToArray();
            Name = name;
        }

        private static string List(IEnumerable<double> xs) => "[" + string.Join(", ", xs.Select(Shared.KerasFacts.PythonFloat)) + "]";

        /// <summary>boundaries.</summary>
        public IReadOnlyList<double> Boundaries => _boundaries;

        /// <summary>values.</summary>
        public IReadOnlyList<double> Values => _values;

        /// <summary>name.</summary>
        public string Name { get; }

        /// <inheritdoc />
        public override double Call(long step)
        {
            for (int i = 0; i < _boundaries.Length; i++)
                if (step <= _boundaries[i]) return _values[i];
            return _values[^1];
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject
        {
            ["boundaries"] = new JsonArray(_boundaries.Select(b => (JsonNode)JsonValue.Create(b)).ToArray()),
            ["values"] = new JsonArray(_values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
            ["name"] = Name,
        };

        internal static PiecewiseConstantDecay FromConfig(ConfigReader c)
        {
            double[] Numbers(string key)
            {
                if (c.Raw(key) is not JsonArray list) throw c.Error(key, "a list of numbers");
                return list.Select(item => item is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue<double>(out double d)
                    ? d : throw c.Error(key, "a list of numbers")).ToArray();
            }
            return new PiecewiseConstantDecay(Numbers("boundaries"), Numbers("values"), c.Name ?? "PiecewiseConstant");
        }
    }
}

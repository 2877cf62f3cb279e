using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using static TorchSharp.torch;

namespace Keras.Initializers
{
    /// <summary>
    /// <c>keras.initializers.VarianceScaling(scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None)</c>:
    /// <c>n</c> is fan_in, fan_out or their mean; "truncated_normal" draws with stddev
    /// <c>sqrt(scale / n) / 0.8796…</c> (so the truncated distribution has the wanted variance), "untruncated_normal"
    /// with <c>sqrt(scale / n)</c>, "uniform" within ±<c>sqrt(3 · scale / n)</c>. Keras 3.15's optional
    /// <c>input_axes</c>/<c>output_axes</c> choose the axes counted in the fans.
    /// </summary>
    [KerasClass("VarianceScaling")]
    public class VarianceScaling : RandomInitializer
    {
        /// <summary>Creates the initializer.</summary>
        public VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal", int? seed = null,
            int[]? inputAxes = null, int[]? outputAxes = null) : base(seed)
        {
            if (!(scale > 0.0))
                throw new KerasArgumentException($"Argument `scale` must be positive float. Received: scale={Shared.KerasFacts.PythonFloat(scale)}", nameof(scale));
            if (mode is not ("fan_in" or "fan_out" or "fan_avg"))
                throw new KerasArgumentException($"Invalid `mode` argument: {mode}. Please use one of {{'fan_in', 'fan_out', 'fan_avg'}}", nameof(mode));
            distribution = (distribution ?? "").ToLowerInvariant();
            if (distribution == "normal") distribution = "truncated_normal";
            if (distribution is not ("uniform" or "truncated_normal" or "untruncated_normal"))
                throw new KerasArgumentException(
                    $"Invalid `distribution` argument: {distribution}.Please use one of {{'uniform', 'truncated_normal', 'untruncated_normal'}}", nameof(distribution));
            if ((inputAxes == null) != (outputAxes == null))
                throw new KerasArgumentException("`input_axes` and `output_axes` must be given together.", nameof(inputAxes));
            Scale = scale;
            Mode = mode;
            Distribution = distribution;
            InputAxes = inputAxes;
            OutputAxes = outputAxes;
        }

        /// <summary>Scaling factor.</summary>
        public double Scale { get; }

        /// <summary>"fan_in", "fan_out" or "fan_avg".</summary>
        public string Mode { get; }

        /// <summary>"truncated_normal", "untruncated_normal" or "uniform".</summary>
        public string Distribution { get; }

        /// <summary>Axes counted in fan_in (null: Keras' default rule).</summary>
        public int[]? InputAxes { get; }

        /// <summary>Axes counted in fan_out (null: Keras' default rule).</summary>
        public int[]? OutputAxes { get; }

        /// <inheritdoc />
        public override Tensor Call(long[] shape, string dtype)
        {
            var (fanIn, fanOut) = InputAxes != null && OutputAxes != null ? AxesFans(shape) : ComputeFans(shape);
            double scale = Scale / Mode switch
            {
                "fan_in" => Math.Max(1.0, fanIn),
                "fan_out" => Math.Max(1.0, fanOut),
                _ => Math.Max(1.0, (fanIn + fanOut) / 2.0),
            };
            Tensor values = Distribution switch
            {
                "truncated_normal" => TruncatedNormal(shape, 0.0, Math.Sqrt(scale) / 0.87962566103423978),
                "untruncated_normal" => Normal(shape, 0.0, Math.Sqrt(scale)),
                _ => Uniform(shape, -Math.Sqrt(3.0 * scale), Math.Sqrt(3.0 * scale)),
            };
            return As(values, dtype);
        }

        private (double, double) AxesFans(long[] shape)
        {
            long Axis(int a) => a < 0 ? shape[shape.Length + a] : shape[a];
            return (InputAxes!.Aggregate(1.0, (p, a) => p * Axis(a)), OutputAxes!.Aggregate(1.0, (p, a) => p * Axis(a)));
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            if (GetType() == typeof(VarianceScaling))
            {
                c["scale"] = Scale;
                c["mode"] = Mode;
                c["distribution"] = Distribution;
            }
            // Written only when set: Keras before 3.15 does not accept the keys.
            if (InputAxes != null) c["input_axes"] = new JsonArray(InputAxes.Select(a => (JsonNode)a).ToArray());
            if (OutputAxes != null) c["output_axes"] = new JsonArray(OutputAxes.Select(a => (JsonNode)a).ToArray());
            return c;
        }

        internal static VarianceScaling FromConfig(ConfigReader config) =>
            new VarianceScaling(config.Double("scale", 1.0), config.Choice("mode", "fan_in", "fan_in", "fan_out", "fan_avg"),
                config.Choice("distribution", "truncated_normal", "truncated_normal", "untruncated_normal", "uniform", "normal"),
                config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));

        /// <summary>Reads optional fan axes.</summary>
        private protected static int[]? Axes(ConfigReader config, string key) => config.Has(key) ? config.IntList(key) : ConfigIgnore(config, key);

        private static int[]? ConfigIgnore(ConfigReader config, string key)
        {
            config.Ignore(key);
            return null;
        }
    }

    /// <summary><c>keras.initializers.GlorotUniform(seed=None)</c>: VarianceScaling(1.0, "fan_avg", "uniform"), limit sqrt(6 / (fan_in + fan_out)).</summary>
    [KerasClass("GlorotUniform")]
    public sealed class GlorotUniform : VarianceScaling
    {
        /// <summary>Creates the initializer.</summary>
        public GlorotUniform(int? seed = null, int[]? inputAxes = null, int[]? outputAxes = null) : base(1.0, "fan_avg", "uniform", seed, inputAxes, outputAxes) { }

        internal static new GlorotUniform FromConfig(ConfigReader config) =>
            new GlorotUniform(config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));
    }

    /// <summary><c>keras.initializers.GlorotNormal(seed=None)</c>: VarianceScaling(1.0, "fan_avg", "truncated_normal").</summary>
    [KerasClass("GlorotNormal")]
    public sealed class GlorotNormal : VarianceScaling
    {
        /// <summary>Creates the initializer.</summary>
        public GlorotNormal(int? seed = null, int[]? inputAxes = null, int[]? outputAxes = null) : base(1.0, "fan_avg", "truncated_normal", seed, inputAxes, outputAxes) { }

        internal static new GlorotNormal FromConfig(ConfigReader config) =>
            new GlorotNormal(config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));
    }

    /// <summary><c>keras.initializers.HeUniform(seed=None)</c>: VarianceScaling(2.0, "fan_in", "uniform"), limit sqrt(6 / fan_in).</summary>
    [KerasClass("HeUniform")]
    public sealed class HeUniform : VarianceScaling
    {
        /// <summary>Creates the initializer.</summary>
        public HeUniform(int? seed = null, int[]? inputAxes = null, int[]? outputAxes = null) : base(2.0, "fan_in", "uniform", seed, inputAxes, outputAxes) { }

        internal static new HeUniform FromConfig(ConfigReader config) =>
            new HeUniform(config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));
    }

    /// <summary><c>keras.initializers.HeNormal(seed=None)</c>: VarianceScaling(2.0, "fan_in", "truncated_normal").</summary>
    [KerasClass("HeNormal")]
    public sealed class HeNormal : VarianceScaling
    {
        /// <summary>Creates the initializer.</summary>
        public HeNormal(int? seed = null, int[]? inputAxes = null, int[]? outputAxes = null) : base(2.0, "fan_in", "truncated_normal", seed, inputAxes, outputAxes) { }

        internal static new HeNormal FromConfig(ConfigReader config) =>
            new HeNormal(config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));
    }

    /// <summary><c>keras.initializers.LecunUniform(seed=None)</c>: VarianceScaling(1.0, "fan_in", "uniform").</summary>
    [KerasClass("LecunUniform")]
    public sealed class LecunUniform : VarianceScaling
    {
        /// <summary>Creates the initializer.</summary>
        public LecunUniform(int? seed = null, int[]? inputAxes = null, int[]? outputAxes = null) : base(1.0, "fan_in", "uniform", seed, inputAxes, outputAxes) { }

        internal static new LecunUniform FromConfig(ConfigReader config) =>
            new LecunUniform(config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));
    }

    /// <summary><c>keras.initializers.LecunNormal(seed=None)</c>: VarianceScaling(1.0, "fan_in", "truncated_normal").</summary>
    [KerasClass("LecunNormal")]
    public sealed class LecunNormal : VarianceScaling
    {
        /// <summary>Creates the initializer.</summary>
        public LecunNormal(int? seed = null, int[]? inputAxes = null, int[]? outputAxes = null) : base(1.0, "fan_in", "truncated_normal", seed, inputAxes, outputAxes) { }

        internal static new LecunNormal FromConfig(ConfigReader config) =>
            new LecunNormal(config.OptionalInt("seed", min: 0), Axes(config, "input_axes"), Axes(config, "output_axes"));
    }
}

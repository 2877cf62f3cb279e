using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Regularizers
{
    /// <summary>
    /// <c>keras.regularizers.Regularizer</c>: a penalty computed from a weight (or, as an activity regularizer, from a
    /// layer's output) and added to the training loss, as Keras adds <c>model.losses</c>.
    /// </summary>
    [KerasKind("keras.regularizers", "regularizer")]
    public abstract class Regularizer : IKerasConfigurable
    {
        /// <summary>The penalty for <paramref name="x"/>, a scalar tensor in x's dtype.</summary>
        public abstract Tensor Call(Tensor x);

        /// <summary>Keras' <c>get_config()</c>.</summary>
        public virtual JsonObject GetConfig() => new JsonObject();

        /// <summary><c>keras.regularizers.get(identifier)</c>: "l1", "l2", "l1l2", "orthogonal_regularizer" or a class name.</summary>
        public static Regularizer Get(string identifier)
        {
            if (identifier is null) throw new KerasArgumentException("Could not interpret regularizer identifier: None", nameof(identifier));
            return KerasObjects.Deserialize<Regularizer>(JsonValue.Create(identifier)!, "keras.regularizers.get");
        }

        /// <summary>Keras' <c>validate_float_arg</c>: a finite, non-negative factor.</summary>
        private protected static double Factor(double value, string name)
        {
            if (double.IsNaN(value) || double.IsInfinity(value) || value < 0)
                throw new KerasArgumentException(
                    $"Invalid value for argument {name}: expected a non-negative float.Received: {name}={Shared.KerasFacts.PythonFloat(value)}", name);
            return value;
        }
    }

    /// <summary><c>keras.regularizers.L1(l1=0.01)</c>: <c>l1 · sum(|x|)</c>.</summary>
    [KerasClass("L1")]
    public sealed class L1 : Regularizer
    {
        /// <summary>Creates the regularizer.</summary>
        public L1(double l1 = 0.01) => Factor1 = Factor(l1, "l1");

        /// <summary>The factor.</summary>
        public double Factor1 { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor x)
        {
            using var abs = x.abs();
            return abs.sum().mul_(Factor1);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["l1"] = Factor1 };

        internal static L1 FromConfig(ConfigReader config) => new L1(config.Double("l1", 0.01));
    }

    /// <summary><c>keras.regularizers.L2(l2=0.01)</c>: <c>l2 · sum(x²)</c>.</summary>
    [KerasClass("L2")]
    public sealed class L2 : Regularizer
    {
        /// <summary>Creates the regularizer.</summary>
        public L2(double l2 = 0.01) => Factor2 = Factor(l2, "l2");

        /// <summary>The factor.</summary>
        public double Factor2 { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor x)
        {
            using var square = x.square();
            return square.sum().mul_(Factor2);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["l2"] = Factor2 };

        internal static L2 FromConfig(ConfigReader config) => new L2(config.Double("l2", 0.01));
    }

    /// <summary><c>keras.regularizers.L1L2(l1=0.0, l2=0.0)</c>: <c>l1 · sum(|x|) + l2 · sum(x²)</c>.</summary>
    [KerasClass("L1L2")]
    public sealed class L1L2 : Regularizer
    {
        /// <summary>Creates the regularizer.</summary>
        public L1L2(double l1 = 0.0, double l2 = 0.0)
        {
            Factor1 = Factor(l1, "l1");
            Factor2 = Factor(l2, "l2");
        }

        /// <summary>The L1 factor.</summary>
        public double Factor1 { get; }

        /// <summary>The L2 factor.</summary>
        public double Factor2 { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor x)
        {
            var total = zeros(System.Array.Empty<long>(), x.dtype, x.device);
            if (Factor1 != 0)
            {
                using var abs = x.abs();
                using var sum = abs.sum();
                total.add_(sum, alpha: Factor1);
            }
            if (Factor2 != 0)
            {
                using var square = x.square();
                using var sum = square.sum();
                total.add_(sum, alpha: Factor2);
            }
            return total;
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["l1"] = Factor1, ["l2"] = Factor2 };

        internal static L1L2 FromConfig(ConfigReader config) => new L1L2(config.Double("l1", 0.0), config.Double("l2", 0.0));
    }

    /// <summary>
    /// <c>keras.regularizers.OrthogonalRegularizer(factor=0.01, mode="rows")</c>: <c>factor · 0.5 · sum|P − diag P| / pairs</c>
    /// with P the products of the L2-normalized rows (or columns) of a rank-2 weight.
    /// </summary>
    [KerasClass("OrthogonalRegularizer")]
    public sealed class OrthogonalRegularizer : Regularizer
    {
        /// <summary>Creates the regularizer.</summary>
        public OrthogonalRegularizer(double factor = 0.01, string mode = "rows")
        {
            Factor = Regularizer.Factor(factor, "factor");
            if (mode is not ("rows" or "columns"))
                throw new KerasArgumentException($"Invalid value for argument `mode`. Expected one of {{\"rows\", \"columns\"}}. Received: mode={mode}", nameof(mode));
            Mode = mode;
        }

        /// <summary>The factor.</summary>
        public new double Factor { get; }

        /// <summary>"rows" or "columns".</summary>
        public string Mode { get; }

        /// <inheritdoc />
        public override Tensor Call(Tensor x)
        {
            if (x.dim() != 2)
                throw new KerasArgumentException($"Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=({string.Join(", ", x.shape)})");
            bool rows = Mode == "rows";
            long axis = rows ? 1 : 0;
            using var norm = x.norm((int)axis, keepdim: true).clamp_min(Config.Epsilon());
            using var normalized = x.div(norm);
            using var transposed = normalized.t();
            using var product = rows ? normalized.matmul(transposed) : transposed.matmul(normalized);
            long size = x.shape[rows ? 0 : 1];
            using var eye = torch.eye(size, dtype: x.dtype, device: x.device);
            using var offDiagonal = product.mul(eye.neg().add_(1.0));
            double pairs = size * (size - 1.0) / 2.0;
            using var abs = offDiagonal.abs();
            return abs.sum().mul_(Factor * 0.5 / pairs);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig() => new JsonObject { ["factor"] = Factor, ["mode"] = Mode };

        internal static OrthogonalRegularizer FromConfig(ConfigReader config) =>
            new OrthogonalRegularizer(config.Double("factor", 0.01), config.Choice("mode", "rows", "rows", "columns"));
    }
}

using System.Text.Json.Nodes;
using Keras.Regularizers;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.ActivityRegularization(l1=0.0, l2=0.0)</c>: returns its input unchanged and adds
    /// <c>l1·Σ|x| + l2·Σx²</c> (divided by the batch size, as every activity regularizer) to the training loss, through
    /// the layer's <see cref="Layer.ActivityRegularizer"/> (an <see cref="L1L2"/>). Keras' config holds <c>l1</c> and
    /// <c>l2</c>, not the regularizer.
    /// </summary>
    [KerasClass("ActivityRegularization")]
    public sealed class ActivityRegularization : Layer
    {
        /// <summary>Creates the layer.</summary>
        public ActivityRegularization(double l1 = 0.0, double l2 = 0.0, string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            ActivityRegularizer = new L1L2(l1, l2);
            L1 = l1;
            L2 = l2;
        }

        /// <summary>The L1 factor.</summary>
        public double L1 { get; }
        /// <summary>The L2 factor.</summary>
        public double L2 { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("activity_regularizer");
            c["l1"] = L1;
            c["l2"] = L2;
            return c;
        }

        internal static ActivityRegularization FromConfig(ConfigReader c) => new ActivityRegularization(c.Double("l1", 0.0), c.Double("l2", 0.0), c.Name);

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) => inputs.alias();
    }
}

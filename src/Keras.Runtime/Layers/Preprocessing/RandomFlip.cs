using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.RandomFlip(mode="horizontal_and_vertical", seed=None, data_format=None)</c>: while training, each
    /// image is flipped with probability ½ (one draw per image: with "horizontal_and_vertical" the same draw flips both
    /// axes); the identity (cast to the compute dtype) with training=false. See <see cref="BaseImagePreprocessingLayer"/>
    /// for when a call is training. An unknown <c>mode</c> (which Keras silently ignores) is refused.
    /// </summary>
    [KerasClass("RandomFlip")]
    public sealed class RandomFlip : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public RandomFlip(string mode = "horizontal_and_vertical", int? seed = null, string? dataFormat = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(dataFormat, true, seed, name, trainable, dtype)
        {
            if (mode != "horizontal" && mode != "vertical" && mode != "horizontal_and_vertical")
                throw new KerasArgumentException(
                    $"RandomFlip layer {Name} received an unknown mode argument {mode}. Expected one of 'horizontal', 'vertical', 'horizontal_and_vertical'.", nameof(mode));
            Mode = mode;
        }

        /// <summary>"horizontal", "vertical" or "horizontal_and_vertical".</summary>
        public string Mode { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("data_format");
            c["seed"] = Seed;
            c["mode"] = Mode;
            c["data_format"] = DataFormat;
            return c;
        }

        internal static RandomFlip FromConfig(ConfigReader c) =>
            new RandomFlip(c.String("mode", "horizontal_and_vertical"), c.OptionalInt("seed"), ImageFormats.Read(c), c.Name);

        /// <summary>Flips the images whose <paramref name="flips"/> entry (batch,) is true, in this layer's mode.</summary>
        internal Tensor Flip(Tensor batch, Tensor flips)
        {
            var (hAxis, wAxis) = SpatialAxes;
            using var where = flips.view(-1, 1, 1, 1);
            var output = batch.alias();
            if (Mode != "vertical")
            {
                using var previous = output;
                using var flipped = previous.flip(wAxis);
                output = torch.where(where, flipped, previous);
            }
            if (Mode != "horizontal")
            {
                using var previous = output;
                using var flipped = previous.flip(hAxis);
                output = torch.where(where, flipped, previous);
            }
            return output;
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var x = AsBatch(inputs, out bool single);
            if (training == false) return Unbatch(x, single);
            using (x)
            {
                using var u = Uniform(new[] { x.shape[0] }, 0, 1, x);
                using var flips = u.le(0.5);
                return Unbatch(Flip(x, flips), single);
            }
        }
    }
}

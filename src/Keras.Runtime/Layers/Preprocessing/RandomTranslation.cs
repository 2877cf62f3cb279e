using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.RandomTranslation(height_factor, width_factor, fill_mode="reflect", interpolation="bilinear",
    /// seed=None, fill_value=0.0, data_format=None)</c>: while training, each image is shifted by (dy, dx) pixels with
    /// dy drawn in [lower, upper)·H of <c>height_factor</c> and dx in [lower, upper)·W of <c>width_factor</c>: output pixel
    /// (y, x) samples the input at (y - dy, x - dx); the identity with training=false.
    /// </summary>
    [KerasClass("RandomTranslation")]
    public sealed class RandomTranslation : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public RandomTranslation(Factor heightFactor, Factor widthFactor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
            double fillValue = 0.0, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(dataFormat, true, seed, name, trainable, dtype)
        {
            HeightFactor = heightFactor;
            WidthFactor = widthFactor;
            HeightRange = SpatialFactor(heightFactor, "heightFactor", false, "[-1.0, 1.0]");
            WidthRange = SpatialFactor(widthFactor, "widthFactor", false, "[-1.0, 1.0]");
            ImageTransforms.CheckFillAndInterpolation(fillMode, interpolation);
            FillMode = fillMode;
            Interpolation = interpolation;
            FillValue = fillValue;
        }

        /// <summary>The height factor as given.</summary>
        public Factor HeightFactor { get; }
        /// <summary>The width factor as given.</summary>
        public Factor WidthFactor { get; }
        /// <summary>(lower, upper) fraction of the height.</summary>
        public (double Lower, double Upper) HeightRange { get; }
        /// <summary>(lower, upper) fraction of the width.</summary>
        public (double Lower, double Upper) WidthRange { get; }
        /// <summary>"reflect", "wrap", "constant" or "nearest".</summary>
        public string FillMode { get; }
        /// <summary>"bilinear" or "nearest".</summary>
        public string Interpolation { get; }
        /// <summary>The value outside the image with fill_mode "constant".</summary>
        public double FillValue { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c.Remove("data_format");
            c["height_factor"] = HeightFactor.ToJson();
            c["width_factor"] = WidthFactor.ToJson();
            c["fill_mode"] = FillMode;
            c["interpolation"] = Interpolation;
            c["seed"] = Seed;
            c["fill_value"] = FillValue;
            c["data_format"] = DataFormat;
            return c;
        }

        internal static RandomTranslation FromConfig(ConfigReader c) =>
            new RandomTranslation(Factor.Read(c, "height_factor"), Factor.Read(c, "width_factor"), c.String("fill_mode", "reflect"),
                c.String("interpolation", "bilinear"), c.OptionalInt("seed"), c.Double("fill_value", 0.0), ImageFormats.Read(c), c.Name);

        /// <summary>Keras' translation matrices (batch, 8) for shifts in pixels.</summary>
        internal static Tensor Matrices(Tensor dy, Tensor dx)
        {
            using var scope = torch.NewDisposeScope();
            var y = dy.to_type(ScalarType.Float32);
            var x = dx.to_type(ScalarType.Float32);
            var zeros = torch.zeros_like(y);
            var ones = torch.ones_like(y);
            return torch.stack(new[] { ones, zeros, -x, zeros, ones, -y, zeros, zeros }, 1).MoveToOuterDisposeScope();
        }

        /// <summary>Shifts each image of a batch by its (dy, dx) pixels.</summary>
        internal Tensor Translate(Tensor batch, Tensor dy, Tensor dx)
        {
            using var m = Matrices(dy, dx);
            return Affine(batch, m, Interpolation, FillMode, FillValue);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var x = AsBatch(inputs, out bool single);
            if (training == false) return Unbatch(x, single);
            using (x)
            {
                var (hAxis, wAxis) = SpatialAxes;
                var shape = new[] { x.shape[0] };
                using var dy = Uniform(shape, HeightRange.Lower * x.shape[hAxis], HeightRange.Upper * x.shape[hAxis], x);
                using var dx = Uniform(shape, WidthRange.Lower * x.shape[wAxis], WidthRange.Upper * x.shape[wAxis], x);
                return Unbatch(Translate(x, dy, dx), single);
            }
        }
    }
}

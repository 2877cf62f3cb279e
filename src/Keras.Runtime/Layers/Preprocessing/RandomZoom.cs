using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.RandomZoom(height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear",
    /// seed=None, fill_value=0.0, data_format=None)</c>: while training, each image is scaled about its center: output
    /// pixel (y, x) samples the input at (cy + hz·(y - cy), cx + wz·(x - cx)) with hz drawn in [1 + lower, 1 + upper)
    /// of <c>height_factor</c> (a positive factor zooms out, a negative one in) and wz from <c>width_factor</c> (or wz = hz
    /// when it is null); the identity with training=false.
    /// </summary>
    [KerasClass("RandomZoom")]
    public sealed class RandomZoom : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public RandomZoom(Factor heightFactor, Factor? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
            double fillValue = 0.0, string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(dataFormat, true, seed, name, trainable, dtype)
        {
            HeightFactor = heightFactor;
            WidthFactor = widthFactor;
            HeightRange = SpatialFactor(heightFactor, "heightFactor", true, "(-1.0, 1.0]");
            if (widthFactor is { } w) WidthRange = SpatialFactor(w, "widthFactor", true, "(-1.0, 1.0]");
            ImageTransforms.CheckFillAndInterpolation(fillMode, interpolation);
            FillMode = fillMode;
            Interpolation = interpolation;
            FillValue = fillValue;
        }

        /// <summary>The height factor as given.</summary>
        public Factor HeightFactor { get; }
        /// <summary>The width factor as given, or null (the height's zoom is used).</summary>
        public Factor? WidthFactor { get; }
        /// <summary>(lower, upper) of the height zoom minus 1.</summary>
        public (double Lower, double Upper) HeightRange { get; }
        /// <summary>(lower, upper) of the width zoom minus 1, or null.</summary>
        public (double Lower, double Upper)? WidthRange { get; }
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
            c["width_factor"] = WidthFactor?.ToJson();
            c["fill_mode"] = FillMode;
            c["interpolation"] = Interpolation;
            c["seed"] = Seed;
            c["fill_value"] = FillValue;
            c["data_format"] = DataFormat;
            return c;
        }

        internal static RandomZoom FromConfig(ConfigReader c) =>
            new RandomZoom(Factor.Read(c, "height_factor"), Factor.ReadOptional(c, "width_factor"), c.String("fill_mode", "reflect"),
                c.String("interpolation", "bilinear"), c.OptionalInt("seed"), c.Double("fill_value", 0.0), ImageFormats.Read(c), c.Name);

        /// <summary>Keras' zoom matrices (batch, 8) for zoom factors (batch,) of height and width.</summary>
        internal static Tensor Matrices(Tensor heightZoom, Tensor widthZoom, long height, long width)
        {
            using var scope = torch.NewDisposeScope();
            var hz = heightZoom.to_type(ScalarType.Float32);
            var wz = widthZoom.to_type(ScalarType.Float32);
            var zeros = torch.zeros_like(hz);
            var xOffset = (1 - wz) * ((width - 1) / 2.0);
            var yOffset = (1 - hz) * ((height - 1) / 2.0);
            return torch.stack(new[] { wz, zeros, xOffset, zeros, hz, yOffset, zeros, zeros }, 1).MoveToOuterDisposeScope();
        }

        /// <summary>Zooms each image of a batch by its factors.</summary>
        internal Tensor Zoom(Tensor batch, Tensor heightZoom, Tensor widthZoom)
        {
            var (hAxis, wAxis) = SpatialAxes;
            using var m = Matrices(heightZoom, widthZoom, batch.shape[hAxis], batch.shape[wAxis]);
            return Affine(batch, m, Interpolation, FillMode, FillValue);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var x = AsBatch(inputs, out bool single);
            if (training == false) return Unbatch(x, single);
            using (x)
            {
                var shape = new[] { x.shape[0] };
                using var hz = Uniform(shape, 1 + HeightRange.Lower, 1 + HeightRange.Upper, x);
                using var wz = WidthRange is { } w ? Uniform(shape, 1 + w.Lower, 1 + w.Upper, x) : hz.alias();
                return Unbatch(Zoom(x, hz, wz), single);
            }
        }
    }
}

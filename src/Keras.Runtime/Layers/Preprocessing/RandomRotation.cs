using System;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.RandomRotation(factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
    /// data_format=None)</c>: while training, each image is rotated about its center ((W-1)/2, (H-1)/2) by an angle drawn
    /// uniformly in [lower·360°, upper·360°) (<c>factor</c> f means ±f of a full turn), sampling the input with Keras'
    /// <c>affine_transform</c>; the identity with training=false.
    /// </summary>
    [KerasClass("RandomRotation")]
    public sealed class RandomRotation : BaseImagePreprocessingLayer
    {
        /// <summary>Creates the layer.</summary>
        public RandomRotation(Factor factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null, double fillValue = 0.0,
            string? dataFormat = null, string? name = null, bool trainable = true, string? dtype = null)
            : base(dataFormat, true, seed, name, trainable, dtype)
        {
            Range = BaseFactor(factor, -1, 1);
            ImageTransforms.CheckFillAndInterpolation(fillMode, interpolation);
            FillMode = fillMode;
            Interpolation = interpolation;
            FillValue = fillValue;
        }

        /// <summary>The (lower, upper) fraction of a full turn.</summary>
        public (double Lower, double Upper) Range { get; }
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
            c["factor"] = new JsonArray(JsonValue.Create(Range.Lower), JsonValue.Create(Range.Upper));
            c["data_format"] = DataFormat;
            c["fill_mode"] = FillMode;
            c["fill_value"] = FillValue;
            c["interpolation"] = Interpolation;
            c["seed"] = Seed;
            return c;
        }

        internal static RandomRotation FromConfig(ConfigReader c) =>
            new RandomRotation(Factor.Read(c, "factor"), c.String("fill_mode", "reflect"), c.String("interpolation", "bilinear"), c.OptionalInt("seed"),
                c.Double("fill_value", 0.0), ImageFormats.Read(c), c.Name);

        /// <summary>Keras' rotation matrices (batch, 8) for angles in degrees, images of <paramref name="height"/>×<paramref name="width"/>.</summary>
        internal static Tensor Matrices(Tensor degrees, long height, long width)
        {
            using var scope = torch.NewDisposeScope();
            var angle = degrees.to_type(ScalarType.Float32) * (float)(Math.PI / 180.0);
            double cx = 0.5 * (width - 1), cy = 0.5 * (height - 1);
            var cos = angle.cos();
            var sin = angle.sin();
            var a2 = cx - cx * cos + cy * sin;
            var b2 = cy - cx * sin - cy * cos;
            var zeros = torch.zeros_like(cos);
            return torch.stack(new[] { cos, -sin, a2, sin, cos, b2, zeros, zeros }, 1).MoveToOuterDisposeScope();
        }

        /// <summary>Rotates each image of a batch by its angle (degrees).</summary>
        internal Tensor Rotate(Tensor batch, Tensor degrees)
        {
            var (hAxis, wAxis) = SpatialAxes;
            using var m = Matrices(degrees, batch.shape[hAxis], batch.shape[wAxis]);
            return Affine(batch, m, Interpolation, FillMode, FillValue);
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var x = AsBatch(inputs, out bool single);
            if (training == false) return Unbatch(x, single);
            using (x)
            {
                using var degrees = Uniform(new[] { x.shape[0] }, Range.Lower * 360.0, Range.Upper * 360.0, x);
                return Unbatch(Rotate(x, degrees), single);
            }
        }
    }
}

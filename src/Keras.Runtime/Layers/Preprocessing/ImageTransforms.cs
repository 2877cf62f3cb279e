using System;
using System.Linq;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' image operations as its torch backend computes them, for the preprocessing layers: <c>affine_transform</c>
    /// (output pixel (y, x) samples the input at <c>x' = a0·x + a1·y + a2</c>, <c>y' = b0·x + b1·y + b2</c>, nearest or
    /// bilinear, with the fill modes of <c>map_coordinates</c>) and <c>resize</c> (optional crop or pad to the target aspect
    /// ratio, then PyTorch's <c>interpolate</c>: "bilinear" or "bicubic" with half-pixel centers, optionally antialiased, or
    /// "nearest-exact").
    /// </summary>
    internal static class ImageTransforms
    {
        internal static readonly string[] FillModes = { "reflect", "wrap", "constant", "nearest" };
        internal static readonly string[] Interpolations = { "nearest", "bilinear" };

        /// <summary>Keras' NotImplementedError for an unknown fill_mode/interpolation, as an argument error.</summary>
        internal static void CheckFillAndInterpolation(string fillMode, string interpolation)
        {
            if (Array.IndexOf(FillModes, fillMode) < 0)
                throw new KerasArgumentException($"Unknown `fill_mode` {fillMode}. Expected of one ('reflect', 'wrap', 'constant', 'nearest').", nameof(fillMode));
            if (Array.IndexOf(Interpolations, interpolation) < 0)
                throw new KerasArgumentException($"Unknown `interpolation` {interpolation}. Expected of one ('nearest', 'bilinear').", nameof(interpolation));
        }

        private static Tensor FixIndex(Tensor index, long size, string fillMode)
        {
            switch (fillMode)
            {
                case "wrap":
                    return index.remainder(size);
                case "reflect":
                {
                    // mirror(2i + 1, 2n + 1) - 1, halved (floor): the edge pixel repeats (d c b a | a b c d | d c b a).
                    long s = 2 * size; // (2n + 1) - 1
                    using var twice = index.mul(2).add_(1);
                    using var shifted = twice.add(s);
                    using var wrapped = shifted.remainder(2 * s);
                    using var centered = wrapped.sub_(s);
                    using var mirrored = centered.abs();
                    using var minusOne = mirrored.sub_(1);
                    return minusOne.floor_divide(2);
                }
                default: // constant (validity decides) and nearest
                    return index.clamp(0, size - 1);
            }
        }

        /// <summary>
        /// Applies one 8-parameter transform per image (<paramref name="transforms"/>: (batch, 8) float32) to channels-last
        /// images (batch, height, width, channels). The caller owns the result.
        /// </summary>
        internal static Tensor Affine(Tensor images, Tensor transforms, string interpolation, string fillMode, double fillValue)
        {
            using var scope = torch.NewDisposeScope();
            long batch = images.shape[0], height = images.shape[1], width = images.shape[2], channels = images.shape[3];
            var t = transforms.to_type(ScalarType.Float32);
            var ys = torch.arange(height, ScalarType.Float32, images.device).view(1, height, 1);
            var xs = torch.arange(width, ScalarType.Float32, images.device).view(1, 1, width);
            Tensor Col(int i) => t[.., i].view(batch, 1, 1);
            var xIn = Col(0) * xs + Col(1) * ys + Col(2); // (batch, height, width)
            var yIn = Col(3) * xs + Col(4) * ys + Col(5);
            (Tensor Index, Tensor? Weight)[] Nodes(Tensor coordinate)
            {
                if (interpolation == "nearest") return new (Tensor, Tensor?)[] { (coordinate.round().to_type(ScalarType.Int64), null) };
                var lower = coordinate.floor();
                var upperWeight = coordinate - lower;
                var lowerIndex = lower.to_type(ScalarType.Int64);
                return new (Tensor, Tensor?)[] { (lowerIndex, 1 - upperWeight), (lowerIndex + 1, upperWeight) };
            }
            var flat = images.reshape(batch, height * width, channels);
            Tensor? result = null;
            foreach (var (yi, yw) in Nodes(yIn))
                foreach (var (xi, xw) in Nodes(xIn))
                {
                    var fy = FixIndex(yi, height, fillMode);
                    var fx = FixIndex(xi, width, fillMode);
                    var linear = (fy * width + fx).view(batch, height * width, 1).expand(batch, height * width, channels);
                    var value = flat.gather(1, linear).view(batch, height, width, channels);
                    if (fillMode == "constant")
                    {
                        var valid = (yi >= 0) & (yi < height) & (xi >= 0) & (xi < width);
                        var fill = torch.full(new long[] { 1 }, fillValue, images.dtype, images.device);
                        value = torch.where(valid.unsqueeze(-1), value, fill);
                    }
                    if (yw is not null && xw is not null) value = value * (yw * xw).to_type(images.dtype).unsqueeze(-1);
                    result = result is null ? value : result + value;
                }
            return result!.MoveToOuterDisposeScope();
        }

        /// <summary>
        /// Keras' torch <c>resize</c> of channels-last or channels-first 4-D images to (<paramref name="height"/>,
        /// <paramref name="width"/>), float inputs. The caller owns the result.
        /// </summary>
        internal static Tensor Resize(Tensor images, long height, long width, string interpolation, bool cropToAspectRatio, bool padToAspectRatio,
            double fillValue, bool channelsLast, bool antialias = false)
        {
            using var scope = torch.NewDisposeScope();
            var x = channelsLast ? images.permute(0, 3, 1, 2) : images.alias();
            long h = x.shape[2], w = x.shape[3];
            if (cropToAspectRatio)
            {
                long cropHeight = Math.Max(Math.Min(h, (long)((double)(w * height) / width)), 1);
                long cropWidth = Math.Max(Math.Min(w, (long)((double)(h * width) / height)), 1);
                long hStart = (long)((double)(h - cropHeight) / 2), wStart = (long)((double)(w - cropWidth) / 2);
                x = x.narrow(2, hStart, cropHeight).narrow(3, wStart, cropWidth);
            }
            else if (padToAspectRatio)
            {
                long padHeight = Math.Max(h, (long)((double)(w * height) / width));
                long padWidth = Math.Max(w, (long)((double)(h * width) / height));
                long hStart = (long)((double)(padHeight - h) / 2), wStart = (long)((double)(padWidth - w) / 2);
                // As Keras' torch backend: hStart rows of fill_value above and below, then wStart columns left and right.
                if (hStart > 0) x = nn.functional.pad(x, new[] { 0L, 0, hStart, hStart }, PaddingModes.Constant, fillValue);
                if (wStart > 0) x = nn.functional.pad(x, new[] { wStart, wStart, 0L, 0 }, PaddingModes.Constant, fillValue);
            }
            // Keras' RESIZE_INTERPOLATIONS; align_corners=False for the two filters, antialias only for them (Keras turns it
            // off for "nearest"). With antialias libtorch runs _upsample_bilinear2d_aa / _upsample_bicubic2d_aa.
            var resized = interpolation switch
            {
                "bilinear" => nn.functional.interpolate(x.contiguous(), new[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false,
                    antialias: antialias),
                "bicubic" => nn.functional.interpolate(x.contiguous(), new[] { height, width }, mode: InterpolationMode.Bicubic, align_corners: false,
                    antialias: antialias),
                "nearest" => nn.functional.interpolate(x.contiguous(), new[] { height, width }, mode: InterpolationMode.NearestExact),
                _ => throw new KerasArgumentException($"Invalid value for argument `interpolation`: {interpolation}.", nameof(interpolation)),
            };
            var output = channelsLast ? resized.permute(0, 2, 3, 1).contiguous() : resized;
            return output.MoveToOuterDisposeScope();
        }
    }
}

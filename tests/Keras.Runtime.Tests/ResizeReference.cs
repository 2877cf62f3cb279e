namespace Keras.Runtime.Tests;

/// <summary>
/// PyTorch's <c>interpolate</c> (what Keras' torch backend resizes with) written as plain loops, independently of the
/// code under test: per-axis weight matrices and their separable application to a channels-last batch.
/// </summary>
internal static class ResizeReference
{
    /// <summary>Keys' cubic convolution kernel with parameter <paramref name="a"/> (PyTorch: -0.75 plain, -0.5 antialiased).</summary>
    public static double Keys(double s, double a)
    {
        s = Math.Abs(s);
        if (s < 1) return (a + 2) * s * s * s - (a + 3) * s * s + 1;
        if (s < 2) return a * s * s * s - 5 * a * s * s + 8 * a * s - 4 * a;
        return 0;
    }

    /// <summary>
    /// PyTorch's interpolate (align_corners=False, output size given, so scale = input/output) along one axis as a dense
    /// (output, input) weight matrix. "bilinear": source (o + ½)·scale − ½ clamped at 0, neighbours floor and floor + 1
    /// (clamped). "bicubic": the same source unclamped, Keys' kernel (a = −0.75) at floor − 1 … floor + 2, indices clamped
    /// to the border. "nearest": nearest-exact. Antialiased (bilinear/bicubic): centre scale·(o + ½), support
    /// (taps/2)·max(scale, 1), taps j in [trunc(centre − support + ½), trunc(centre + support + ½)) ∩ [0, input), weight
    /// filter((j − centre + ½)/max(scale, 1)) with the triangle or Keys' a = −0.5, normalised to sum 1.
    /// </summary>
    public static double[,] AxisWeights(long input, long output, string interpolation, bool antialias)
    {
        var w = new double[output, input];
        double scale = (double)input / output;
        for (long o = 0; o < output; o++)
        {
            if (interpolation == "nearest")
            {
                w[o, Math.Min((long)Math.Floor((o + 0.5) * scale), input - 1)] = 1;
            }
            else if (antialias)
            {
                int taps = interpolation == "bicubic" ? 4 : 2;
                double stretch = Math.Max(scale, 1), support = taps / 2.0 * stretch, center = scale * (o + 0.5);
                long lo = Math.Max((long)(center - support + 0.5), 0), hi = Math.Min((long)(center + support + 0.5), input);
                double total = 0;
                for (long j = lo; j < hi; j++)
                {
                    double d = (j - center + 0.5) / stretch;
                    double f = interpolation == "bicubic" ? Keys(d, -0.5) : Math.Max(0, 1 - Math.Abs(d));
                    w[o, j] = f;
                    total += f;
                }
                for (long j = lo; j < hi; j++) w[o, j] /= total;
            }
            else if (interpolation == "bicubic")
            {
                double src = (o + 0.5) * scale - 0.5;
                long i0 = (long)Math.Floor(src);
                double t = src - i0;
                for (long k = -1; k <= 2; k++) w[o, Math.Clamp(i0 + k, 0, input - 1)] += Keys(t - k, -0.75);
            }
            else
            {
                double src = Math.Max((o + 0.5) * scale - 0.5, 0);
                long i0 = (long)Math.Floor(src);
                w[o, i0] += 1 - (src - i0);
                w[o, Math.Min(i0 + 1, input - 1)] += src - i0;
            }
        }
        return w;
    }

    /// <summary>Separable resizing of a channels-last batch: y[n, i, j, c] = Σ_p Σ_q H[i, p]·W[j, q]·x[n, p, q, c].</summary>
    public static Nd Interpolate(Nd x, long height, long width, string interpolation, bool antialias)
    {
        var wh = AxisWeights(x.Shape[1], height, interpolation, antialias);
        var ww = AxisWeights(x.Shape[2], width, interpolation, antialias);
        var y = new Nd(new[] { x.Shape[0], height, width, x.Shape[3] });
        foreach (var o in Nd.Indices(y.Shape))
        {
            double sum = 0;
            for (long p = 0; p < x.Shape[1]; p++)
                for (long q = 0; q < x.Shape[2]; q++)
                    sum += wh[o[1], p] * ww[o[2], q] * x[o[0], p, q, o[3]];
            y[o] = sum;
        }
        return y;
    }
}

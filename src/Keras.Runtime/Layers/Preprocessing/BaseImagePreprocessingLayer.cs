using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Interop;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' <c>BaseImagePreprocessingLayer</c>: image layers on batches (rank 4) or single images (rank 3) in
    /// <c>data_format</c>, which every one writes to its config. The random (augmentation) layers draw their parameters
    /// from the layer's seed, per call and per image; Keras' call signature defaults <c>training</c> to True, so they
    /// transform when called directly (training unspecified) and in <c>Fit</c>, and are the identity when called with
    /// training=false (<c>Predict</c>, <c>Evaluate</c>).
    /// </summary>
    public abstract class BaseImagePreprocessingLayer : Layer
    {
        private readonly SeedGenerators? _generator;

        private protected BaseImagePreprocessingLayer(string? dataFormat, bool random, int? seed, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            DataFormat = ImageFormats.Standardize(dataFormat);
            Seed = seed;
            if (random) _generator = new SeedGenerators(seed);
        }

        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }

        /// <summary>The seed given, or null (random layers).</summary>
        public int? Seed { get; }

        private protected bool ChannelsLast => DataFormat == "channels_last";

        internal override System.Collections.Generic.IReadOnlyList<Generator> RandomGenerators =>
            _generator == null ? System.Array.Empty<Generator>() : _generator.All;

        /// <summary>Uniform values in [low, high) of <paramref name="shape"/> (float32, on the device of <paramref name="like"/>).</summary>
        private protected Tensor Uniform(long[] shape, double low, double high, Tensor like)
        {
            using var f32 = like.dtype == ScalarType.Float32 ? like.alias() : torch.empty(new long[] { 0 }, ScalarType.Float32, like.device);
            using var u = _generator!.Uniform(shape, f32);
            return u.mul(high - low).add_(low);
        }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["data_format"] = DataFormat;
            return c;
        }

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != 3 && inputShape.Length != 4)
                throw new KerasArgumentException(
                    $"Layer \"{Name}\" expects images of rank 3 (single image) or 4 (batch of images). Received input with shape {FormatShape(inputShape)}.");
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        /// <summary>The inputs as a float batch (rank 4) in the compute dtype; <paramref name="single"/> when a rank-3 image came.</summary>
        private protected Tensor AsBatch(Tensor inputs, out bool single)
        {
            single = inputs.dim() == 3;
            var type = Dtypes.ToScalarType(ComputeDtype);
            using var batched = single ? inputs.unsqueeze(0) : inputs.alias();
            return batched.dtype == type ? batched.alias() : batched.to_type(type);
        }

        /// <summary>Undoes <see cref="AsBatch"/>'s batch axis (disposes <paramref name="batch"/> when it makes a new tensor).</summary>
        private protected static Tensor Unbatch(Tensor batch, bool single)
        {
            if (!single) return batch;
            using (batch) return batch.squeeze(0);
        }

        /// <summary>Keras' <c>affine_transform</c> of a batch in this layer's format with one transform row (8 values) per image.</summary>
        private protected Tensor Affine(Tensor batch, Tensor transforms, string interpolation, string fillMode, double fillValue)
        {
            if (ChannelsLast) return ImageTransforms.Affine(batch, transforms, interpolation, fillMode, fillValue);
            using var last = batch.permute(0, 2, 3, 1);
            using var transformed = ImageTransforms.Affine(last, transforms, interpolation, fillMode, fillValue);
            using var first = transformed.permute(0, 3, 1, 2);
            return first.contiguous();
        }

        /// <summary>
        /// Keras' <c>_set_factor</c> of the base layer: a number f gives (max(-|f|, lower bound), |f|), a pair is sorted;
        /// values outside [<paramref name="low"/>, <paramref name="high"/>] are refused with Keras' message.
        /// </summary>
        private protected static (double Lower, double Upper) BaseFactor(Factor factor, double low, double high)
        {
            string error = $"The `factor` argument should be a number (or a list of two numbers) in the range [{Factor.Number(low).Replace(".0", "")}, " +
                           $"{Factor.Number(high).Replace(".0", "")}]. Received: factor={factor}";
            if (factor.Pair is { } p)
            {
                if (double.IsNaN(p.Lower) || double.IsNaN(p.Upper) || p.Lower > high || p.Upper < low) throw new KerasArgumentException(error, "factor");
                return p.Lower <= p.Upper ? (p.Lower, p.Upper) : (p.Upper, p.Lower);
            }
            double f = factor.Single ?? 0;
            if (double.IsNaN(f) || f < low || f > high) throw new KerasArgumentException(error, "factor");
            f = System.Math.Abs(f);
            return (System.Math.Max(-f, low), f);
        }

        /// <summary>
        /// RandomZoom's and RandomTranslation's <c>_set_factor</c>: a number f gives (-|f|, |f|), a pair is sorted; every
        /// value must lie in the layer's range (<paramref name="openLow"/>: the lower bound -1 itself is refused).
        /// </summary>
        private protected static (double Lower, double Upper) SpatialFactor(Factor factor, string argument, bool openLow, string range)
        {
            string prefix = $"The `height_factor` and `width_factor` arguments should be a number (or a list of two numbers) in the range {range}. ";
            void Check(double v)
            {
                if (double.IsNaN(v) || v > 1.0 || (openLow ? v <= -1.0 : v < -1.0))
                    throw new KerasArgumentException(prefix + $"Received: input_number={Factor.Number(v)}", argument);
            }
            if (factor.Pair is { } p)
            {
                Check(p.Lower);
                Check(p.Upper);
                return p.Lower <= p.Upper ? (p.Lower, p.Upper) : (p.Upper, p.Lower);
            }
            double f = factor.Single ?? 0;
            Check(f);
            f = System.Math.Abs(f);
            return (-f, f);
        }

        /// <summary>Height and width axes of a batch in this layer's format.</summary>
        private protected (int Height, int Width) SpatialAxes => ChannelsLast ? (1, 2) : (2, 3);
    }
}

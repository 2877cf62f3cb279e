using System.Linq;
using System.Text.Json.Nodes;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// Keras' <c>BaseGlobalPooling</c> (GlobalAveragePooling1D/2D/3D, GlobalMaxPooling1D/2D/3D): the mean
    /// or maximum over every spatial axis; (batch, channels), or with <c>keepdims</c> the spatial axes kept with size 1.
    /// </summary>
    public abstract class BaseGlobalPooling : Layer
    {
        private protected BaseGlobalPooling(int rank, bool average, string? dataFormat, bool keepdims, string? name, bool trainable, string? dtype)
            : base(name, trainable, dtype)
        {
            Rank = rank;
            IsAverage = average;
            DataFormat = ImageFormats.Standardize(dataFormat);
            Keepdims = keepdims;
        }

        /// <summary>Number of spatial dimensions.</summary>
        public int Rank { get; }
        /// <summary>"channels_last" or "channels_first".</summary>
        public string DataFormat { get; }
        /// <summary>Whether the spatial axes are kept (with size 1).</summary>
        public bool Keepdims { get; }

        private protected bool IsAverage { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["data_format"] = DataFormat;
            c["keepdims"] = Keepdims;
            return c;
        }

        private protected static (string DataFormat, bool Keepdims) Read(ConfigReader c) => (ImageFormats.Read(c), c.Bool("keepdims", false));

        /// <inheritdoc />
        protected override void AssertInputCompatibility(long[] inputShape)
        {
            if (inputShape.Length != Rank + 2) throw ConvUtils.WrongRank(Name, Rank + 2, inputShape, exact: true);
        }

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape) => AssertInputCompatibility(inputShape);

        private long[] SpatialAxes => Enumerable.Range(DataFormat == "channels_last" ? 1 : 2, Rank).Select(i => (long)i).ToArray();

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            bool last = DataFormat == "channels_last";
            long channels = last ? inputShape[inputShape.Length - 1] : inputShape[1];
            if (!Keepdims) return new[] { inputShape[0], channels };
            var ones = Enumerable.Repeat(1L, inputShape.Length - 2);
            return last ? new[] { inputShape[0] }.Concat(ones).Append(channels).ToArray() : new[] { inputShape[0], channels }.Concat(ones).ToArray();
        }

        /// <inheritdoc />
        protected override Tensor CallCore(Tensor inputs, bool? training) =>
            IsAverage ? inputs.mean(SpatialAxes, Keepdims) : inputs.amax(SpatialAxes, Keepdims);
    }
}

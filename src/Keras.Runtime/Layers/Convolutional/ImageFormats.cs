using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>Keras' standardize_data_format: null means the global image data format.</summary>
    internal static class ImageFormats
    {
        public static string Standardize(string? dataFormat)
        {
            if (dataFormat == null) return Config.ImageDataFormat();
            string? normalized = Shared.KerasFacts.NormalizeImageDataFormat(dataFormat);
            return normalized ?? throw new KerasArgumentException(
                "The `data_format` argument must be one of {'channels_first', 'channels_last'}. Received: data_format=" + dataFormat.ToLowerInvariant(),
                nameof(dataFormat));
        }

        /// <summary>Reads <c>data_format</c> from a config (null: the global image data format).</summary>
        internal static string Read(ConfigReader c)
        {
            string? value = c.OptionalString("data_format");
            if (value == null) return Config.ImageDataFormat();
            return Shared.KerasFacts.NormalizeImageDataFormat(value) ?? throw c.Error("data_format", "\"channels_last\" or \"channels_first\"");
        }

        /// <summary>TF/Keras "same" padding: (before, after) for one spatial axis.</summary>
        public static (long Before, long After) SamePadding(long size, long kernel, long stride)
        {
            long outSize = (size + stride - 1) / stride;
            long total = Math.Max((outSize - 1) * stride + kernel - size, 0);
            return (total / 2, total - total / 2);
        }
    }
}

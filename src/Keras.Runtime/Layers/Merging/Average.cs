using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary><c>keras.layers.Average()</c>: the element-wise mean.</summary>
    [KerasClass("Average")]
    public sealed class Average : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Average(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) { }

        internal static Average FromConfig(ConfigReader c) => new Average(c.Name);
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs)
        {
            using var sum = Fold(inputs, (a, b) => a.add(b));
            return sum.div(inputs.Count);
        }
    }
}

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
    /// <summary><c>keras.layers.Add()</c>: the element-wise sum.</summary>
    [KerasClass("Add")]
    public sealed class Add : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Add(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) { }

        internal static Add FromConfig(ConfigReader c) => new Add(c.Name);
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => a.add(b));
    }
}

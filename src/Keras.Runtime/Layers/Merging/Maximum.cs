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
    /// <summary><c>keras.layers.Maximum()</c>: the element-wise maximum.</summary>
    [KerasClass("Maximum")]
    public sealed class Maximum : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Maximum(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) { }

        internal static Maximum FromConfig(ConfigReader c) => new Maximum(c.Name);
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => torch.maximum(a, b));
    }
}

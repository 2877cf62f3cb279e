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
    /// <summary><c>keras.layers.Multiply()</c>: the element-wise product.</summary>
    [KerasClass("Multiply")]
    public sealed class Multiply : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Multiply(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) { }

        internal static Multiply FromConfig(ConfigReader c) => new Multiply(c.Name);
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => a.mul(b));
    }
}

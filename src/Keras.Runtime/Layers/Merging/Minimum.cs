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
    /// <summary><c>keras.layers.Minimum()</c>: the element-wise minimum.</summary>
    [KerasClass("Minimum")]
    public sealed class Minimum : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Minimum(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) { }

        internal static Minimum FromConfig(ConfigReader c) => new Minimum(c.Name);
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes) => BroadcastShape(shapes);
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => Fold(inputs, (a, b) => torch.minimum(a, b));
    }
}

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
    /// <summary><c>keras.layers.Subtract()</c>: the first input minus the second (exactly two inputs).</summary>
    [KerasClass("Subtract")]
    public sealed class Subtract : Merge
    {
        /// <summary>Creates the layer.</summary>
        public Subtract(string? name = null, bool trainable = true, string? dtype = null) : base(name, trainable, dtype) { }

        internal static Subtract FromConfig(ConfigReader c) => new Subtract(c.Name);
        private protected override int MinInputs => 2;
        private protected override long[] MergeShape(IReadOnlyList<long[]> shapes)
        {
            if (shapes.Count != 2) throw new KerasArgumentException($"A `Subtract` layer should be called on exactly 2 inputs. Received: {shapes.Count} inputs");
            return BroadcastShape(shapes);
        }
        private protected override Tensor MergeTensors(IReadOnlyList<Tensor> inputs) => inputs[0].sub(inputs[1]);
    }
}

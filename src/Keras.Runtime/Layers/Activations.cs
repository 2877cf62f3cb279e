using System;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras
{
    /// <summary><c>keras.activations</c>: resolves Keras' activation names.</summary>
    public static class Activations
    {
        /// <summary>Names this runtime knows, as Keras spells them.</summary>
        public static readonly string[] Names =
        {
            "linear", "relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "elu", "selu",
            "softplus", "softsign", "swish", "silu", "exponential", "leaky_relu", "hard_sigmoid", "mish",
        };

        /// <summary>
        /// <c>keras.activations.get(identifier)</c>: null means linear. Returns a function that makes a new tensor.
        /// </summary>
        public static Func<Tensor, Tensor> Get(string? identifier) => identifier switch
        {
            null or "linear" => x => x.alias(),
            "relu" => x => nn.functional.relu(x),
            "relu6" => x => nn.functional.relu6(x),
            "sigmoid" => x => x.sigmoid(),
            "tanh" => x => x.tanh(),
            "softmax" => x => x.softmax(-1),
            "log_softmax" => x => x.log_softmax(-1),
            "gelu" => x => nn.functional.gelu(x),
            "elu" => x => nn.functional.elu(x, 1.0),
            "selu" => x => nn.functional.selu(x),
            "softplus" => x => nn.functional.softplus(x),
            "softsign" => x => nn.functional.softsign(x),
            "swish" or "silu" => x => nn.functional.silu(x),
            "exponential" => x => x.exp(),
            "leaky_relu" => x => nn.functional.leaky_relu(x, 0.2),
            "hard_sigmoid" => x =>
            {
                using var shifted = x.add(3);
                return nn.functional.relu6(shifted).div_(6);
            },
            "mish" => x => nn.functional.mish(x),
            _ => throw new KerasArgumentException(
                $"Could not interpret activation function identifier: {identifier}" +
                (Shared.KerasFacts.DidYouMean(identifier, Names) is { } near ? $". Did you mean '{near}'?" : "")),
        };
    }
}

using System;
using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras
{
    /// <summary>
    /// <c>keras.activations</c>: every function Keras resolves by name (the shared table
    /// <c>Keras.Shared.KerasIdentifiers.Activations</c>, which the analyzers read too), with Keras' default arguments.
    /// </summary>
    public static class Activations
    {
        /// <summary>The names Keras resolves, as Keras spells them.</summary>
        public static readonly string[] Names = Shared.KerasIdentifiers.Activations.Identifiers;

        /// <summary>Whether <c>keras.activations.get(name)</c> resolves <paramref name="name"/>.</summary>
        public static bool IsKnown(string? name) => name != null && Shared.KerasIdentifiers.Activations.Resolve(name) != null;

        /// <summary>
        /// <c>keras.activations.get(identifier)</c>: null means linear. Returns a function that makes a new tensor.
        /// Unknown names fail with Keras' message and the nearest known name.
        /// </summary>
        public static Func<Tensor, Tensor> Get(string? identifier)
        {
            if (identifier == null) return x => x.alias();
            string function = Shared.KerasIdentifiers.Activations.Resolve(identifier)
                              ?? throw new KerasArgumentException(Shared.KerasIdentifiers.Activations.UnknownMessage(identifier));
            return function switch
            {
                "linear" => x => x.alias(),
                "relu" => x => nn.functional.relu(x),
                "relu6" => x => nn.functional.relu6(x),
                "leaky_relu" => x => nn.functional.leaky_relu(x, 0.2),
                "sigmoid" => x => x.sigmoid(),
                "tanh" => x => x.tanh(),
                "softmax" => x => x.softmax(-1),
                "log_softmax" => x => x.log_softmax(-1),
                "gelu" => x => nn.functional.gelu(x),
                "elu" => x => nn.functional.elu(x, 1.0),
                "celu" => x => nn.functional.celu(x, 1.0),
                "selu" => x => nn.functional.selu(x),
                "softplus" => x => nn.functional.softplus(x),
                "softsign" => x => nn.functional.softsign(x),
                "silu" => x => nn.functional.silu(x),
                "exponential" => x => x.exp(),
                "mish" => x => nn.functional.mish(x),
                "hard_sigmoid" => HardSigmoid,
                "hard_silu" => x =>
                {
                    using var gate = HardSigmoid(x);
                    return x.mul(gate);
                },
                "hard_tanh" => x => x.clamp(-1.0, 1.0),
                "hard_shrink" => x =>
                {
                    using var magnitude = x.abs();
                    using var keep = magnitude.gt(0.5);
                    return x.mul(keep);
                },
                "soft_shrink" => x =>
                {
                    using var magnitude = x.abs();
                    using var shrunk = magnitude.sub(0.5).relu_();
                    using var sign = x.sign();
                    return shrunk.mul(sign);
                },
                "tanh_shrink" => x =>
                {
                    using var t = x.tanh();
                    return x.sub(t);
                },
                "squareplus" => x =>
                {
                    using var root = x.square().add_(4.0).sqrt_();
                    return root.add_(x).div_(2.0);
                },
                "sparse_plus" => x =>
                {
                    // 0 for x <= -1, (x + 1)² / 4 between, x for x >= 1
                    using var clipped = x.clamp(-1.0, 1.0);
                    using var quadratic = clipped.add(1.0).pow_(2).div_(4.0);
                    using var above = x.ge(1.0);
                    return torch.where(above, x, quadratic);
                },
                "sparse_sigmoid" => x => x.clamp(-1.0, 1.0).add_(1.0).div_(2.0),
                "log_sigmoid" => x => nn.functional.logsigmoid(x),
                "glu" => x =>
                {
                    var halves = x.chunk(2, -1);
                    try
                    {
                        using var gate = halves[1].sigmoid();
                        return halves[0].mul(gate);
                    }
                    finally
                    {
                        foreach (var h in halves) h.Dispose();
                    }
                },
                "sparsemax" => x => Sparsemax(x),
                "threshold" => throw new KerasArgumentException(Shared.KerasIdentifiers.UnusableActivation(function)!),
                _ => throw new KerasArgumentException(Shared.KerasIdentifiers.Activations.UnknownMessage(identifier)),
            };
        }

        /// <summary>Keras 3's hard_sigmoid: relu6(x + 3) / 6.</summary>
        private static Tensor HardSigmoid(Tensor x)
        {
            using var shifted = x.add(3);
            return nn.functional.relu6(shifted).div_(6);
        }

        /// <summary>Sparsemax over the last axis (Martins &amp; Astudillo, 2016), as keras.ops.sparsemax.</summary>
        private static Tensor Sparsemax(Tensor x)
        {
            long n = x.shape[x.dim() - 1];
            using var max = x.amax(new long[] { -1 }, keepdim: true);
            using var shifted = x.sub(max);
            var (sorted, _) = shifted.sort(-1, descending: true);
            using (sorted)
            {
                using var cumulative = sorted.cumsum(-1);
                using var k = torch.arange(1, n + 1, dtype: x.dtype, device: x.device);
                using var bound = sorted.mul(k).add_(1.0);
                using var support = bound.gt(cumulative);
                using var supportSize = support.sum(new long[] { -1 }, keepdim: true, type: ScalarType.Int64);
                using var last = supportSize.sub(1);
                using var supportCum = cumulative.gather(-1, last);
                using var size = supportSize.to_type(x.dtype);
                using var tau = supportCum.sub(1.0).div_(size);
                return shifted.sub(tau).relu_();
            }
        }
    }
}

using System.Collections.Generic;
using Keras.Interop;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.State
{
    /// <summary>
    /// The random generators of one layer's training-time randomness (dropout masks, noise), one per device, all from
    /// the layer's seed: a CUDA tensor's mask is drawn by a CUDA generator on the GPU (a CPU generator cannot draw CUDA
    /// tensors), and the CPU generator exists from the start so BackupAndRestore can save its state.
    /// </summary>
    internal sealed class SeedGenerators
    {
        private readonly ulong _seed;
        private readonly Dictionary<(DeviceType, int), Generator> _byDevice = new Dictionary<(DeviceType, int), Generator>();
        private readonly Generator _cpu;

        internal SeedGenerators(int? seed)
        {
            _seed = unchecked((ulong)(seed ?? KerasRandom.NextSeed()));
            _cpu = new Generator(_seed);
            _byDevice[(DeviceType.CPU, -1)] = _cpu;
        }

        /// <summary>The generator for tensors like <paramref name="like"/> (its device).</summary>
        internal Generator For(Tensor like)
        {
            var type = like.device_type;
            if (type == DeviceType.CPU) return _cpu;
            var key = (type, like.device_index);
            lock (_byDevice)
            {
                if (!_byDevice.TryGetValue(key, out var generator))
                {
                    generator = new Generator(_seed, like.device);
                    _byDevice[key] = generator;
                }
                return generator;
            }
        }

        /// <summary>Every generator made so far, CPU first (BackupAndRestore saves their states in this order).</summary>
        internal IReadOnlyList<Generator> All
        {
            get
            {
                lock (_byDevice) return new List<Generator>(_byDevice.Values);
            }
        }

        /// <summary>Uniform values in [0, 1) shaped like <paramref name="like"/>, on its device and in its dtype.</summary>
        internal Tensor Uniform(Tensor like) =>
            like.device_type == DeviceType.META
                ? torch.rand(like.shape, like.dtype, like.device)
                : torch.rand(like.shape, like.dtype, like.device, generator: For(like));

        /// <summary>Uniform values in [0, 1) of <paramref name="shape"/>, on the device and in the dtype of <paramref name="like"/>.</summary>
        internal Tensor Uniform(long[] shape, Tensor like) =>
            like.device_type == DeviceType.META
                ? torch.rand(shape, like.dtype, like.device)
                : torch.rand(shape, like.dtype, like.device, generator: For(like));

        /// <summary>Standard normal values shaped like <paramref name="like"/>, on its device and in its dtype.</summary>
        internal Tensor Normal(Tensor like) =>
            like.device_type == DeviceType.META
                ? torch.randn(like.shape, like.dtype, like.device)
                : torch.randn(like.shape, like.dtype, like.device, generator: For(like));
    }
}

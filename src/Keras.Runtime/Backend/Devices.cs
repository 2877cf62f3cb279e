using System;
using System.Threading;
using Keras.Errors;
using TorchSharp;

namespace Keras.Interop
{
    /// <summary>
    /// The device the runtime creates its tensors on, with Keras' torch-backend rule (keras/src/backend/torch/core.py):
    /// the <c>KERAS_TORCH_DEVICE</c> environment variable wins; otherwise CUDA when TorchSharp finds it, else the CPU.
    /// A <see cref="Backend.Device"/> scope overrides it for the code inside (and the async calls it makes).
    /// Convention for code in this runtime: variables and every tensor not derived from an input are created on
    /// <see cref="Current"/> (or on the device of the tensors they combine with); host copies happen only at the edges.
    /// </summary>
    internal static class Devices
    {
        private static readonly AsyncLocal<torch.Device?> Scoped = new AsyncLocal<torch.Device?>();
        private static readonly object Gate = new object();
        private static torch.Device? _default;

        /// <summary>The device in use now.</summary>
        internal static torch.Device Current => Scoped.Value ?? Default;

        /// <summary>True when the current device is the CPU (the fast path needs no transfers).</summary>
        internal static bool IsCpu => Current.type == DeviceType.CPU;

        /// <summary>The process-wide default: KERAS_TORCH_DEVICE, else CUDA if available, else CPU.</summary>
        internal static torch.Device Default
        {
            get
            {
                lock (Gate)
                {
                    if (_default is { } d) return d;
                    Native.EnsureLoaded();
                    string? requested = Environment.GetEnvironmentVariable("KERAS_TORCH_DEVICE");
                    _default = string.IsNullOrEmpty(requested) ? (torch.cuda.is_available() ? torch.CUDA : torch.CPU) : Parse(requested!, "KERAS_TORCH_DEVICE");
                    return _default;
                }
            }
        }

        /// <summary>Forgets the resolved default (tests change KERAS_TORCH_DEVICE).</summary>
        internal static void ResetForTesting()
        {
            lock (Gate) _default = null;
            Scoped.Value = null;
        }

        internal static IDisposable Enter(torch.Device device)
        {
            var previous = Scoped.Value;
            Scoped.Value = device;
            return new Scope(previous);
        }

        private sealed class Scope : IDisposable
        {
            private readonly torch.Device? _previous;
            private bool _done;

            public Scope(torch.Device? previous) => _previous = previous;

            public void Dispose()
            {
                if (_done) return;
                _done = true;
                Scoped.Value = _previous;
            }
        }

        /// <summary>Whether <paramref name="tensor"/> lives on <paramref name="device"/> (an index-less device matches any index).</summary>
        internal static bool IsOn(torch.Tensor tensor, torch.Device device) =>
            tensor.device_type == device.type && (device.index < 0 || device.type == DeviceType.CPU || tensor.device_index == device.index);

        /// <summary>Keras' name for a device: "cpu", "cuda:0", "meta".</summary>
        internal static string Name(torch.Device device) =>
            device.type switch
            {
                DeviceType.CPU => "cpu",
                DeviceType.CUDA => "cuda:" + Math.Max(0, device.index),
                DeviceType.META => "meta",
                var other => other.ToString().ToLowerInvariant() + (device.index >= 0 ? ":" + device.index : ""),
            };

        /// <summary>
        /// Parses a device name as Keras' torch backend does ("cpu", "cuda", "cuda:1", "gpu" and "gpu:1" mean CUDA;
        /// "meta" is LibTorch's data-less device) and checks that it exists, with an error saying why not and what to do.
        /// </summary>
        internal static torch.Device Parse(string name, string origin)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new KerasArgumentException($"Invalid device name '{name}' ({origin}): use \"cpu\", \"cuda\", \"cuda:N\" or \"gpu:N\".");
            string lower = name.Trim().ToLowerInvariant();
            string type = lower;
            int index = -1;
            int colon = lower.IndexOf(':');
            if (colon >= 0)
            {
                type = lower.Substring(0, colon);
                if (!int.TryParse(lower.Substring(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))
                    throw new KerasArgumentException($"Invalid device name '{name}' ({origin}): the part after ':' must be a device index such as 0 or 1.");
            }
            if (type == "gpu") type = "cuda";
            switch (type)
            {
                case "cpu":
                    return torch.CPU;
                case "meta":
                    return new torch.Device(DeviceType.META);
                case "cuda":
                {
                    Native.EnsureLoaded();
                    if (!torch.cuda.is_available())
                        throw new KerasArgumentException(
                            $"Device '{name}' ({origin}) was requested, but TorchSharp finds no CUDA device: either the app references only " +
                            "TorchSharp-cpu (add TorchSharp-cuda-linux or TorchSharp-cuda-windows instead, see the README's GPU section), or no " +
                            "NVIDIA driver is installed (check nvidia-smi). Use \"cpu\" to run without a GPU.");
                    int count = torch.cuda.device_count();
                    if (index >= count)
                        throw new KerasArgumentException(
                            $"Device '{name}' ({origin}) does not exist: this machine has {count} CUDA device(s), numbered 0 to {count - 1}.");
                    return index < 0 ? torch.CUDA : new torch.Device(DeviceType.CUDA, index);
                }
                default:
                    throw new KerasArgumentException(
                        $"Invalid device name '{name}' ({origin}): Keras' torch backend knows \"cpu\", \"cuda\" (or \"gpu\"), \"cuda:N\" and \"meta\".");
            }
        }
    }
}

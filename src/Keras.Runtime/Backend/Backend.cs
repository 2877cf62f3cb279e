using System;
using Keras.Errors;
using Keras.State;
using TorchSharp;

namespace Keras
{
    /// <summary>
    /// <c>keras.backend</c> / tf_keras.backend helpers: session reset, uids, and the config accessors under their
    /// backend names.
    /// </summary>
    public static class Backend
    {
        /// <summary>
        /// Keras' <c>keras.device(device_name)</c> scope: tensors the runtime creates inside the <c>using</c> block (layers
        /// built there, their variables and optimizer slots) live on <paramref name="deviceName"/> ("cpu", "cuda",
        /// "cuda:1", "gpu" = "cuda", "meta"). Outside any scope the default applies: <c>KERAS_TORCH_DEVICE</c>, else CUDA
        /// when TorchSharp finds it, else the CPU. A device that does not exist is an error saying why and what to do.
        /// </summary>
        public static IDisposable Device(string deviceName) => Interop.Devices.Enter(Interop.Devices.Parse(deviceName, "Keras.Backend.Device"));

        /// <summary>The device tensors are created on now, as Keras names it ("cpu", "cuda:0").</summary>
        public static string CurrentDevice() => Interop.Devices.Name(Interop.Devices.Current);

        /// <summary><c>keras.backend.clear_session()</c>: same as <see cref="Utils.ClearSession"/>.</summary>
        public static void ClearSession(bool freeMemory = true) => Utils.ClearSession(freeMemory);

        /// <summary>
        /// <c>keras.backend.get_uid(prefix)</c>: 1, 2, 3, ... per prefix. Shares counters with layer auto-naming, as in
        /// Keras 3: after a layer named "x" exists, GetUid("x") returns 2.
        /// </summary>
        public static int GetUid(string prefix = "") => GlobalState.GetUid(prefix ?? "");

        /// <summary><c>keras.backend.reset_uids()</c>: restarts every counter.</summary>
        public static void ResetUids() => GlobalState.ResetUids();

        /// <summary><c>keras.backend.floatx()</c>.</summary>
        public static string Floatx() => Config.Floatx();

        /// <summary><c>keras.backend.set_floatx(value)</c>.</summary>
        public static void SetFloatx(string value) => Config.SetFloatx(value);

        /// <summary><c>keras.backend.epsilon()</c>.</summary>
        public static double Epsilon() => Config.Epsilon();

        /// <summary><c>keras.backend.set_epsilon(value)</c>.</summary>
        public static void SetEpsilon(double value) => Config.SetEpsilon(value);

        /// <summary><c>keras.backend.image_data_format()</c>.</summary>
        public static string ImageDataFormat() => Config.ImageDataFormat();

        /// <summary><c>keras.backend.set_image_data_format(data_format)</c>.</summary>
        public static void SetImageDataFormat(string dataFormat) => Config.SetImageDataFormat(dataFormat);

        /// <summary>
        /// <c>keras.backend.is_keras_tensor(x)</c>, following the tf_keras page (seed 001): true for a
        /// <see cref="KerasTensor"/> (an Input or a layer's symbolic output), false for a concrete tensor or a Keras
        /// variable, and an error for anything that is not a tensor at all (arrays, numbers).
        /// </summary>
        public static bool IsKerasTensor(object? x)
        {
            switch (x)
            {
                case KerasTensor:
                    return true;
                case torch.Tensor:
                case KerasVariable:
                    return false;
                default:
                    throw new KerasArgumentException(
                        "Unexpectedly found an instance of type `" + (x?.GetType().FullName ?? "null") + "`. " +
                        "Expected a symbolic tensor instance.", nameof(x));
            }
        }
    }
}

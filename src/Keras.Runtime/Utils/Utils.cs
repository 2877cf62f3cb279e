using System;
using Keras.Errors;
using Keras.State;
using Keras.Utilities;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace Keras
{
    /// <summary><c>keras.utils</c>: session and reproducibility utilities.</summary>
    public static class Utils
    {
        /// <summary>
        /// <c>keras.utils.clear_session(free_memory=True)</c>: resets all state Keras keeps (layer-name counters, the
        /// global dtype policy, the random seed, traceback filtering, interactive logging, flash attention, unsafe
        /// deserialization) and releases the native memory of every layer, model and variable created before the
        /// call; using one of them afterwards raises <see cref="KerasObjectReleasedException"/>. floatx, epsilon,
        /// image data format, backend and the caps are kept, as in Keras. With <paramref name="freeMemory"/> the
        /// garbage collector also runs (what Keras' gc.collect() does).
        /// </summary>
        public static void ClearSession(bool freeMemory = true)
        {
            GlobalState.ClearSession(ReleaseReason.ClearSession);
            if (freeMemory)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                GC.Collect();
            }
        }

        /// <summary>
        /// <c>keras.utils.set_random_seed(seed)</c>: seeds every generator Keras uses here (TorchSharp's global
        /// generator, which weight initializers and dropout draw from, and Keras' own generator for shuffling).
        /// Seeds must be 0 or more (NumPy's rule, which Keras inherits).
        /// </summary>
        public static void SetRandomSeed(int seed)
        {
            if (seed < 0)
                throw new KerasArgumentOutOfRangeException(nameof(seed), seed,
                    $"Seed must be between 0 and 2**32 - 1. Received: seed={seed}");
            Interop.Native.EnsureLoaded();
            GlobalState.RandomSeed = seed;
            KerasRandom.Reseed(seed);
            torch.random.manual_seed(seed);
            if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
        }

        /// <summary><c>keras.utils.get_random_seed()</c> equivalent: the seed set since the last ClearSession, or null.</summary>
        public static int? GetRandomSeed() => GlobalState.RandomSeed;

        /// <summary>
        /// Keras' print_msg: writes <paramref name="message"/> to stdout when interactive logging is on, and to the
        /// configured logger (Information level) when it is off.
        /// </summary>
        public static void PrintMsg(string message, bool lineBreak = true) => IoUtils.PrintMsg(message, lineBreak);

        /// <summary>
        /// Sets where Keras sends its messages when interactive logging is off, and its warnings (category "Keras").
        /// Null restores the defaults (messages dropped, warnings to stderr).
        /// </summary>
        public static void SetLoggerFactory(ILoggerFactory? loggerFactory) => IoUtils.LoggerFactory = loggerFactory;

        /// <summary>
        /// Opt-in: keeps freed native memory in the process instead of returning it to the kernel after every large free
        /// (glibc's <c>mallopt(M_MMAP_THRESHOLD)</c> and <c>mallopt(M_TRIM_THRESHOLD)</c>, process-wide). With glibc's
        /// default thresholds, batch-sized buffers can be unmapped and faulted back in at every batch (hundreds of
        /// thousands of page faults per epoch), which makes throughput swing with allocation history. The trade-off:
        /// memory freed by the model stays in the process (resident memory does not shrink after large transient
        /// buffers), up to about <paramref name="trimThresholdBytes"/> beyond what is in use. Equivalent to starting the
        /// process with <c>MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=...</c>. Returns false (and changes
        /// nothing) where the C library is not glibc (Windows, macOS, Alpine). Call it once at start-up, before training.
        /// </summary>
        /// <param name="mmapThresholdBytes">Allocations at least this large use mmap (glibc caps it at 32 MiB).</param>
        /// <param name="trimThresholdBytes">Free memory at the top of the heap beyond this is returned to the kernel.</param>
        public static bool RetainNativeMemory(long mmapThresholdBytes = 32L << 20, long trimThresholdBytes = 1L << 30)
        {
            if (mmapThresholdBytes <= 0 || trimThresholdBytes <= 0)
                throw new KerasArgumentException(
                    $"Both thresholds must be positive. Received: mmapThresholdBytes={mmapThresholdBytes}, trimThresholdBytes={trimThresholdBytes}");
            return Interop.NativeMemory.Set(mmapThresholdBytes, trimThresholdBytes);
        }
    }
}

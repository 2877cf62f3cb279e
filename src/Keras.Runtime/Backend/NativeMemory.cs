using System;
using System.Runtime.InteropServices;
using Keras.Errors;

namespace Keras.Interop
{
    /// <summary>glibc's malloc tuning (mallopt), for <see cref="Utils.RetainNativeMemory"/>.</summary>
    internal static class NativeMemory
    {
        private const int M_TRIM_THRESHOLD = -1;
        private const int M_MMAP_THRESHOLD = -3;

        /// <summary>glibc caps the mmap threshold at 32 MiB on 64-bit systems.</summary>
        internal const long MaxMmapThreshold = 32L << 20;

        [DllImport("libc", EntryPoint = "mallopt")]
        private static extern int Mallopt(int param, int value);

        [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
        private static extern IntPtr GnuGetLibcVersion();

        /// <summary>Whether the process runs on glibc (Linux distributions other than Alpine/musl).</summary>
        internal static bool IsGlibc
        {
            get
            {
                if (!OperatingSystem.IsLinux()) return false;
                try
                {
                    return GnuGetLibcVersion() != IntPtr.Zero;
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    return false;
                }
            }
        }

        internal static bool Set(long mmapThreshold, long trimThreshold)
        {
            if (!IsGlibc) return false;
            int mmap = (int)Math.Min(mmapThreshold, MaxMmapThreshold);
            int trim = (int)Math.Min(trimThreshold, int.MaxValue);
            return Mallopt(M_MMAP_THRESHOLD, mmap) == 1 && Mallopt(M_TRIM_THRESHOLD, trim) == 1;
        }
    }
}

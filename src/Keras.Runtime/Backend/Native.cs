using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Keras.Errors;
using TorchSharp;

namespace Keras.Interop
{
    /// <summary>
    /// Loads TorchSharp's native library once and, when that fails, replaces TorchSharp's misleading
    /// "doesn't contain a reference to libtorch-cpu..." text with the dynamic loader's real error and the fix.
    /// </summary>
    internal static class Native
    {
        private static readonly object Gate = new object();
        private static bool _loaded;
        private static KerasNativeLibraryException? _failure;

        public static void EnsureLoaded()
        {
            if (_loaded) return;
            lock (Gate)
            {
                if (_loaded) return;
                if (_failure != null) throw _failure;
                // Ask the OS loader first: when the app's copy cannot load, TorchSharp would otherwise print a long
                // trace, copy ~500 MB of natives into a "cpu" folder as a fallback, and then throw a misleading error.
                var candidates = NativeLibraryCandidates(AppContext.BaseDirectory).Where(File.Exists).ToList();
                if (candidates.Count > 0)
                {
                    string? loaderError = ProbeLoaderError(candidates);
                    if (loaderError != null)
                    {
                        _failure = Explain(new DllNotFoundException(loaderError), loaderError);
                        throw _failure;
                    }
                }
                try
                {
                    torch.InitializeDeviceType(DeviceType.CPU);
                    _loaded = true;
                }
                catch (Exception e)
                {
                    _failure = Explain(e, ProbeLoaderError(NativeLibraryCandidates(AppContext.BaseDirectory)));
                    throw _failure;
                }
            }
        }

        /// <summary>Where an app's libLibTorchSharp.so (or .dll / .dylib) can be.</summary>
        internal static IEnumerable<string> NativeLibraryCandidates(string baseDirectory)
        {
            string file = OperatingSystem.IsWindows() ? "LibTorchSharp.dll"
                        : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib"
                        : "libLibTorchSharp.so";
            yield return Path.Combine(baseDirectory, file);
            yield return Path.Combine(baseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native", file);
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            yield return Path.Combine(baseDirectory, "runtimes", os + "-" + arch, "native", file);
        }

        /// <summary>Asks the OS loader to load the first existing candidate and returns its error text, or null.</summary>
        internal static string? ProbeLoaderError(IEnumerable<string> candidates)
        {
            foreach (var path in candidates)
            {
                if (!File.Exists(path)) continue;
                try
                {
                    NativeLibrary.Load(path); // stays loaded: TorchSharp resolves the same file next
                    return null;
                }
                catch (Exception e) when (e is DllNotFoundException || e is BadImageFormatException)
                {
                    return e.Message;
                }
            }
            return "libLibTorchSharp was not found next to the application (looked in " + string.Join(", ", candidates) + ")";
        }

        /// <summary>Builds the one clear exception: the loader's real error, then the fix for it.</summary>
        internal static KerasNativeLibraryException Explain(Exception torchError, string? loaderError)
        {
            string detail = loaderError ?? Innermost(torchError).Message;
            string fix;
            if (detail.Contains("GLIBCXX_", StringComparison.Ordinal))
                fix = "This machine's libstdc++ is older than the one TorchSharp was built against (Debian 12 and Ubuntu 22.04 " +
                      "stop at GLIBCXX_3.4.30). Keras.Runtime's build step patches the app's copy of libLibTorchSharp.so for " +
                      "such hosts: make sure the app references Keras.Runtime (so build/Keras.Runtime.targets runs) and that " +
                      "KerasPatchLibTorchSharp is not set to false, then rebuild. Installing GCC 13's libstdc++ also fixes it.";
            else if (detail.Contains("not found next to the application", StringComparison.Ordinal) ||
                     detail.Contains("cannot open shared object file", StringComparison.Ordinal))
                fix = "Reference a TorchSharp backend package from the app (TorchSharp-cpu, or a CUDA package such as " +
                      "TorchSharp-cuda-linux) so its native libraries are copied to the output folder, then rebuild.";
            else
                fix = "Check that the TorchSharp backend package matches this OS and architecture, then rebuild.";
            return new KerasNativeLibraryException(
                "TorchSharp's native library could not be loaded, so Keras cannot compute. The loader said: " + detail +
                Environment.NewLine + "Fix: " + fix, torchError)
            {
                LoaderError = loaderError,
            };
        }

        private static Exception Innermost(Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return e;
        }
    }
}

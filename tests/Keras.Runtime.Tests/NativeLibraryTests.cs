using System.Diagnostics;
using System.Security.Cryptography;
using Keras.Build;
using Keras.Errors;
using Keras.Interop;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>
/// TorchSharp on Debian 12 / Ubuntu 22.04: the ELF patch shipped in build/Keras.Runtime.targets, and the clear error
/// Keras.Runtime raises when the native library still does not load.
/// </summary>
public class NativeLibraryTests
{
    private static string NuGetCopy => KerasTestBase.Metadata("NuGetLibTorchSharp");

    private static string OutputCopy => Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so");

    private static HashSet<string> HostVersions()
    {
        string? host = LibTorchSharpPatcher.FindHostLibStdCxx(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"));
        return host == null ? new HashSet<string>() : LibTorchSharpPatcher.ReadDefinedVersions(File.ReadAllBytes(host));
    }

    private static bool HostLacks3432 => OperatingSystem.IsLinux() && !HostVersions().Contains("GLIBCXX_3.4.32");

    private static HashSet<string> Debian12Host()
    {
        // What Debian 12's libstdc++ defines: every GLIBCXX up to 3.4.30, and the CXXABI versions.
        var v = new HashSet<string> { "GLIBCXX_3.4" };
        for (int i = 1; i <= 30; i++) v.Add("GLIBCXX_3.4." + i);
        v.Add("CXXABI_1.3");
        for (int i = 1; i <= 13; i++) v.Add("CXXABI_1.3." + i);
        return v;
    }

    /// <summary>
    /// Every libLibTorchSharp.so this machine has: the NuGet cache's (any TorchSharp backend: cpu, cuda-linux, whatever is
    /// restored), the build outputs', and any named in KERAS_EXTRA_LIBTORCHSHARP (colon-separated), e.g. one from a CUDA
    /// install on a GPU machine.
    /// </summary>
    public static IEnumerable<object[]> EveryLibTorchSharp()
    {
        var found = new SortedSet<string>(StringComparer.Ordinal) { NuGetCopy };
        string cache = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(NuGetCopy)!)!)!)!)!;
        foreach (var package in Directory.GetDirectories(cache).Where(d => Path.GetFileName(d).StartsWith("torchsharp", StringComparison.OrdinalIgnoreCase) ||
                                                                           Path.GetFileName(d).StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)))
            foreach (var file in Directory.GetFiles(package, "libLibTorchSharp.so", SearchOption.AllDirectories)) found.Add(file);
        foreach (var extra in (Environment.GetEnvironmentVariable("KERAS_EXTRA_LIBTORCHSHARP") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(extra)) found.Add(extra);
        return found.Select(f => new object[] { f });
    }

    [Theory]
    [MemberData(nameof(EveryLibTorchSharp))]
    public void The_patcher_handles_every_libLibTorchSharp_it_is_given_safely_and_idempotently(string path)
    {
        byte[] original = File.ReadAllBytes(path);
        byte[]? patched = LibTorchSharpPatcher.Patch(original, Debian12Host(), out var outcome, out var detail);
        // Either nothing is needed, or only the 3.4.32 reference of the never-relocated symbol is retargeted; any other
        // missing version is refused, never patched.
        Assert.True(outcome is PatchOutcome.Patched or PatchOutcome.NotNeeded or PatchOutcome.Unsafe, $"{path}: {outcome} {detail}");
        if (outcome != PatchOutcome.Patched) return;
        Assert.Equal(original.Length, patched!.Length);
        var needs = LibTorchSharpPatcher.ReadNeededLibStdCxxVersions(patched);
        Assert.All(needs, v => Assert.True(LibTorchSharpPatcher.CompareGlibcxx(v, "GLIBCXX_3.4.30") <= 0 || !v.StartsWith("GLIBCXX", StringComparison.Ordinal), v));
        Assert.Null(LibTorchSharpPatcher.Patch(patched, Debian12Host(), out var again, out _));
        Assert.Equal(PatchOutcome.NotNeeded, again);
    }

    [Fact]
    public void Elf_hash_matches_the_system_v_reference_values()
    {
        Assert.Equal(0x077905a6u, LibTorchSharpPatcher.ElfHash("printf"));
        Assert.Equal(0u, LibTorchSharpPatcher.ElfHash(""));
    }

    [Fact]
    public void The_shipped_library_needs_GLIBCXX_3_4_32_only_for_a_symbol_it_never_relocates()
    {
        var needs = LibTorchSharpPatcher.ReadNeededLibStdCxxVersions(File.ReadAllBytes(NuGetCopy));
        Assert.Contains("GLIBCXX_3.4.32", needs);
        Assert.Contains("GLIBCXX_3.4.30", needs);
    }

    [Fact]
    public void Patching_for_a_debian_12_host_retargets_3_4_32_to_3_4_30_and_is_idempotent()
    {
        byte[] original = File.ReadAllBytes(NuGetCopy);
        byte[]? patched = LibTorchSharpPatcher.Patch(original, Debian12Host(), out var outcome, out var detail);
        Assert.Equal(PatchOutcome.Patched, outcome);
        Assert.Contains("GLIBCXX_3.4.32 -> GLIBCXX_3.4.30", detail);
        Assert.NotNull(patched);
        Assert.Equal(original.Length, patched!.Length);
        Assert.DoesNotContain("GLIBCXX_3.4.32", LibTorchSharpPatcher.ReadNeededLibStdCxxVersions(patched));
        int changed = original.Zip(patched).Count(p => p.First != p.Second);
        Assert.InRange(changed, 1, 8); // one Vernaux entry: its hash and its name offset

        Assert.Null(LibTorchSharpPatcher.Patch(patched, Debian12Host(), out var again, out _));
        Assert.Equal(PatchOutcome.NotNeeded, again);
    }

    [Fact]
    public void The_fix_is_skipped_on_hosts_whose_libstdcxx_has_GLIBCXX_3_4_32()
    {
        var modern = Debian12Host();
        modern.Add("GLIBCXX_3.4.31");
        modern.Add("GLIBCXX_3.4.32");
        Assert.Null(LibTorchSharpPatcher.Patch(File.ReadAllBytes(NuGetCopy), modern, out var outcome, out _));
        Assert.Equal(PatchOutcome.NotNeeded, outcome);
    }

    [Fact]
    public void A_missing_version_used_by_relocated_symbols_is_not_patched()
    {
        var older = Debian12Host();
        older.Remove("GLIBCXX_3.4.29"); // many real symbols need it: retargeting would break them
        Assert.Null(LibTorchSharpPatcher.Patch(File.ReadAllBytes(NuGetCopy), older, out var outcome, out var detail));
        Assert.Equal(PatchOutcome.Unsafe, outcome);
        Assert.Contains("GLIBCXX_3.4.29", detail);
    }

    [Fact]
    public void Files_that_are_not_elf_are_left_alone()
    {
        Assert.Null(LibTorchSharpPatcher.Patch(new byte[] { 1, 2, 3 }, Debian12Host(), out var outcome, out _));
        Assert.Equal(PatchOutcome.NotElf, outcome);
        Assert.Null(LibTorchSharpPatcher.Patch(new byte[200], Debian12Host(), out outcome, out _));
        Assert.Equal(PatchOutcome.NotElf, outcome);
    }

    [Fact]
    public void Patching_a_file_replaces_it_and_never_writes_through_a_hard_link_into_the_nuget_cache()
    {
        if (!OperatingSystem.IsLinux()) return; // the patch only ever runs on Linux hosts
        string dir = Directory.CreateTempSubdirectory("keras-patch-").FullName;
        try
        {
            string cache = Path.Combine(dir, "cache.so");
            string output = Path.Combine(dir, "libLibTorchSharp.so");
            File.Copy(NuGetCopy, cache);
            var originalTime = new DateTime(2026, 5, 7, 0, 0, 0, DateTimeKind.Utc);
            File.SetLastWriteTimeUtc(cache, originalTime);
            Process.Start("ln", new[] { cache, output })!.WaitForExit();
            byte[] before = SHA256.HashData(File.ReadAllBytes(cache));

            Assert.Equal(PatchOutcome.Patched, LibTorchSharpPatcher.PatchFile(output, Debian12Host(), out _));

            Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(cache)));
            Assert.DoesNotContain("GLIBCXX_3.4.32", LibTorchSharpPatcher.ReadNeededLibStdCxxVersions(File.ReadAllBytes(output)));
            Assert.Equal(originalTime, File.GetLastWriteTimeUtc(output)); // incremental builds keep skipping the copy
            Assert.Equal(PatchOutcome.NotNeeded, LibTorchSharpPatcher.PatchFile(output, Debian12Host(), out _));
            Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void The_build_patched_this_test_apps_copy_only_where_needed_and_left_the_nuget_cache_untouched()
    {
        var cacheNeeds = LibTorchSharpPatcher.ReadNeededLibStdCxxVersions(File.ReadAllBytes(NuGetCopy));
        Assert.Contains("GLIBCXX_3.4.32", cacheNeeds);
        var outputNeeds = LibTorchSharpPatcher.ReadNeededLibStdCxxVersions(File.ReadAllBytes(OutputCopy));
        if (HostLacks3432)
            Assert.DoesNotContain("GLIBCXX_3.4.32", outputNeeds);
        else
            Assert.Equal(File.ReadAllBytes(NuGetCopy), File.ReadAllBytes(OutputCopy));
    }

    [Fact]
    public void TorchSharp_loads_and_computes_here()
    {
        Native.EnsureLoaded();
        using var a = TorchSharp.torch.ones(256, 256);
        using var b = a.matmul(a);
        Assert.Equal(256f, b[0, 0].item<float>());
    }

    [Fact]
    public void The_loader_reports_the_real_GLIBCXX_error_for_an_unpatched_copy_on_hosts_that_lack_it()
    {
        string? error = Native.ProbeLoaderError(new[] { NuGetCopy });
        if (HostLacks3432)
            Assert.Contains("GLIBCXX_3.4.32", error);
        else
            Assert.Null(error); // a host with GCC 13's libstdc++ loads the shipped file as is
    }

    [Fact]
    public void The_native_library_exception_names_the_loader_error_and_the_fix_not_torchsharps_misleading_text()
    {
        var torchError = new TypeInitializationException("TorchSharp.torch",
            new NotSupportedException("This application or script uses TorchSharp but doesn't contain a reference to libtorch-cpu-linux-x64"));
        string loader = "/app/libLibTorchSharp.so: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found";
        var e = Native.Explain(torchError, loader);
        Assert.IsAssignableFrom<DllNotFoundException>(e);
        Assert.Contains("The loader said: " + loader, e.Message);
        Assert.Contains("KerasPatchLibTorchSharp", e.Message);
        Assert.DoesNotContain("doesn't contain a reference", e.Message);
        Assert.Same(torchError, e.InnerException);
        Assert.Equal(loader, e.LoaderError);

        var missing = Native.Explain(torchError, Native.ProbeLoaderError(new[] { "/nonexistent/libLibTorchSharp.so" }));
        Assert.Contains("TorchSharp-cpu", missing.Message);
    }
}

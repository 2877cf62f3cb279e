// Shipped with Keras.Runtime as source: MSBuild compiles it at build time (RoslynCodeTaskFactory) and the
// repository's tests compile it directly (with KERAS_PATCHER_NO_MSBUILD defined) to test the ELF logic.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so records a need for GLIBCXX_3.4.32 (GCC 13's libstdc++), only for
// std::ios_base_library_init(), a symbol it references but never relocates. Debian 12 / Ubuntu 22.04 ship a
// libstdc++ that stops at GLIBCXX_3.4.30, so the dynamic loader refuses the whole library. Re-pointing that one
// version-needs entry at a version the host has (hash and name offset in .gnu.version_r) makes it load. This code
// only ever rewrites the copy in an app's output folder, by writing a new file and renaming it into place, so a
// hard-linked or shared NuGet-cache file is never modified.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Keras.Build
{
    /// <summary>Outcome of <see cref="LibTorchSharpPatcher.PatchFile"/>.</summary>
    public enum PatchOutcome
    {
        /// <summary>The file needed no change (already patched, or it needs nothing the host lacks).</summary>
        NotNeeded,
        /// <summary>The file was rewritten.</summary>
        Patched,
        /// <summary>The file needs versions the host lacks but the rewrite is not known to be safe; left unchanged.</summary>
        Unsafe,
        /// <summary>The file is not a 64-bit little-endian ELF shared object; left unchanged.</summary>
        NotElf,
    }

    /// <summary>Minimal ELF64 reader/rewriter for the GLIBCXX version-needs fix.</summary>
    public static class LibTorchSharpPatcher
    {
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVersym = 0x6fffffff;
        private const uint ShtDynsym = 11;
        private const string LibStdCxx = "libstdc++.so.6";

        /// <summary>Symbols that are referenced under a missing version but known never to be relocated.</summary>
        public static readonly IReadOnlyCollection<string> SymbolsSafeToRetarget = new[] { "_ZSt21ios_base_library_initv" };

        /// <summary>Standard System V ELF hash (the one stored in vna_hash / vd_hash).</summary>
        public static uint ElfHash(string name)
        {
            uint h = 0;
            foreach (byte b in Encoding.ASCII.GetBytes(name))
            {
                h = (h << 4) + b;
                uint g = h & 0xf0000000;
                if (g != 0) h ^= g >> 24;
                h &= ~g;
            }
            return h;
        }

        /// <summary>The version names a shared library defines (its .gnu.version_d), e.g. GLIBCXX_3.4.30.</summary>
        public static HashSet<string> ReadDefinedVersions(byte[] elf)
        {
            var result = new HashSet<string>(StringComparer.Ordinal);
            var image = ElfImage.TryParse(elf);
            if (image == null) return result;
            foreach (var section in image.Sections)
            {
                if (section.Type != ShtGnuVerdef) continue;
                var strtab = image.Sections[(int)section.Link];
                long off = (long)section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    ushort cnt = image.U16(off + 6);
                    uint aux = image.U32(off + 12);
                    uint next = image.U32(off + 16);
                    long auxOff = off + aux;
                    for (int j = 0; j < cnt; j++)
                    {
                        result.Add(image.Str(strtab, image.U32(auxOff)));
                        uint auxNext = image.U32(auxOff + 4);
                        if (auxNext == 0) break;
                        auxOff += auxNext;
                    }
                    if (next == 0) break;
                    off += next;
                }
            }
            return result;
        }

        /// <summary>The libstdc++ version names a library needs (its .gnu.version_r entries for libstdc++.so.6).</summary>
        public static List<string> ReadNeededLibStdCxxVersions(byte[] elf)
        {
            var names = new List<string>();
            var image = ElfImage.TryParse(elf);
            if (image == null) return names;
            foreach (var entry in image.LibStdCxxNeeds()) names.Add(entry.Name);
            return names;
        }

        /// <summary>
        /// Returns the patched bytes, or null when nothing is to be done; <paramref name="outcome"/> and
        /// <paramref name="detail"/> say why. <paramref name="hostVersions"/> are the versions the host libstdc++ defines.
        /// </summary>
        public static byte[]? Patch(byte[] elf, ISet<string> hostVersions, out PatchOutcome outcome, out string detail)
        {
            var image = ElfImage.TryParse(elf);
            if (image == null)
            {
                outcome = PatchOutcome.NotElf;
                detail = "not a 64-bit little-endian ELF file";
                return null;
            }

            var needs = image.LibStdCxxNeeds();
            var missing = needs.FindAll(n => !hostVersions.Contains(n.Name));
            if (missing.Count == 0)
            {
                outcome = PatchOutcome.NotNeeded;
                detail = "every libstdc++ version it needs is present on this host";
                return null;
            }

            // The replacement: the newest GLIBCXX version the file already needs that the host defines. Reusing a
            // name already in .dynstr means no string has to be added.
            VersionNeed? target = null;
            foreach (var n in needs)
            {
                if (!hostVersions.Contains(n.Name) || !n.Name.StartsWith("GLIBCXX_", StringComparison.Ordinal)) continue;
                if (target == null || CompareGlibcxx(n.Name, target.Value.Name) > 0) target = n;
            }

            var output = (byte[])elf.Clone();
            var patchedNames = new List<string>();
            foreach (var m in missing)
            {
                var users = image.SymbolsWithVersionIndex(m.Other);
                var unsafeUsers = users.FindAll(s => !Contains(SymbolsSafeToRetarget, s));
                if (target == null || !m.Name.StartsWith("GLIBCXX_", StringComparison.Ordinal) || unsafeUsers.Count > 0)
                {
                    outcome = PatchOutcome.Unsafe;
                    detail = "it needs " + m.Name + " (used by " + (users.Count == 0 ? "no symbol" : string.Join(", ", users)) +
                             ") which this host's libstdc++ lacks, and retargeting it is not known to be safe";
                    return null;
                }
                WriteU32(output, m.AuxOffset, ElfHash(target.Value.Name));
                WriteU32(output, m.AuxOffset + 8, target.Value.NameOffset);
                patchedNames.Add(m.Name + " -> " + target.Value.Name);
            }

            outcome = PatchOutcome.Patched;
            detail = "retargeted " + string.Join(", ", patchedNames);
            return output;
        }

        /// <summary>
        /// Patches <paramref name="path"/> in place if needed: the new content goes to a temporary file in the same
        /// folder which is then renamed over the original (so a hard link into the NuGet cache is replaced, never
        /// written through), keeping the original timestamps so incremental copies stay skipped.
        /// </summary>
        public static PatchOutcome PatchFile(string path, ISet<string> hostVersions, out string detail)
        {
            byte[] bytes = File.ReadAllBytes(path);
            byte[]? patched = Patch(bytes, hostVersions, out var outcome, out detail);
            if (patched == null) return outcome;

            var info = new FileInfo(path);
            DateTime lastWrite = info.LastWriteTimeUtc;
            string temp = Path.Combine(info.DirectoryName ?? ".", "." + info.Name + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                File.WriteAllBytes(temp, patched);
                CopyUnixMode(path, temp);
                File.SetLastWriteTimeUtc(temp, lastWrite);
                File.Delete(path); // unlinks only this directory entry: other hard links keep the original bytes
                File.Move(temp, path);
            }
            finally
            {
                if (File.Exists(temp)) File.Delete(temp);
            }
            return outcome;
        }

        /// <summary>
        /// Finds the libstdc++.so.6 the dynamic loader would most likely use: LD_LIBRARY_PATH first, then the usual
        /// system folders. Returns null if none is found (then nothing is patched).
        /// </summary>
        public static string? FindHostLibStdCxx(string? ldLibraryPath)
        {
            var dirs = new List<string>();
            if (!string.IsNullOrEmpty(ldLibraryPath))
                dirs.AddRange(ldLibraryPath!.Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries));
            dirs.AddRange(new[]
            {
                "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            });
            foreach (var dir in dirs)
            {
                string candidate = Path.Combine(dir, LibStdCxx);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        private static bool Contains(IReadOnlyCollection<string> set, string value)
        {
            foreach (var s in set) if (s == value) return true;
            return false;
        }

        /// <summary>Orders GLIBCXX_3.4.30 after GLIBCXX_3.4.9 (numeric, part by part).</summary>
        public static int CompareGlibcxx(string a, string b)
        {
            string[] pa = a.Substring(a.IndexOf('_') + 1).Split('.');
            string[] pb = b.Substring(b.IndexOf('_') + 1).Split('.');
            for (int i = 0; i < Math.Max(pa.Length, pb.Length); i++)
            {
                int x = i < pa.Length && int.TryParse(pa[i], out var xa) ? xa : 0;
                int y = i < pb.Length && int.TryParse(pb[i], out var yb) ? yb : 0;
                if (x != y) return x.CompareTo(y);
            }
            return 0;
        }

        private static void CopyUnixMode(string from, string to)
        {
#if NET7_0_OR_GREATER
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(to, File.GetUnixFileMode(from));
#endif
        }

        private static void WriteU32(byte[] data, long offset, uint value)
        {
            data[offset] = (byte)value;
            data[offset + 1] = (byte)(value >> 8);
            data[offset + 2] = (byte)(value >> 16);
            data[offset + 3] = (byte)(value >> 24);
        }

        private struct VersionNeed
        {
            public string Name;
            public uint NameOffset;
            public ushort Other; // the version index symbols refer to
            public long AuxOffset; // file offset of the Vernaux entry
        }

        private struct Section
        {
            public uint Type;
            public ulong Offset;
            public ulong Size;
            public uint Link;
            public uint Info;
            public ulong EntSize;
        }

        private sealed class ElfImage
        {
            private readonly byte[] _data;
            public readonly List<Section> Sections = new List<Section>();

            private ElfImage(byte[] data) => _data = data;

            public static ElfImage? TryParse(byte[] data)
            {
                if (data.Length < 64 || data[0] != 0x7f || data[1] != (byte)'E' || data[2] != (byte)'L' || data[3] != (byte)'F')
                    return null;
                if (data[4] != 2 || data[5] != 1) return null; // ELFCLASS64, little-endian
                var image = new ElfImage(data);
                ulong shoff = image.U64(0x28);
                ushort shentsize = image.U16(0x3A);
                ushort shnum = image.U16(0x3C);
                if (shoff == 0 || shentsize < 64 || shoff + (ulong)shentsize * shnum > (ulong)data.Length) return null;
                for (int i = 0; i < shnum; i++)
                {
                    long o = (long)shoff + (long)i * shentsize;
                    var s = new Section
                    {
                        Type = image.U32(o + 4),
                        Offset = image.U64(o + 24),
                        Size = image.U64(o + 32),
                        Link = image.U32(o + 40),
                        Info = image.U32(o + 44),
                        EntSize = image.U64(o + 56),
                    };
                    image.Sections.Add(s);
                }
                foreach (var s in image.Sections)
                {
                    if (s.Type == 8 /* NOBITS */) continue;
                    if (s.Offset + s.Size > (ulong)data.Length) return null;
                    if (s.Type == ShtGnuVerneed || s.Type == ShtGnuVerdef || s.Type == ShtDynsym)
                        if (s.Link >= image.Sections.Count) return null;
                }
                return image;
            }

            public ushort U16(long o) => (ushort)(_data[o] | _data[o + 1] << 8);
            public uint U32(long o) => (uint)(_data[o] | _data[o + 1] << 8 | _data[o + 2] << 16 | _data[o + 3] << 24);
            public ulong U64(long o) => U32(o) | (ulong)U32(o + 4) << 32;

            public string Str(Section strtab, uint offset)
            {
                long start = (long)strtab.Offset + offset;
                long end = start;
                long limit = (long)(strtab.Offset + strtab.Size);
                while (end < limit && _data[end] != 0) end++;
                return Encoding.ASCII.GetString(_data, (int)start, (int)(end - start));
            }

            public List<VersionNeed> LibStdCxxNeeds()
            {
                var result = new List<VersionNeed>();
                foreach (var section in Sections)
                {
                    if (section.Type != ShtGnuVerneed) continue;
                    var strtab = Sections[(int)section.Link];
                    long off = (long)section.Offset;
                    for (uint i = 0; i < section.Info; i++)
                    {
                        ushort cnt = U16(off + 2);
                        string file = Str(strtab, U32(off + 4));
                        uint aux = U32(off + 8);
                        uint next = U32(off + 12);
                        if (file == LibStdCxx)
                        {
                            long auxOff = off + aux;
                            for (int j = 0; j < cnt; j++)
                            {
                                uint nameOff = U32(auxOff + 8);
                                result.Add(new VersionNeed
                                {
                                    Name = Str(strtab, nameOff),
                                    NameOffset = nameOff,
                                    Other = U16(auxOff + 6),
                                    AuxOffset = auxOff,
                                });
                                uint auxNext = U32(auxOff + 12);
                                if (auxNext == 0) break;
                                auxOff += auxNext;
                            }
                        }
                        if (next == 0) break;
                        off += next;
                    }
                }
                return result;
            }

            public List<string> SymbolsWithVersionIndex(ushort index)
            {
                var names = new List<string>();
                Section? dynsym = null, versym = null;
                foreach (var s in Sections)
                {
                    if (s.Type == ShtDynsym) dynsym = s;
                    if (s.Type == ShtGnuVersym) versym = s;
                }
                if (dynsym == null || versym == null || dynsym.Value.EntSize == 0) return names;
                var strtab = Sections[(int)dynsym.Value.Link];
                ulong count = dynsym.Value.Size / dynsym.Value.EntSize;
                for (ulong i = 0; i < count; i++)
                {
                    ushort v = (ushort)(U16((long)(versym.Value.Offset + i * 2)) & 0x7fff);
                    if (v != index) continue;
                    uint nameOff = U32((long)(dynsym.Value.Offset + i * dynsym.Value.EntSize));
                    names.Add(Str(strtab, nameOff));
                }
                return names;
            }
        }
    }

#if !KERAS_PATCHER_NO_MSBUILD
    /// <summary>
    /// MSBuild task: patches every libLibTorchSharp.so given in <see cref="Files"/> when the host libstdc++ lacks a
    /// version it needs. Does nothing on hosts that have it, and nothing twice.
    /// </summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>libLibTorchSharp.so copies in the output folder.</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>Optional explicit path of the host libstdc++.so.6 (otherwise searched).</summary>
        public string? HostLibStdCxx { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            string? host = string.IsNullOrEmpty(HostLibStdCxx)
                ? LibTorchSharpPatcher.FindHostLibStdCxx(Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"))
                : HostLibStdCxx;
            if (host == null || !File.Exists(host))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                    "Keras.Runtime: no libstdc++.so.6 found on this host; libLibTorchSharp.so left as shipped.");
                return true;
            }
            var hostVersions = LibTorchSharpPatcher.ReadDefinedVersions(File.ReadAllBytes(host));
            foreach (var item in Files)
            {
                string path = item.ItemSpec;
                if (!File.Exists(path)) continue;
                try
                {
                    var outcome = LibTorchSharpPatcher.PatchFile(path, hostVersions, out var detail);
                    switch (outcome)
                    {
                        case PatchOutcome.Patched:
                            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                                "Keras.Runtime: patched " + path + " for this host's libstdc++ (" + host + "): " + detail +
                                ". See Keras.Runtime's README, 'TorchSharp on Debian 12 / Ubuntu 22.04'.");
                            break;
                        case PatchOutcome.Unsafe:
                            Log.LogWarning(null, "KERASBUILD001", null, path, 0, 0, 0, 0,
                                "Keras.Runtime: " + path + " will not load here: " + detail +
                                ". Install a libstdc++ with that version (GCC 13 or newer) or use a TorchSharp build for this OS.");
                            break;
                        default:
                            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                                "Keras.Runtime: " + path + ": " + detail + "; not patched.");
                            break;
                    }
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    Log.LogWarning(null, "KERASBUILD002", null, path, 0, 0, 0, 0,
                        "Keras.Runtime: could not patch " + path + ": " + e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}

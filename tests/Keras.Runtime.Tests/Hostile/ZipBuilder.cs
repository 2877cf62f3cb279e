using System.IO.Compression;
using System.Text;

namespace Keras.Runtime.Tests.Hostile;

/// <summary>
/// Writes zip archives entry by entry from the zip specification (local headers, central directory, end record), so
/// the hostile tests can make what zip libraries refuse to write: duplicate names, wrong CRCs, exotic compression
/// methods, the encryption flag, entries whose declared sizes lie.
/// </summary>
internal sealed class ZipBuilder
{
    internal sealed class Entry
    {
        internal string Name = "";
        internal byte[] Data = Array.Empty<byte>();
        internal bool Deflate;
        internal ushort? MethodOverride;
        internal uint? CrcOverride;
        internal ushort Flags;
        internal long? DeclaredSize;
    }

    internal readonly List<Entry> Entries = new();

    internal ZipBuilder Add(string name, byte[] data, bool deflate = false)
    {
        Entries.Add(new Entry { Name = name, Data = data, Deflate = deflate });
        return this;
    }

    internal ZipBuilder Add(string name, string text, bool deflate = false) => Add(name, Encoding.UTF8.GetBytes(text), deflate);

    /// <summary>The three entries of a .keras file, in Keras' order.</summary>
    internal static ZipBuilder Keras(string config, byte[] weights) => new ZipBuilder()
        .Add("metadata.json", "{\"keras_version\": \"3.10.0\", \"date_saved\": \"2025-01-01@00:00:00\"}")
        .Add("config.json", config)
        .Add("model.weights.h5", weights);

    internal byte[] Build()
    {
        using var output = new MemoryStream();
        var w = new BinaryWriter(output);
        var central = new MemoryStream();
        var c = new BinaryWriter(central);
        foreach (var e in Entries)
        {
            byte[] stored = e.Data;
            if (e.Deflate)
            {
                using var m = new MemoryStream();
                using (var d = new DeflateStream(m, CompressionLevel.Optimal, leaveOpen: true)) d.Write(e.Data);
                stored = m.ToArray();
            }
            ushort method = e.MethodOverride ?? (ushort)(e.Deflate ? 8 : 0);
            uint crc = e.CrcOverride ?? Crc(e.Data);
            uint size = (uint)(e.DeclaredSize ?? e.Data.Length);
            var name = Encoding.UTF8.GetBytes(e.Name);
            long offset = output.Position;
            w.Write(0x04034b50u);
            w.Write((ushort)20);
            w.Write(e.Flags);
            w.Write(method);
            w.Write((ushort)0);
            w.Write((ushort)0);
            w.Write(crc);
            w.Write((uint)stored.Length);
            w.Write(size);
            w.Write((ushort)name.Length);
            w.Write((ushort)0);
            w.Write(name);
            w.Write(stored);

            c.Write(0x02014b50u);
            c.Write((ushort)20);
            c.Write((ushort)20);
            c.Write(e.Flags);
            c.Write(method);
            c.Write((ushort)0);
            c.Write((ushort)0);
            c.Write(crc);
            c.Write((uint)stored.Length);
            c.Write(size);
            c.Write((ushort)name.Length);
            c.Write((ushort)0);
            c.Write((ushort)0);
            c.Write((ushort)0);
            c.Write((ushort)0);
            c.Write(0u);
            c.Write((uint)offset);
            c.Write(name);
        }
        long cdOffset = output.Position;
        c.Flush();
        w.Write(central.ToArray());
        w.Write(0x06054b50u);
        w.Write((ushort)0);
        w.Write((ushort)0);
        w.Write((ushort)Entries.Count);
        w.Write((ushort)Entries.Count);
        w.Write((uint)central.Length);
        w.Write((uint)cdOffset);
        w.Write((ushort)0);
        w.Flush();
        return output.ToArray();
    }

    /// <summary>CRC-32 (IEEE), computed bit by bit here so the test does not share the runtime's table.</summary>
    internal static uint Crc(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Reads the entries of an archive this runtime (or Python) wrote, to rebuild it with changes.</summary>
    internal static ZipBuilder From(string path)
    {
        var builder = new ZipBuilder();
        using var zip = ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries)
        {
            using var s = entry.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            builder.Add(entry.FullName, m.ToArray());
        }
        return builder;
    }
}

using System.Text;

namespace Keras.Runtime.Tests.Hostile;

/// <summary>
/// Writes small HDF5 files byte by byte (superblock 0, version-1 object headers, groups as link messages), including
/// the constructs an attacker would use and Keras never writes: external storage, external and soft links, virtual
/// layouts, continuation cycles, huge declared shapes, unsigned integer types. Written from the HDF5 file-format
/// specification for the hostile-input tests; nothing here comes from a library.
/// </summary>
internal sealed class H5Builder
{
    private readonly List<Node> _nodes = new();

    internal abstract class Node
    {
        internal long Address = -1;
        internal abstract int Size(H5Builder b);
        internal abstract void Write(H5Builder b, BinaryWriter w);
    }

    /// <summary>A raw block of bytes placed in the file (contiguous data, a local heap...).</summary>
    internal sealed class Blob : Node
    {
        internal byte[] Bytes = Array.Empty<byte>();
        internal override int Size(H5Builder b) => Bytes.Length;
        internal override void Write(H5Builder b, BinaryWriter w) => w.Write(Bytes);
    }

    /// <summary>An object header (version 1) holding messages; groups and datasets are made of these.</summary>
    internal sealed class Header : Node
    {
        internal readonly List<(int Type, Func<H5Builder, byte[]> Body)> Messages = new();

        internal override int Size(H5Builder b) => 16 + Messages.Sum(m => 8 + Pad8(m.Body(b).Length));

        internal override void Write(H5Builder b, BinaryWriter w)
        {
            var bodies = Messages.Select(m => m.Body(b)).ToArray();
            w.Write((byte)1);
            w.Write((byte)0);
            w.Write((ushort)bodies.Length);
            w.Write(1u); // reference count
            w.Write((uint)bodies.Sum(x => 8 + Pad8(x.Length)));
            w.Write(0u); // alignment
            for (int i = 0; i < bodies.Length; i++)
            {
                w.Write((ushort)Messages[i].Type);
                w.Write((ushort)Pad8(bodies[i].Length));
                w.Write((byte)0);
                w.Write(new byte[3]);
                w.Write(bodies[i]);
                w.Write(new byte[Pad8(bodies[i].Length) - bodies[i].Length]);
            }
        }

        /// <summary>A hard link to another object.</summary>
        internal Header Link(string name, Node target)
        {
            Messages.Add((0x06, b => LinkMessage(name, 0, w => w.Write(target.Address))));
            return this;
        }

        /// <summary>A soft link (a path, resolved by the reader).</summary>
        internal Header SoftLink(string name, string path)
        {
            Messages.Add((0x06, b => LinkMessage(name, 1, w =>
            {
                var bytes = Encoding.UTF8.GetBytes(path);
                w.Write((ushort)bytes.Length);
                w.Write(bytes);
            })));
            return this;
        }

        /// <summary>An external link (another file's object).</summary>
        internal Header ExternalLink(string name, string file, string path)
        {
            Messages.Add((0x06, b => LinkMessage(name, 64, w =>
            {
                var info = new List<byte> { 0 };
                info.AddRange(Encoding.UTF8.GetBytes(file));
                info.Add(0);
                info.AddRange(Encoding.UTF8.GetBytes(path));
                info.Add(0);
                w.Write((ushort)info.Count);
                w.Write(info.ToArray());
            })));
            return this;
        }

        /// <summary>A fixed-length string attribute (Keras' "name" attribute of vars groups).</summary>
        internal Header StringAttribute(string name, string value)
        {
            Messages.Add((0x0C, b =>
            {
                var nameBytes = Encoding.UTF8.GetBytes(name + "\0");
                var valueBytes = Encoding.UTF8.GetBytes(value + "\0");
                var type = Datatype(3, 0, valueBytes.Length, Array.Empty<byte>());
                var space = Dataspace(Array.Empty<long>());
                return Bytes(w =>
                {
                    w.Write((byte)1);
                    w.Write((byte)0);
                    w.Write((ushort)nameBytes.Length);
                    w.Write((ushort)type.Length);
                    w.Write((ushort)space.Length);
                    w.Write(nameBytes);
                    w.Write(new byte[Pad8(nameBytes.Length) - nameBytes.Length]);
                    w.Write(type);
                    w.Write(new byte[Pad8(type.Length) - type.Length]);
                    w.Write(space);
                    w.Write(new byte[Pad8(space.Length) - space.Length]);
                    w.Write(valueBytes);
                });
            }));
            return this;
        }

        /// <summary>Any message, as raw bytes.</summary>
        internal Header Raw(int type, Func<H5Builder, byte[]> body)
        {
            Messages.Add((type, body));
            return this;
        }

        private static byte[] LinkMessage(string name, int linkType, Action<BinaryWriter> info)
        {
            var nameBytes = Encoding.UTF8.GetBytes(name);
            return Bytes(w =>
            {
                w.Write((byte)1);
                w.Write((byte)(linkType == 0 ? 0x00 : 0x08)); // 1-byte name length; link type present for soft/external
                if (linkType != 0) w.Write((byte)linkType);
                w.Write((byte)nameBytes.Length);
                w.Write(nameBytes);
                info(w);
            });
        }
    }

    internal static int Pad8(int n) => (n + 7) & ~7;

    internal static byte[] Bytes(Action<BinaryWriter> write)
    {
        using var m = new MemoryStream();
        using (var w = new BinaryWriter(m, Encoding.UTF8, leaveOpen: true)) write(w);
        return m.ToArray();
    }

    /// <summary>A datatype message: class, 3 bytes of bit field, size, properties.</summary>
    internal static byte[] Datatype(int typeClass, int bits, int size, byte[] properties) => Bytes(w =>
    {
        w.Write((byte)(0x10 | typeClass));
        w.Write((byte)(bits & 0xFF));
        w.Write((byte)((bits >> 8) & 0xFF));
        w.Write((byte)((bits >> 16) & 0xFF));
        w.Write((uint)size);
        w.Write(properties);
    });

    /// <summary>IEEE little-endian float32.</summary>
    internal static byte[] Float32Type() => Datatype(1, 0x20 | (31 << 8), 4, Bytes(w =>
    {
        w.Write((ushort)0);
        w.Write((ushort)32);
        w.Write((byte)23);
        w.Write((byte)8);
        w.Write((byte)0);
        w.Write((byte)23);
        w.Write(127u);
    }));

    /// <summary>A little-endian integer type of <paramref name="size"/> bytes.</summary>
    internal static byte[] IntType(int size, bool signed) => Datatype(0, signed ? 0x08 : 0, size, Bytes(w =>
    {
        w.Write((ushort)0);
        w.Write((ushort)(size * 8));
    }));

    /// <summary>A version-1 dataspace message (rank 0 = scalar).</summary>
    internal static byte[] Dataspace(long[] shape) => Bytes(w =>
    {
        w.Write((byte)1);
        w.Write((byte)shape.Length);
        w.Write((byte)0);
        w.Write((byte)0);
        w.Write(0u);
        foreach (var d in shape) w.Write((ulong)d);
    });

    internal Header Group()
    {
        var h = new Header();
        _nodes.Add(h);
        return h;
    }

    internal Blob Data(byte[] bytes)
    {
        var blob = new Blob { Bytes = bytes };
        _nodes.Add(blob);
        return blob;
    }

    /// <summary>A contiguous dataset whose data lives in this file.</summary>
    internal Header Dataset(long[] shape, byte[] type, byte[] data)
    {
        var blob = Data(data);
        var h = Group();
        h.Raw(0x01, _ => Dataspace(shape));
        h.Raw(0x03, _ => type);
        h.Raw(0x08, _ => Bytes(w =>
        {
            w.Write((byte)3);
            w.Write((byte)1); // contiguous
            w.Write(blob.Address);
            w.Write((ulong)data.Length);
        }));
        return h;
    }

    /// <summary>A float32 dataset.</summary>
    internal Header Floats(long[] shape, params float[] values) => Dataset(shape, Float32Type(), values.SelectMany(BitConverter.GetBytes).ToArray());

    /// <summary>A compact float32 dataset whose shape may declare far more elements than it holds.</summary>
    internal Header DeclaredFloats(long[] shape, byte[] data)
    {
        var h = Group();
        h.Raw(0x01, _ => Dataspace(shape));
        h.Raw(0x03, _ => Float32Type());
        h.Raw(0x08, _ => Bytes(w =>
        {
            w.Write((byte)3);
            w.Write((byte)0); // compact
            w.Write((ushort)data.Length);
            w.Write(data);
        }));
        return h;
    }

    /// <summary>
    /// A dataset whose raw data is stored in an external file (HDF5's External Data Files message), as an attacker would
    /// point it at /etc/passwd.
    /// </summary>
    internal Header ExternalDataset(long[] shape, string externalFile, long size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(externalFile + "\0");
        var heapData = Data(new byte[8].Concat(nameBytes).Concat(new byte[Pad8(nameBytes.Length) - nameBytes.Length]).ToArray());
        var heap = Data(Array.Empty<byte>());
        heap.Bytes = new byte[32]; // filled once addresses are known
        var h = Group();
        h.Raw(0x01, _ => Dataspace(shape));
        h.Raw(0x03, _ => Float32Type());
        h.Raw(0x07, b =>
        {
            heap.Bytes = Bytes(w =>
            {
                w.Write(Encoding.ASCII.GetBytes("HEAP"));
                w.Write((byte)0);
                w.Write(new byte[3]);
                w.Write((ulong)heapData.Bytes.Length);
                w.Write(ulong.MaxValue);
                w.Write(heapData.Address);
            });
            return Bytes(w =>
            {
                w.Write((byte)1);
                w.Write(new byte[3]);
                w.Write((ushort)1);
                w.Write((ushort)1);
                w.Write(heap.Address);
                w.Write(8UL); // name offset in the heap
                w.Write(0UL); // offset in the external file
                w.Write((ulong)size);
            });
        });
        h.Raw(0x08, _ => Bytes(w =>
        {
            w.Write((byte)3);
            w.Write((byte)1); // contiguous, address undefined: the data is external
            w.Write(ulong.MaxValue);
            w.Write((ulong)size);
        }));
        return h;
    }

    /// <summary>A virtual dataset (layout class 3) whose data would come from another file.</summary>
    internal Header VirtualDataset(long[] shape)
    {
        var h = Group();
        h.Raw(0x01, _ => Dataspace(shape));
        h.Raw(0x03, _ => Float32Type());
        h.Raw(0x08, _ => Bytes(w =>
        {
            w.Write((byte)4);
            w.Write((byte)3); // virtual
            w.Write(0UL);
            w.Write(0u);
        }));
        return h;
    }

    /// <summary>Lays the objects out after the superblock and returns the file's bytes (root: the root group).</summary>
    internal byte[] Build(Header root)
    {
        long at = 96;
        foreach (var node in _nodes)
        {
            node.Address = at;
            at += Pad8(node.Size(this));
        }
        // Sizes can depend on addresses only through fixed-width fields, so a second pass keeps the layout.
        return Bytes(w =>
        {
            w.Write(new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n' });
            w.Write((byte)0); // superblock version
            w.Write((byte)0);
            w.Write((byte)0);
            w.Write((byte)0);
            w.Write((byte)0);
            w.Write((byte)8); // offsets
            w.Write((byte)8); // lengths
            w.Write((byte)0);
            w.Write((ushort)4);
            w.Write((ushort)16);
            w.Write(0u);
            w.Write(0UL); // base address
            w.Write(ulong.MaxValue);
            w.Write((ulong)at); // end of file
            w.Write(ulong.MaxValue);
            w.Write(0UL); // root entry: name offset
            w.Write(root.Address);
            w.Write(0u);
            w.Write(0u);
            w.Write(new byte[16]);
            foreach (var node in _nodes)
            {
                var bytes = Bytes(x => node.Write(this, x));
                w.Write(bytes);
                w.Write(new byte[Pad8(bytes.Length) - bytes.Length]);
            }
        });
    }
}

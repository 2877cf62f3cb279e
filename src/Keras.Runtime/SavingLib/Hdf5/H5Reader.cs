using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Keras.Errors;

namespace Keras.SavingLib.Hdf5
{
    /// <summary>
    /// A reader for the subset of HDF5 that Keras weight files use (superblocks 0–3; object headers 1 and 2; groups as
    /// symbol tables or compact links; compact, contiguous and chunked datasets of integers and floats; string
    /// attributes), written for untrusted files: every address and size is checked against the file before it is read,
    /// structures are walked with explicit limits (no recursion on depths the file controls), soft links resolve with a
    /// depth limit, and anything that would reach outside the file — external storage, external links, virtual
    /// datasets — is refused with a message saying so. Keras never writes those.
    /// </summary>
    internal sealed class H5Reader
    {
        internal const long Undefined = -1;
        private const int MaxSoftLinkHops = 16;
        private const int MaxBTreeDepth = 64;
        private const int MaxHeaderChunks = 1024;

        private readonly Stream _stream;
        private readonly long _length;
        private readonly Dictionary<long, H5ObjectHeader> _headers = new Dictionary<long, H5ObjectHeader>();
        private readonly Dictionary<long, byte[]> _globalHeaps = new Dictionary<long, byte[]>();
        private int _objects;

        private H5Reader(Stream stream, string source, int maxObjects)
        {
            _stream = stream;
            _length = stream.Length;
            Source = source;
            MaxObjects = maxObjects;
        }

        /// <summary>Where the file came from, for messages.</summary>
        internal string Source { get; }

        internal int OffsetSize { get; private set; }

        internal int LengthSize { get; private set; }

        internal long BaseAddress { get; private set; }

        internal int MaxObjects { get; }

        /// <summary>The root group.</summary>
        internal HdfGroup Root { get; private set; } = null!;

        /// <summary>Opens a file: finds and checks the superblock.</summary>
        internal static H5Reader Open(Stream stream, string source, int maxObjects)
        {
            if (!stream.CanSeek) throw new InvalidOperationException("The HDF5 reader needs a seekable stream.");
            var reader = new H5Reader(stream, source, maxObjects);
            reader.ReadSuperblock();
            return reader;
        }

        internal KerasFileFormatException Corrupt(string what) =>
            new KerasFileFormatException(
                $"Unable to read the weights file {Source}: {what}. The file may be truncated or corrupt; save the weights again or restore a backup.");

        internal KerasFileFormatException Refused(string what) =>
            new KerasFileFormatException(
                $"The weights file {Source} was refused: {what}. Keras never writes this; a weights file must hold all its data itself. If the file is " +
                "yours, save the weights again with Keras or with SaveWeights.");

        private static readonly byte[] Signature = { 0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n' };

        private void ReadSuperblock()
        {
            // The superblock sits at 0, 512, 1024, 2048, ... (after a user block).
            long at = -1;
            for (long probe = 0; probe + 8 <= _length && probe <= (1L << 30); probe = probe == 0 ? 512 : probe * 2)
            {
                var sig = ReadBytes(probe, 8);
                if (sig.AsSpan().SequenceEqual(Signature))
                {
                    at = probe;
                    break;
                }
            }
            if (at < 0) throw Corrupt("it is not an HDF5 file (no HDF5 signature)");
            var head = ReadBytes(at + 8, 1);
            int version = head[0];
            long rootAddress;
            if (version is 0 or 1)
            {
                var b = ReadBytes(at + 8, Math.Min(24, (int)Math.Max(0, _length - at - 8)));
                if (b.Length < 16) throw Corrupt("the superblock is truncated");
                OffsetSize = b[5];
                LengthSize = b[6];
                CheckSizes();
                int fixedPart = 16 + (version == 1 ? 4 : 0);
                var c = new H5Cursor(this, ReadBytes(at + 8 + fixedPart, 4 * OffsetSize + OffsetSize * 2 + 8 + 16), 0);
                BaseAddress = c.Offset();
                c.Offset(); // free-space info
                c.Offset(); // end of file
                c.Offset(); // driver information block
                c.Offset(); // root entry: link name offset
                rootAddress = c.Offset();
            }
            else if (version is 2 or 3)
            {
                var b = ReadBytes(at + 8, 4);
                OffsetSize = b[1];
                LengthSize = b[2];
                CheckSizes();
                var c = new H5Cursor(this, ReadBytes(at + 12, 4 * OffsetSize), 0);
                BaseAddress = c.Offset();
                c.Offset(); // superblock extension
                c.Offset(); // end of file
                rootAddress = c.Offset();
            }
            else
            {
                throw Corrupt($"unsupported HDF5 superblock version {version}");
            }
            if (BaseAddress < 0) BaseAddress = 0;
            if (BaseAddress != at && BaseAddress != 0) throw Corrupt("the superblock's base address is inconsistent");
            BaseAddress = at;
            if (rootAddress == Undefined) throw Corrupt("the file has no root group");
            Root = new HdfGroup(this, Header(rootAddress), "/");
        }

        private void CheckSizes()
        {
            if (OffsetSize is not (2 or 4 or 8) || LengthSize is not (2 or 4 or 8))
                throw Corrupt($"unsupported address sizes ({OffsetSize}, {LengthSize} bytes)");
        }

        /// <summary>Counts one more object read against the file's budget (<see cref="LoadLimits.MaxHdf5Objects"/>).</summary>
        internal void Count(int n = 1)
        {
            _objects += n;
            if (_objects > MaxObjects)
                throw new KerasFileFormatException(
                    $"The weights file {Source} holds more than LoadLimits.MaxHdf5Objects ({MaxObjects:N0}) objects. Raise the limit if the file is trusted.");
        }

        /// <summary>Reads <paramref name="count"/> bytes at a file-relative address, refusing anything outside the file.</summary>
        internal byte[] ReadBytes(long address, int count)
        {
            if (count < 0 || address < 0 || address > _length || count > _length - address)
                throw Corrupt($"a structure at byte {address} (+{count}) lies outside the file ({_length} bytes)");
            var buffer = new byte[count];
            _stream.Position = address;
            _stream.ReadExactly(buffer, 0, count);
            return buffer;
        }

        /// <summary>Reads bytes at an HDF5 address (relative to the base address).</summary>
        internal byte[] ReadAt(long address, long count)
        {
            if (address == Undefined || address < 0) throw Corrupt("an undefined address is used");
            if (count > int.MaxValue) throw Corrupt($"a block of {count} bytes");
            long absolute = BaseAddress + address;
            if (absolute < address) throw Corrupt("an address overflows");
            return ReadBytes(absolute, (int)count);
        }

        /// <summary>Copies <paramref name="count"/> bytes at an HDF5 address into <paramref name="target"/> in pieces (large datasets).</summary>
        internal void CopyAt(long address, long count, Action<byte[], int> target)
        {
            if (address == Undefined || address < 0 || count < 0) throw Corrupt("an undefined address is used");
            long absolute = BaseAddress + address;
            if (absolute > _length || count > _length - absolute) throw Corrupt($"data at byte {absolute} (+{count}) lies outside the file ({_length} bytes)");
            // Pooled: a fresh multi-megabyte array per dataset costs page faults on every load; the target uses the
            // buffer only during its call, and sees only the n bytes just read into it.
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)Math.Min(count, 1 << 22));
            try
            {
                _stream.Position = absolute;
                while (count > 0)
                {
                    int n = (int)Math.Min(count, buffer.Length);
                    _stream.ReadExactly(buffer, 0, n);
                    target(buffer, n);
                    count -= n;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        internal bool InFile(long address, long size) =>
            address >= 0 && size >= 0 && BaseAddress + address <= _length && size <= _length - BaseAddress - address;

        /// <summary>The object header at an address (parsed once).</summary>
        internal H5ObjectHeader Header(long address)
        {
            if (_headers.TryGetValue(address, out var header)) return header;
            Count();
            header = H5ObjectHeader.Parse(this, address, MaxHeaderChunks);
            _headers[address] = header;
            return header;
        }

        /// <summary>The object a hard link points at: a group, a dataset, or null for other kinds (committed datatypes).</summary>
        internal HdfObject? ObjectAt(long address, string path)
        {
            var header = Header(address);
            if (header.Has(H5Message.Layout) || header.Has(H5Message.Dataspace) && header.Has(H5Message.Datatype))
                return new HdfDataset(this, header, path);
            if (header.Has(H5Message.SymbolTable) || header.Has(H5Message.LinkInfo) || header.Has(H5Message.Link) || header.Has(H5Message.GroupInfo)
                || !header.Has(H5Message.Datatype))
                return new HdfGroup(this, header, path);
            return null;
        }

        /// <summary>
        /// Resolves a path ("layers/dense/vars") from a group, following soft links (relative or absolute) with a hop
        /// limit and refusing external links. Returns null when a component does not exist.
        /// </summary>
        internal HdfObject? Resolve(HdfGroup start, string path)
        {
            int hops = 0;
            return ResolveFrom(start, path, ref hops);
        }

        private HdfObject? ResolveFrom(HdfGroup start, string path, ref int hops)
        {
            HdfObject? current = path.StartsWith("/", StringComparison.Ordinal) ? Root : start;
            string currentPath = path.StartsWith("/", StringComparison.Ordinal) ? "" : start.Path.TrimEnd('/');
            foreach (var part in path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == ".") continue;
                if (current is not HdfGroup group) return null;
                var link = group.Link(part);
                if (link == null) return null;
                currentPath += "/" + part;
                switch (link.Kind)
                {
                    case H5LinkKind.Hard:
                        current = ObjectAt(link.Address, currentPath);
                        break;
                    case H5LinkKind.Soft:
                        if (++hops > MaxSoftLinkHops)
                            throw Refused($"the soft link '{currentPath}' → '{link.Target}' takes more than {MaxSoftLinkHops} hops (a link cycle)");
                        current = ResolveFrom(group, link.Target, ref hops);
                        if (current == null) return null;
                        break;
                    default:
                        throw Refused($"'{currentPath}' is an external link to '{link.Target}' (a reference to another file)");
                }
            }
            return current;
        }

        /// <summary>The bytes of object <paramref name="index"/> of the global heap collection at <paramref name="address"/> (variable-length strings).</summary>
        internal byte[] GlobalHeapObject(long address, int index)
        {
            if (!_globalHeaps.TryGetValue(address, out var collection))
            {
                Count();
                var head = ReadAt(address, 8 + LengthSize);
                if (head[0] != 'G' || head[1] != 'C' || head[2] != 'O' || head[3] != 'L') throw Corrupt("a variable-length string points at no global heap");
                long size = new H5Cursor(this, head, 8).Length();
                if (size < 8 + LengthSize || size > 64L << 20) throw Corrupt("a global heap collection has an impossible size");
                collection = ReadAt(address, size);
                _globalHeaps[address] = collection;
            }
            var c = new H5Cursor(this, collection, 8 + LengthSize);
            while (c.Position + 8 + LengthSize <= collection.Length)
            {
                int id = c.U16();
                c.Skip(6);
                long size = c.Length();
                if (id == 0) break; // free space: the rest of the collection
                if (size < 0 || size > collection.Length - c.Position) throw Corrupt("a global heap object extends past its collection");
                if (id == index) return c.Bytes((int)size);
                c.Skip((int)((size + 7) & ~7L));
            }
            throw Corrupt($"global heap object {index} does not exist");
        }

        /// <summary>
        /// Walks a version-1 B-tree of the given type from <paramref name="address"/>, breadth first with a depth limit
        /// and a visited set, calling <paramref name="leaf"/> with each (key bytes, child address) of the level-0 nodes.
        /// </summary>
        internal void WalkBTreeV1(long address, int nodeType, int keySize, Action<byte[], int, long> leaf)
        {
            var visited = new HashSet<long>();
            var level = new List<long> { address };
            for (int depth = 0; level.Count > 0; depth++)
            {
                if (depth > MaxBTreeDepth) throw Corrupt("a B-tree is deeper than any real file");
                var next = new List<long>();
                foreach (var node in level)
                {
                    if (!visited.Add(node)) throw Corrupt("a B-tree node is reached twice (a cycle)");
                    Count();
                    var head = ReadAt(node, 8 + 2 * OffsetSize);
                    if (head[0] != 'T' || head[1] != 'R' || head[2] != 'E' || head[3] != 'E') throw Corrupt("a B-tree node has no TREE signature");
                    if (head[4] != nodeType) throw Corrupt("a B-tree node has the wrong type");
                    int nodeLevel = head[5];
                    int entries = BitConverter.ToUInt16(head, 6);
                    long bodySize = (long)entries * (keySize + OffsetSize) + keySize;
                    if (bodySize > int.MaxValue) throw Corrupt("a B-tree node is too large");
                    var body = ReadAt(node + 8 + 2 * OffsetSize, bodySize);
                    var c = new H5Cursor(this, body, 0);
                    for (int i = 0; i < entries; i++)
                    {
                        int keyAt = c.Position;
                        c.Skip(keySize);
                        long child = c.Offset();
                        if (nodeLevel == 0) leaf(body, keyAt, child);
                        else next.Add(child);
                    }
                    Count(entries);
                }
                level = next;
            }
        }
    }

    /// <summary>A little-endian reader over a byte buffer, bounds-checked.</summary>
    internal struct H5Cursor
    {
        private readonly H5Reader _file;
        private readonly byte[] _data;

        internal H5Cursor(H5Reader file, byte[] data, int position)
        {
            _file = file;
            _data = data;
            Position = position;
        }

        internal int Position { get; private set; }

        internal int Remaining => _data.Length - Position;

        private void Need(int n)
        {
            if (n < 0 || Position + n > _data.Length || Position + n < 0) throw _file.Corrupt("a structure is shorter than its fields");
        }

        internal byte U8()
        {
            Need(1);
            return _data[Position++];
        }

        internal ushort U16()
        {
            Need(2);
            var v = BitConverter.ToUInt16(_data, Position);
            Position += 2;
            return v;
        }

        internal uint U32()
        {
            Need(4);
            var v = BitConverter.ToUInt32(_data, Position);
            Position += 4;
            return v;
        }

        internal ulong U64()
        {
            Need(8);
            var v = BitConverter.ToUInt64(_data, Position);
            Position += 8;
            return v;
        }

        /// <summary>An unsigned value of <paramref name="size"/> bytes; all-ones means undefined (-1).</summary>
        internal long Sized(int size)
        {
            ulong v = size switch
            {
                1 => U8(),
                2 => U16(),
                4 => U32(),
                8 => U64(),
                _ => throw _file.Corrupt($"a field of {size} bytes"),
            };
            ulong allOnes = size == 8 ? ulong.MaxValue : (1UL << (8 * size)) - 1;
            if (v == allOnes) return H5Reader.Undefined;
            if (v > long.MaxValue) throw _file.Corrupt("an impossible value");
            return (long)v;
        }

        internal long Offset() => Sized(_file.OffsetSize);

        internal long Length() => Sized(_file.LengthSize);

        internal void Skip(int n)
        {
            Need(n);
            Position += n;
        }

        internal byte[] Bytes(int n)
        {
            Need(n);
            var result = new byte[n];
            Buffer.BlockCopy(_data, Position, result, 0, n);
            Position += n;
            return result;
        }

        internal string NullTerminated(int max)
        {
            int end = Position;
            int limit = Math.Min(_data.Length, Position + max);
            while (end < limit && _data[end] != 0) end++;
            var s = Encoding.UTF8.GetString(_data, Position, end - Position);
            Position = Math.Min(end + 1, _data.Length);
            return s;
        }
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace Keras.SavingLib.Hdf5
{
    /// <summary>HDF5 object header message types this reader looks at.</summary>
    internal static class H5Message
    {
        internal const int Nil = 0x00;
        internal const int Dataspace = 0x01;
        internal const int LinkInfo = 0x02;
        internal const int Datatype = 0x03;
        internal const int FillValueOld = 0x04;
        internal const int FillValue = 0x05;
        internal const int Link = 0x06;
        internal const int ExternalFiles = 0x07;
        internal const int Layout = 0x08;
        internal const int GroupInfo = 0x0A;
        internal const int FilterPipeline = 0x0B;
        internal const int Attribute = 0x0C;
        internal const int Continuation = 0x10;
        internal const int SymbolTable = 0x11;
        internal const int AttributeInfo = 0x15;
    }

    /// <summary>One message of an object header: its type, flags and bytes.</summary>
    internal readonly struct H5RawMessage
    {
        internal H5RawMessage(int type, int flags, byte[] data)
        {
            Type = type;
            Flags = flags;
            Data = data;
        }

        internal int Type { get; }
        internal int Flags { get; }
        internal byte[] Data { get; }
        internal bool Shared => (Flags & 0x02) != 0;
    }

    /// <summary>An object header (version 1 or 2) with its continuation chunks, parsed with a chunk limit and a visited set.</summary>
    internal sealed class H5ObjectHeader
    {
        private H5ObjectHeader(long address, List<H5RawMessage> messages)
        {
            Address = address;
            Messages = messages;
        }

        internal long Address { get; }

        internal List<H5RawMessage> Messages { get; }

        internal bool Has(int type) => Messages.Any(m => m.Type == type);

        internal IEnumerable<H5RawMessage> All(int type) => Messages.Where(m => m.Type == type);

        internal H5RawMessage? First(int type)
        {
            foreach (var m in Messages)
                if (m.Type == type) return m;
            return null;
        }

        internal static H5ObjectHeader Parse(H5Reader file, long address, int maxChunks)
        {
            var messages = new List<H5RawMessage>();
            var chunks = new Queue<(long Address, long Length)>();
            var seen = new HashSet<long>();
            var first = file.ReadAt(address, 4);
            bool v2 = first[0] == 'O' && first[1] == 'H' && first[2] == 'D' && first[3] == 'R';
            bool creationOrder = false;
            if (v2)
            {
                var head = file.ReadAt(address, 6);
                if (head[4] != 2) throw file.Corrupt($"object header at {address} has version {head[4]}");
                int flags = head[5];
                creationOrder = (flags & 0x04) != 0;
                int at = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
                int sizeBytes = 1 << (flags & 0x03);
                var sizeField = file.ReadAt(address + at, sizeBytes);
                long size = new H5Cursor(file, sizeField, 0).Sized(sizeBytes);
                if (size < 0) throw file.Corrupt($"object header at {address} has an impossible size");
                chunks.Enqueue((address + at + sizeBytes, size));
            }
            else
            {
                var head = file.ReadAt(address, 16);
                if (head[0] != 1) throw file.Corrupt($"there is no object header at {address} (version {head[0]})");
                long size = BitConverter.ToUInt32(head, 8);
                chunks.Enqueue((address + 16, size));
            }
            bool firstChunk = true;
            int count = 0;
            while (chunks.Count > 0)
            {
                var (chunkAddress, length) = chunks.Dequeue();
                if (!seen.Add(chunkAddress)) throw file.Corrupt("object header continuations form a cycle");
                if (++count > maxChunks) throw file.Corrupt($"an object header has more than {maxChunks} continuation blocks");
                if (length > 16L << 20) throw file.Corrupt("an object header chunk is larger than 16 MiB");
                var data = file.ReadAt(chunkAddress, length);
                int start = 0, end = data.Length;
                if (v2)
                {
                    if (!firstChunk)
                    {
                        if (data.Length < 8 || data[0] != 'O' || data[1] != 'C' || data[2] != 'H' || data[3] != 'K')
                            throw file.Corrupt("an object header continuation has no OCHK signature");
                        start = 4;
                        end = data.Length - 4; // checksum
                    }
                }
                firstChunk = false;
                var c = new H5Cursor(file, data, start);
                int messageHeader = v2 ? 4 + (creationOrder ? 2 : 0) : 8;
                while (c.Position + messageHeader <= end)
                {
                    int type, size, flags;
                    if (v2)
                    {
                        type = c.U8();
                        size = c.U16();
                        flags = c.U8();
                        if (creationOrder) c.U16();
                    }
                    else
                    {
                        type = c.U16();
                        size = c.U16();
                        flags = c.U8();
                        c.Skip(3);
                    }
                    if (c.Position + size > end) throw file.Corrupt($"a message of the object header at {address} extends past its chunk");
                    var body = c.Bytes(size);
                    file.Count();
                    if (type == H5Message.Continuation)
                    {
                        var cc = new H5Cursor(file, body, 0);
                        long next = cc.Offset(), nextLength = cc.Length();
                        if (next == H5Reader.Undefined || nextLength < 0) throw file.Corrupt("a continuation message has an undefined address");
                        chunks.Enqueue((next, nextLength));
                        continue;
                    }
                    if (type != H5Message.Nil) messages.Add(new H5RawMessage(type, flags, body));
                }
            }
            return new H5ObjectHeader(address, messages);
        }
    }

    /// <summary>How a link leads to its object.</summary>
    internal enum H5LinkKind
    {
        Hard,
        Soft,
        External,
    }

    /// <summary>A named link of a group.</summary>
    internal sealed class H5Link
    {
        internal H5Link(H5LinkKind kind, long address, string target)
        {
            Kind = kind;
            Address = address;
            Target = target;
        }

        internal H5LinkKind Kind { get; }
        internal long Address { get; }
        internal string Target { get; }
    }

    /// <summary>A group or a dataset.</summary>
    internal abstract class HdfObject
    {
        private protected HdfObject(H5Reader file, H5ObjectHeader header, string path)
        {
            File = file;
            Header = header;
            Path = path;
        }

        internal H5Reader File { get; }
        internal H5ObjectHeader Header { get; }

        /// <summary>The path it was reached by, for messages.</summary>
        internal string Path { get; }

        /// <summary>A string attribute (fixed or variable length, scalar or one element), or null when absent or not a string.</summary>
        internal string? StringAttribute(string name)
        {
            foreach (var message in Header.All(H5Message.Attribute))
            {
                var attribute = H5Attribute.Parse(File, message.Data);
                if (attribute.Name == name) return attribute.AsString(File);
            }
            return null;
        }
    }

    /// <summary>A group: its links, read once (symbol table or compact link messages).</summary>
    internal sealed class HdfGroup : HdfObject
    {
        private Dictionary<string, H5Link>? _links;

        internal HdfGroup(H5Reader file, H5ObjectHeader header, string path) : base(file, header, path)
        {
        }

        internal H5Link? Link(string name) => Links().TryGetValue(name, out var link) ? link : null;

        internal IReadOnlyDictionary<string, H5Link> Links() => _links ??= ReadLinks();

        private Dictionary<string, H5Link> ReadLinks()
        {
            var links = new Dictionary<string, H5Link>(StringComparer.Ordinal);
            if (Header.First(H5Message.SymbolTable) is { } table)
            {
                var c = new H5Cursor(File, table.Data, 0);
                long btree = c.Offset(), heapAddress = c.Offset();
                var heap = LocalHeap(heapAddress);
                string Name(long offset)
                {
                    if (offset < 0 || offset >= heap.Length) throw File.Corrupt($"a name in group '{Path}' points outside its heap");
                    return new H5Cursor(File, heap, (int)offset).NullTerminated(heap.Length);
                }
                File.WalkBTreeV1(btree, 0, File.LengthSize, (body, keyAt, child) =>
                {
                    var head = File.ReadAt(child, 8);
                    if (head[0] != 'S' || head[1] != 'N' || head[2] != 'O' || head[3] != 'D') throw File.Corrupt($"group '{Path}' has a symbol node without SNOD signature");
                    int symbols = BitConverter.ToUInt16(head, 6);
                    int entrySize = 2 * File.OffsetSize + 24;
                    var entries = File.ReadAt(child + 8, (long)symbols * entrySize);
                    var ec = new H5Cursor(File, entries, 0);
                    for (int i = 0; i < symbols; i++)
                    {
                        long nameOffset = ec.Offset(), objectAddress = ec.Offset();
                        uint cacheType = ec.U32();
                        ec.Skip(4);
                        var scratch = ec.Bytes(16);
                        string name = Name(nameOffset);
                        if (cacheType == 2)
                        {
                            long valueOffset = BitConverter.ToUInt32(scratch, 0);
                            Add(links, name, new H5Link(H5LinkKind.Soft, H5Reader.Undefined, Name(valueOffset)));
                        }
                        else
                        {
                            Add(links, name, new H5Link(H5LinkKind.Hard, objectAddress, ""));
                        }
                    }
                    File.Count(symbols);
                });
            }
            foreach (var message in Header.All(H5Message.Link)) ParseLink(links, message.Data);
            if (Header.First(H5Message.LinkInfo) is { } info)
            {
                var c = new H5Cursor(File, info.Data, 0);
                c.U8();
                int flags = c.U8();
                if ((flags & 1) != 0) c.Skip(8);
                long fractalHeap = c.Offset();
                if (fractalHeap != H5Reader.Undefined)
                    throw File.Refused($"group '{Path}' keeps its links in dense storage (a fractal heap), which this reader does not follow");
            }
            return links;
        }

        private void Add(Dictionary<string, H5Link> links, string name, H5Link link)
        {
            if (links.ContainsKey(name)) throw File.Corrupt($"group '{Path}' lists '{name}' twice");
            links[name] = link;
        }

        private byte[] LocalHeap(long address)
        {
            var head = File.ReadAt(address, 8 + 2 * File.LengthSize + File.OffsetSize);
            if (head[0] != 'H' || head[1] != 'E' || head[2] != 'A' || head[3] != 'P') throw File.Corrupt($"group '{Path}' has no local heap where it says");
            var c = new H5Cursor(File, head, 8);
            long size = c.Length();
            c.Length();
            long data = c.Offset();
            if (size < 0 || size > 64L << 20) throw File.Corrupt($"group '{Path}' has a local heap of impossible size");
            File.Count();
            return File.ReadAt(data, size);
        }

        private void ParseLink(Dictionary<string, H5Link> links, byte[] data)
        {
            var c = new H5Cursor(File, data, 0);
            int version = c.U8();
            if (version != 1) throw File.Corrupt($"group '{Path}' has a link message of version {version}");
            int flags = c.U8();
            int type = (flags & 0x08) != 0 ? c.U8() : 0;
            if ((flags & 0x04) != 0) c.Skip(8);
            if ((flags & 0x10) != 0) c.U8();
            long nameLength = c.Sized(1 << (flags & 0x03));
            if (nameLength <= 0 || nameLength > c.Remaining) throw File.Corrupt($"group '{Path}' has a link with a bad name length");
            string name = Encoding.UTF8.GetString(c.Bytes((int)nameLength));
            switch (type)
            {
                case 0:
                    Add(links, name, new H5Link(H5LinkKind.Hard, c.Offset(), ""));
                    break;
                case 1:
                {
                    int length = c.U16();
                    Add(links, name, new H5Link(H5LinkKind.Soft, H5Reader.Undefined, Encoding.UTF8.GetString(c.Bytes(length))));
                    break;
                }
                case 64:
                {
                    int length = c.U16();
                    var info = c.Bytes(length);
                    string target = Encoding.UTF8.GetString(info.Skip(1).ToArray()).Replace('\0', ':').TrimEnd(':');
                    Add(links, name, new H5Link(H5LinkKind.External, H5Reader.Undefined, target));
                    break;
                }
                default:
                    throw File.Refused($"group '{Path}' has a user-defined link '{name}' (type {type})");
            }
            File.Count();
        }
    }

    /// <summary>What a dataset's elements are.</summary>
    internal enum H5ElementKind
    {
        Float,
        SignedInt,
        UnsignedInt,
        BFloat16,
    }

    /// <summary>A numeric datatype: the only kind weights are stored as.</summary>
    internal sealed class H5NumericType
    {
        internal H5NumericType(H5ElementKind kind, int size, bool bigEndian)
        {
            Kind = kind;
            Size = size;
            BigEndian = bigEndian;
        }

        internal H5ElementKind Kind { get; }
        internal int Size { get; }
        internal bool BigEndian { get; }

        public override string ToString() => (Kind switch
        {
            H5ElementKind.Float => "float",
            H5ElementKind.SignedInt => "int",
            H5ElementKind.UnsignedInt => "uint",
            _ => "bfloat",
        }) + (Size * 8);
    }

    /// <summary>A dataset: shape, element type and where its data is (never outside the file).</summary>
    internal sealed class HdfDataset : HdfObject
    {
        private long[]? _shape;

        internal HdfDataset(H5Reader file, H5ObjectHeader header, string path) : base(file, header, path)
        {
        }

        /// <summary>The dataset's shape (empty for a scalar).</summary>
        internal long[] Shape => _shape ??= ReadShape();

        private long[] ReadShape()
        {
            var message = Header.First(H5Message.Dataspace) ?? throw File.Corrupt($"dataset '{Path}' has no dataspace");
            if (message.Shared) throw File.Refused($"dataset '{Path}' uses a shared dataspace");
            return H5Dataspace.Parse(File, message.Data, Path);
        }

        /// <summary>Number of elements (the product of the shape; checked against overflow).</summary>
        internal long ElementCount
        {
            get
            {
                long n = 1;
                foreach (var d in Shape)
                {
                    try
                    {
                        n = checked(n * d);
                    }
                    catch (OverflowException)
                    {
                        throw File.Corrupt($"dataset '{Path}' declares more elements than fit in memory");
                    }
                }
                return n;
            }
        }

        /// <summary>The element type; refuses non-numeric types with a message naming them.</summary>
        internal H5NumericType Type()
        {
            var message = Header.First(H5Message.Datatype) ?? throw File.Corrupt($"dataset '{Path}' has no datatype");
            if (message.Shared) throw File.Refused($"dataset '{Path}' uses a shared (committed) datatype");
            var type = H5Datatype.Parse(File, message.Data, Path);
            if (type.Class == 8 && type.Base != null) type = type.Base; // enums (h5py's booleans): their integer values
            bool bfloat16 = StringAttribute("dtype") == "bfloat16";
            bool bigEndian = (type.Bits & 1) != 0;
            switch (type.Class)
            {
                case 1 when type.Size is 2 or 4 or 8 && (type.Bits & 0x40) == 0:
                    return new H5NumericType(H5ElementKind.Float, type.Size, bigEndian);
                case 0 or 4 or 5 when bfloat16 && type.Size == 2:
                    return new H5NumericType(H5ElementKind.BFloat16, 2, type.Class == 0 && bigEndian);
                case 0 when type.Size is 1 or 2 or 4 or 8:
                    return new H5NumericType((type.Bits & 0x08) != 0 ? H5ElementKind.SignedInt : H5ElementKind.UnsignedInt, type.Size, bigEndian);
                default:
                    throw new Errors.KerasFileFormatException(
                        $"Unsupported dataset type in weights file {File.Source}: {Path} is HDF5 type class {type.Class} of {type.Size} bytes; Keras weights " +
                        "are floats or integers.");
            }
        }

        /// <summary>
        /// Reads the raw little-endian bytes of every element in row-major order, in pieces handed to
        /// <paramref name="sink"/> (offset into the dataset's bytes, buffer, count). Refuses external storage, virtual
        /// datasets and unknown filters before reading anything.
        /// </summary>
        internal void ReadRaw(H5NumericType type, Action<long, byte[], int> sink)
        {
            if (Header.Has(H5Message.ExternalFiles)) throw File.Refused($"dataset '{Path}' keeps its data in external files (HDF5 external storage)");
            long total = ElementCount * type.Size;
            var layoutMessage = Header.First(H5Message.Layout) ?? throw File.Corrupt($"dataset '{Path}' has no data layout");
            var filters = Filters();
            var c = new H5Cursor(File, layoutMessage.Data, 0);
            int version = c.U8();
            if (version is 1 or 2) throw File.Refused($"dataset '{Path}' uses an HDF5 1.4 data layout (version {version})");
            if (version is not (3 or 4)) throw File.Corrupt($"dataset '{Path}' has data layout version {version}");
            int layoutClass = c.U8();
            switch (layoutClass)
            {
                case 0:
                {
                    int size = c.U16();
                    if (size != total) throw File.Corrupt($"dataset '{Path}' holds {size} bytes of compact data for {total} bytes of elements");
                    var bytes = c.Bytes(size);
                    Deliver(sink, 0, bytes, size, type);
                    return;
                }
                case 1:
                {
                    if (filters.Count > 0) throw File.Corrupt($"contiguous dataset '{Path}' declares filters");
                    long address = c.Offset(), size = c.Length();
                    if (address == H5Reader.Undefined)
                        throw File.Corrupt($"dataset '{Path}' has no data stored (its storage was never allocated)");
                    if (size != total) throw File.Corrupt($"dataset '{Path}' stores {size} bytes for {total} bytes of elements");
                    long offset = 0;
                    File.CopyAt(address, size, (buffer, n) =>
                    {
                        Deliver(sink, offset, buffer, n, type);
                        offset += n;
                    });
                    return;
                }
                case 2:
                    ReadChunked(c, version, type, total, filters, sink);
                    return;
                case 3:
                    throw File.Refused($"dataset '{Path}' is a virtual dataset (its data comes from other files)");
                default:
                    throw File.Corrupt($"dataset '{Path}' has layout class {layoutClass}");
            }
        }

        /// <summary>Byte-swaps big-endian elements in place, then hands the piece on.</summary>
        private static void Deliver(Action<long, byte[], int> sink, long offset, byte[] buffer, int count, H5NumericType type)
        {
            if (type.BigEndian && type.Size > 1)
                for (int i = 0; i + type.Size <= count; i += type.Size) Array.Reverse(buffer, i, type.Size);
            sink(offset, buffer, count);
        }

        private List<int> Filters()
        {
            var result = new List<int>();
            if (Header.First(H5Message.FilterPipeline) is not { } message) return result;
            var c = new H5Cursor(File, message.Data, 0);
            int version = c.U8();
            int count = c.U8();
            if (version == 1) c.Skip(6);
            for (int i = 0; i < count; i++)
            {
                int id = c.U16();
                int nameLength = version == 1 || id >= 256 ? c.U16() : 0;
                c.U16(); // flags
                int values = c.U16();
                if (nameLength > 0) c.Skip(version == 1 ? (nameLength + 7) & ~7 : nameLength);
                c.Skip(4 * values);
                if (version == 1 && values % 2 == 1) c.Skip(4);
                if (id is not (1 or 2))
                    throw File.Refused($"dataset '{Path}' is compressed with HDF5 filter {id}, which this reader does not decode (deflate and shuffle are read)");
                result.Add(id);
            }
            return result;
        }

        private void ReadChunked(H5Cursor c, int version, H5NumericType type, long total, List<int> filters, Action<long, byte[], int> sink)
        {
            var shape = Shape;
            int rank = shape.Length;
            long[] chunk;
            var pieces = new List<(long[] Offset, long Address, long Size)>();
            if (version == 3)
            {
                int dims = c.U8();
                if (dims != rank + 1) throw File.Corrupt($"dataset '{Path}' has chunks of rank {dims - 1} for rank {rank}");
                long btree = c.Offset();
                chunk = new long[rank];
                for (int i = 0; i < rank; i++) chunk[i] = c.U32();
                if (c.U32() != type.Size) throw File.Corrupt($"dataset '{Path}' has chunks of another element size");
                if (btree == H5Reader.Undefined) throw File.Corrupt($"dataset '{Path}' has no data stored");
                int keySize = 8 + 8 * (rank + 1);
                File.WalkBTreeV1(btree, 1, keySize, (body, keyAt, child) =>
                {
                    var k = new H5Cursor(File, body, keyAt);
                    long size = k.U32();
                    k.U32(); // filter mask
                    var offset = new long[rank];
                    for (int i = 0; i < rank; i++) offset[i] = (long)k.U64();
                    pieces.Add((offset, child, size));
                });
            }
            else
            {
                int flags = c.U8();
                int dims = c.U8();
                int encoded = c.U8();
                if (dims != rank + 1) throw File.Corrupt($"dataset '{Path}' has chunks of rank {dims - 1} for rank {rank}");
                chunk = new long[rank];
                for (int i = 0; i < rank; i++) chunk[i] = c.Sized(encoded);
                c.Sized(encoded);
                int index = c.U8();
                switch (index)
                {
                    case 1: // a single chunk
                    {
                        long size = -1;
                        if ((flags & 0x02) != 0)
                        {
                            size = c.Length();
                            c.U32();
                        }
                        long address = c.Offset();
                        pieces.Add((new long[rank], address, size < 0 ? total : size));
                        chunk = (long[])shape.Clone();
                        break;
                    }
                    case 2: // implicit: every chunk in order, unfiltered
                    {
                        long address = c.Offset();
                        var grid = shape.Select((d, i) => chunk[i] == 0 ? 0 : (d + chunk[i] - 1) / chunk[i]).ToArray();
                        long chunkBytes = chunk.Aggregate((long)type.Size, (a, b) => a * b);
                        long n = grid.Aggregate(1L, (a, b) => a * b);
                        for (long k = 0; k < n; k++)
                        {
                            var offset = new long[rank];
                            long rest = k;
                            for (int i = rank - 1; i >= 0; i--)
                            {
                                offset[i] = rest % grid[i] * chunk[i];
                                rest /= grid[i];
                            }
                            pieces.Add((offset, address + k * chunkBytes, chunkBytes));
                        }
                        break;
                    }
                    default:
                        throw File.Refused($"dataset '{Path}' uses HDF5 chunk index type {index}, which this reader does not follow (Keras writes contiguous data)");
                }
            }
            if (chunk.Any(d => d <= 0)) throw File.Corrupt($"dataset '{Path}' has empty chunks");
            if (total > int.MaxValue) throw File.Refused($"chunked dataset '{Path}' is larger than 2 GiB");
            long chunkSize = chunk.Aggregate((long)type.Size, (a, b) => a * b);
            if (chunkSize > int.MaxValue) throw File.Corrupt($"dataset '{Path}' has chunks larger than 2 GiB");
            var output = new byte[total];
            foreach (var (offset, address, size) in pieces)
            {
                for (int i = 0; i < rank; i++)
                    if (offset[i] < 0 || offset[i] >= Math.Max(shape[i], 1) || offset[i] % chunk[i] != 0)
                        throw File.Corrupt($"dataset '{Path}' has a chunk at an impossible position");
                if (!File.InFile(address, size)) throw File.Corrupt($"a chunk of dataset '{Path}' lies outside the file");
                var raw = File.ReadAt(address, size);
                var data = Unfilter(raw, filters, chunkSize, type.Size);
                if (data.Length != chunkSize) throw File.Corrupt($"a chunk of dataset '{Path}' holds {data.Length} bytes instead of {chunkSize}");
                CopyChunk(data, offset, chunk, shape, output, type.Size);
            }
            Deliver(sink, 0, output, output.Length, type);
        }

        private byte[] Unfilter(byte[] raw, List<int> filters, long expected, int elementSize)
        {
            var data = raw;
            for (int f = filters.Count - 1; f >= 0; f--)
            {
                if (filters[f] == 1)
                {
                    using var input = new ZLibStream(new MemoryStream(data), CompressionMode.Decompress);
                    using var output = new MemoryStream();
                    var buffer = new byte[81920];
                    int n;
                    try
                    {
                        while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                        {
                            if (output.Length + n > expected) throw File.Corrupt($"a compressed chunk of dataset '{Path}' inflates past its size");
                            output.Write(buffer, 0, n);
                        }
                    }
                    catch (InvalidDataException e)
                    {
                        throw File.Corrupt($"a compressed chunk of dataset '{Path}' is damaged ({e.Message})");
                    }
                    data = output.ToArray();
                }
                else
                {
                    // shuffle: byte planes back to elements
                    int count = data.Length / elementSize;
                    var unshuffled = new byte[data.Length];
                    for (int b = 0; b < elementSize; b++)
                        for (int i = 0; i < count; i++) unshuffled[i * elementSize + b] = data[b * count + i];
                    Buffer.BlockCopy(data, count * elementSize, unshuffled, count * elementSize, data.Length - count * elementSize);
                    data = unshuffled;
                }
            }
            return data;
        }

        private static void CopyChunk(byte[] data, long[] offset, long[] chunk, long[] shape, byte[] output, int elementSize)
        {
            int rank = shape.Length;
            if (rank == 0)
            {
                Buffer.BlockCopy(data, 0, output, 0, Math.Min(data.Length, output.Length));
                return;
            }
            // Copy row by row along the last axis; edge chunks are clipped to the dataset.
            long rowLength = Math.Min(chunk[rank - 1], shape[rank - 1] - offset[rank - 1]);
            var index = new long[rank - 1];
            while (true)
            {
                bool inside = true;
                long source = 0, target = 0;
                for (int i = 0; i < rank - 1; i++)
                {
                    if (offset[i] + index[i] >= shape[i]) inside = false;
                    source = source * chunk[i] + index[i];
                    target = target * shape[i] + offset[i] + index[i];
                }
                if (inside && rowLength > 0)
                {
                    source = source * chunk[rank - 1];
                    target = target * shape[rank - 1] + offset[rank - 1];
                    Buffer.BlockCopy(data, (int)(source * elementSize), output, (int)(target * elementSize), (int)(rowLength * elementSize));
                }
                int d = rank - 2;
                while (d >= 0 && ++index[d] >= chunk[d])
                {
                    index[d] = 0;
                    d--;
                }
                if (d < 0) break;
            }
        }
    }

    /// <summary>Dataspace messages (versions 1 and 2).</summary>
    internal static class H5Dataspace
    {
        internal static long[] Parse(H5Reader file, byte[] data, string path)
        {
            var c = new H5Cursor(file, data, 0);
            int version = c.U8();
            int rank = c.U8();
            int flags = c.U8();
            if (rank > LoadLimits.MaxRank) throw file.Corrupt($"'{path}' declares {rank} dimensions (at most {LoadLimits.MaxRank})");
            if (version == 1)
            {
                c.Skip(5);
            }
            else if (version == 2)
            {
                int type = c.U8();
                if (type == 2) throw file.Corrupt($"'{path}' has a null dataspace (no data)");
                if (type == 0) return Array.Empty<long>();
            }
            else
            {
                throw file.Corrupt($"'{path}' has dataspace version {version}");
            }
            var shape = new long[rank];
            for (int i = 0; i < rank; i++)
            {
                shape[i] = c.Length();
                if (shape[i] < 0) throw file.Corrupt($"'{path}' has an unlimited or negative dimension");
            }
            return shape;
        }
    }

    /// <summary>A parsed datatype message: class, bit field, size and (for enums and variable-length types) the base type.</summary>
    internal sealed class H5Datatype
    {
        private H5Datatype(int @class, int bits, int size, H5Datatype? baseType, bool vlenString)
        {
            Class = @class;
            Bits = bits;
            Size = size;
            Base = baseType;
            VlenString = vlenString;
        }

        internal int Class { get; }
        internal int Bits { get; }
        internal int Size { get; }
        internal H5Datatype? Base { get; }
        internal bool VlenString { get; }

        internal static H5Datatype Parse(H5Reader file, byte[] data, string path) => Parse(file, new H5Cursor(file, data, 0), path, 0);

        private static H5Datatype Parse(H5Reader file, H5Cursor c, string path, int depth)
        {
            if (depth > 4) throw file.Corrupt($"'{path}' has a datatype nested too deeply");
            int classVersion = c.U8();
            int @class = classVersion & 0x0F;
            int bits = c.U8() | (c.U8() << 8) | (c.U8() << 16);
            long size = c.U32();
            if (size <= 0 || size > 1 << 20) throw file.Corrupt($"'{path}' has a datatype of {size} bytes");
            switch (@class)
            {
                case 0: // fixed point
                case 4: // bit field
                    c.Skip(4);
                    return new H5Datatype(@class, bits, (int)size, null, false);
                case 1: // floating point
                    c.Skip(12);
                    return new H5Datatype(@class, bits, (int)size, null, false);
                case 3: // fixed-length string
                case 5: // opaque
                    return new H5Datatype(@class, bits, (int)size, null, false);
                case 8: // enum: base type, then names and values (not needed)
                    return new H5Datatype(@class, bits, (int)size, Parse(file, c, path, depth + 1), false);
                case 9: // variable length: sequence (0) or string (1)
                    return new H5Datatype(@class, bits, (int)size, null, (bits & 0x0F) == 1);
                default:
                    return new H5Datatype(@class, bits, (int)size, null, false);
            }
        }
    }

    /// <summary>An attribute message (versions 1–3).</summary>
    internal sealed class H5Attribute
    {
        private H5Attribute(string name, H5Datatype type, long[] shape, byte[] value)
        {
            Name = name;
            Type = type;
            Shape = shape;
            Value = value;
        }

        internal string Name { get; }
        internal H5Datatype Type { get; }
        internal long[] Shape { get; }
        internal byte[] Value { get; }

        internal static H5Attribute Parse(H5Reader file, byte[] data)
        {
            var c = new H5Cursor(file, data, 0);
            int version = c.U8();
            int flags = c.U8();
            int nameSize = c.U16(), typeSize = c.U16(), spaceSize = c.U16();
            if (version == 3) c.U8();
            if (version is < 1 or > 3) throw file.Corrupt($"an attribute message has version {version}");
            if ((flags & 0x03) != 0) throw file.Refused("an attribute uses a shared datatype or dataspace");
            int Pad(int n) => version == 1 ? (n + 7) & ~7 : n;
            var nameBytes = c.Bytes(Pad(nameSize));
            string name = Encoding.UTF8.GetString(nameBytes, 0, Math.Max(0, Array.IndexOf(nameBytes, (byte)0) is int z && z >= 0 ? z : nameSize));
            var type = H5Datatype.Parse(file, c.Bytes(Pad(typeSize)), "attribute " + name);
            var shape = H5Dataspace.Parse(file, c.Bytes(Pad(spaceSize)), "attribute " + name);
            return new H5Attribute(name, type, shape, c.Bytes(c.Remaining));
        }

        /// <summary>The value as a string when it is one string (fixed or variable length); null otherwise.</summary>
        internal string? AsString(H5Reader file)
        {
            if (Shape.Length > 1 || Shape.Length == 1 && Shape[0] != 1) return null;
            if (Type.Class == 3)
            {
                int length = Math.Min(Type.Size, Value.Length);
                int end = Array.IndexOf(Value, (byte)0, 0, length);
                return Encoding.UTF8.GetString(Value, 0, end >= 0 ? end : length).TrimEnd(' ');
            }
            if (Type.Class == 9 && Type.VlenString)
            {
                var c = new H5Cursor(file, Value, 0);
                long length = c.U32();
                long heap = c.Offset();
                int index = (int)c.U32();
                if (heap == H5Reader.Undefined || length == 0) return "";
                var bytes = file.GlobalHeapObject(heap, index);
                int n = (int)Math.Min(length, bytes.Length);
                int end = Array.IndexOf(bytes, (byte)0, 0, n);
                return Encoding.UTF8.GetString(bytes, 0, end >= 0 ? end : n);
            }
            return null;
        }
    }
}

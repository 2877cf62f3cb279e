using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using Keras.Errors;

namespace Keras.SavingLib
{
    /// <summary>
    /// A reader for the zip archives of <c>.keras</c> files that trusts nothing in them: the central directory is parsed
    /// with every offset and size checked against the file, local headers must agree with it, duplicate names, encrypted
    /// entries and compression methods other than stored/deflate are refused with their own messages, inflation stops
    /// at the caller's limit (actual bytes, not declared sizes), and every entry's CRC-32 is verified before its content
    /// is used. A file that is not a zip says what it is instead (an HDF5 signature means a legacy HDF5 model).
    /// </summary>
    internal sealed class ZipReader : IDisposable
    {
        private const uint EndOfCentralDirectory = 0x06054b50;
        private const uint Zip64EndOfCentralDirectory = 0x06064b50;
        private const uint Zip64Locator = 0x07064b50;
        private const uint CentralHeader = 0x02014b50;
        private const uint LocalHeader = 0x04034b50;
        private const int MaxEntries = 10_000;

        /// <summary>Stored weight entries up to this size are read into memory once (the HDF5 reader's many small reads then cost no syscalls).</summary>
        internal const long InMemoryLimit = 256L << 20;

        private readonly FileStream _file;
        private readonly string _path;
        private readonly Dictionary<string, Entry> _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);

        internal sealed class Entry
        {
            public string Name = "";
            public ushort Method;
            public ushort Flags;
            public uint Crc;
            public long CompressedSize;
            public long UncompressedSize;
            public long LocalHeaderOffset;
            public long DataOffset = -1;
        }

        private ZipReader(FileStream file, string path)
        {
            _file = file;
            _path = path;
        }

        /// <summary>Opens and checks the archive's directory; throws <see cref="KerasFileFormatException"/> for anything that is not a sound zip.</summary>
        internal static ZipReader Open(string path)
        {
            // Unbuffered: every read here is positioned and sized exactly (directory, headers, whole entries), and a
            // buffered stream would fill 64 KiB around each small header read.
            var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess);
            var reader = new ZipReader(file, path);
            try
            {
                reader.ReadDirectory();
                return reader;
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        /// <summary>The entry named <paramref name="name"/>, or null.</summary>
        internal Entry? Find(string name) => _entries.TryGetValue(name, out var e) ? e : null;

        /// <summary>The entries' names, in directory order is not kept (a set).</summary>
        internal IReadOnlyCollection<string> Names => _entries.Keys;

        private KerasFileFormatException Corrupt(string what) =>
            new KerasFileFormatException($"The archive {_path} is corrupt or not a valid `.keras` zip file: {what}. Save the model again, or restore a backup.");

        private void ReadDirectory()
        {
            long length = _file.Length;
            if (length < 22) throw NotAZip();
            // The end record sits in the last 22 bytes plus the archive comment (at most 65535 bytes). Keras writes no
            // comment: a short tail finds it, and only an archive with a long comment needs the longest one.
            int tailLength = 0, eocd = -1;
            byte[] tail = Array.Empty<byte>();
            foreach (int window in new[] { 1024, 22 + 65535 })
            {
                if (tailLength == length) break; // the whole file was searched already
                tailLength = (int)Math.Min(length, window);
                tail = ReadAt(length - tailLength, tailLength);
                for (int i = tail.Length - 22; i >= 0; i--)
                {
                    if (BitConverter.ToUInt32(tail, i) == EndOfCentralDirectory)
                    {
                        int commentLength = BitConverter.ToUInt16(tail, i + 20);
                        if (i + 22 + commentLength == tail.Length)
                        {
                            eocd = i;
                            break;
                        }
                    }
                }
                if (eocd >= 0) break;
            }
            if (eocd < 0) throw NotAZip();
            long eocdPosition = length - tailLength + eocd;
            int disk = BitConverter.ToUInt16(tail, eocd + 4), cdDisk = BitConverter.ToUInt16(tail, eocd + 6);
            long count = BitConverter.ToUInt16(tail, eocd + 10);
            long cdSize = BitConverter.ToUInt32(tail, eocd + 12);
            long cdOffset = BitConverter.ToUInt32(tail, eocd + 16);
            if (count == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF)
            {
                // Zip64: the locator sits right before the end-of-central-directory record.
                if (eocdPosition < 20) throw Corrupt("a zip64 archive without its locator");
                var locator = ReadAt(eocdPosition - 20, 20);
                if (BitConverter.ToUInt32(locator, 0) != Zip64Locator) throw Corrupt("a zip64 archive without its locator");
                long recordOffset = checked((long)BitConverter.ToUInt64(locator, 8));
                if (recordOffset < 0 || recordOffset > eocdPosition - 56) throw Corrupt("the zip64 directory record lies outside the file");
                var record = ReadAt(recordOffset, 56);
                if (BitConverter.ToUInt32(record, 0) != Zip64EndOfCentralDirectory) throw Corrupt("a bad zip64 directory record");
                count = CheckedLong(BitConverter.ToUInt64(record, 32), "entry count");
                cdSize = CheckedLong(BitConverter.ToUInt64(record, 40), "directory size");
                cdOffset = CheckedLong(BitConverter.ToUInt64(record, 48), "directory offset");
                disk = cdDisk = 0;
            }
            if (disk != 0 || cdDisk != 0) throw Corrupt("a multi-volume (split) archive");
            if (count > MaxEntries) throw Corrupt($"{count} entries (a .keras file has 3; at most {MaxEntries} are read)");
            if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocdPosition) throw Corrupt("the central directory lies outside the file");
            if (cdSize > 64L << 20) throw Corrupt("a central directory larger than 64 MiB");
            var cd = ReadAt(cdOffset, (int)cdSize);
            int p = 0;
            for (long i = 0; i < count; i++)
            {
                if (p + 46 > cd.Length || BitConverter.ToUInt32(cd, p) != CentralHeader) throw Corrupt("a truncated or damaged central directory");
                var entry = new Entry
                {
                    Flags = BitConverter.ToUInt16(cd, p + 8),
                    Method = BitConverter.ToUInt16(cd, p + 10),
                    Crc = BitConverter.ToUInt32(cd, p + 16),
                    CompressedSize = BitConverter.ToUInt32(cd, p + 20),
                    UncompressedSize = BitConverter.ToUInt32(cd, p + 24),
                    LocalHeaderOffset = BitConverter.ToUInt32(cd, p + 42),
                };
                int nameLength = BitConverter.ToUInt16(cd, p + 28), extraLength = BitConverter.ToUInt16(cd, p + 30), commentLength = BitConverter.ToUInt16(cd, p + 32);
                if (p + 46 + nameLength + extraLength + commentLength > cd.Length) throw Corrupt("a truncated central directory entry");
                entry.Name = Encoding.UTF8.GetString(cd, p + 46, nameLength);
                ReadZip64Extra(entry, cd, p + 46 + nameLength, extraLength);
                p += 46 + nameLength + extraLength + commentLength;
                if (_entries.ContainsKey(entry.Name))
                    throw new KerasFileFormatException(
                        $"The archive {_path} contains the entry '{entry.Name}' twice. Zip readers disagree on which copy counts (Python reads the last, " +
                        ".NET the first), so such a file is refused: save the model again.");
                _entries[entry.Name] = entry;
            }
        }

        private void ReadZip64Extra(Entry entry, byte[] data, int start, int length)
        {
            int end = start + length;
            for (int p = start; p + 4 <= end;)
            {
                int id = BitConverter.ToUInt16(data, p), size = BitConverter.ToUInt16(data, p + 2);
                if (p + 4 + size > end) throw Corrupt($"a damaged extra field in entry '{entry.Name}'");
                if (id == 0x0001)
                {
                    int q = p + 4;
                    long Next(string what)
                    {
                        if (q + 8 > p + 4 + size) throw Corrupt($"a short zip64 field in entry '{entry.Name}'");
                        long v = CheckedLong(BitConverter.ToUInt64(data, q), what);
                        q += 8;
                        return v;
                    }
                    if (entry.UncompressedSize == 0xFFFFFFFF) entry.UncompressedSize = Next("size");
                    if (entry.CompressedSize == 0xFFFFFFFF) entry.CompressedSize = Next("compressed size");
                    if (entry.LocalHeaderOffset == 0xFFFFFFFF) entry.LocalHeaderOffset = Next("offset");
                }
                p += 4 + size;
            }
        }

        private long CheckedLong(ulong value, string what) =>
            value > long.MaxValue ? throw Corrupt($"an impossible {what} ({value})") : (long)value;

        private KerasFileFormatException NotAZip()
        {
            var head = ReadAt(0, (int)Math.Min(8, _file.Length));
            bool hdf5 = head.Length == 8 && head[0] == 0x89 && head[1] == (byte)'H' && head[2] == (byte)'D' && head[3] == (byte)'F';
            return hdf5
                ? new KerasFileFormatException(
                    $"{_path} is a legacy HDF5 model (an HDF5 file with a `.keras` name), not a Keras 3 `.keras` zip archive. Legacy HDF5 models are not " +
                    "supported (Keras 3 refuses them too): load it in Python Keras and save it again with model.save(\"model.keras\").")
                : new KerasFileFormatException(
                    $"{_path} is not a `.keras` zip archive (no zip directory was found). Check that the file is a model saved with model.save(\"...keras\") " +
                    "and that it was copied completely.");
        }

        /// <summary>Checks the entry's local header and returns where its data starts.</summary>
        private long DataOffset(Entry entry)
        {
            if (entry.DataOffset >= 0) return entry.DataOffset;
            if ((entry.Flags & 0x1) != 0)
                throw new KerasFileFormatException($"The entry '{entry.Name}' of {_path} is encrypted; Keras never writes encrypted archives.");
            if (entry.Method != 0 && entry.Method != 8)
                throw new KerasFileFormatException(
                    $"The entry '{entry.Name}' of {_path} uses zip compression method {entry.Method} ({MethodName(entry.Method)}), which this runtime does not " +
                    "read. Keras stores entries uncompressed; re-create the archive with stored (or deflate) entries, e.g. by saving the model again.");
            if (entry.LocalHeaderOffset < 0 || entry.LocalHeaderOffset + 30 > _file.Length) throw Corrupt($"entry '{entry.Name}' points outside the file");
            var header = ReadAt(entry.LocalHeaderOffset, 30);
            if (BitConverter.ToUInt32(header, 0) != LocalHeader) throw Corrupt($"entry '{entry.Name}' has no local header where the directory says");
            int nameLength = BitConverter.ToUInt16(header, 26), extraLength = BitConverter.ToUInt16(header, 28);
            if (entry.LocalHeaderOffset + 30 + nameLength > _file.Length) throw Corrupt($"entry '{entry.Name}' is truncated");
            string localName = Encoding.UTF8.GetString(ReadAt(entry.LocalHeaderOffset + 30, nameLength));
            if (localName != entry.Name) throw Corrupt($"the local header of '{entry.Name}' names '{localName}'");
            if (BitConverter.ToUInt16(header, 8) != entry.Method) throw Corrupt($"entry '{entry.Name}' declares two compression methods");
            long start = entry.LocalHeaderOffset + 30 + nameLength + extraLength;
            if (entry.CompressedSize < 0 || start + entry.CompressedSize > _file.Length) throw Corrupt($"the data of '{entry.Name}' extends past the end of the file");
            if (entry.Method == 0 && entry.CompressedSize != entry.UncompressedSize) throw Corrupt($"the stored entry '{entry.Name}' declares two sizes");
            entry.DataOffset = start;
            return start;
        }

        private static string MethodName(int method) => method switch
        {
            9 => "deflate64",
            12 => "bzip2",
            14 => "LZMA",
            93 => "zstandard",
            95 => "xz",
            98 => "PPMd",
            _ => "unknown",
        };

        /// <summary>
        /// An entry's content in memory, at most <paramref name="limit"/> bytes once inflated (checked while inflating),
        /// CRC-verified. <paramref name="what"/> names the limit for the message.
        /// </summary>
        internal byte[] ReadAll(Entry entry, long limit, string what)
        {
            long start = DataOffset(entry);
            if (entry.Method == 0 && entry.UncompressedSize > limit) throw TooLarge(entry, entry.UncompressedSize, limit, what);
            using var window = new WindowStream(_file, start, entry.CompressedSize);
            using Stream input = entry.Method == 8 ? new DeflateStream(window, CompressionMode.Decompress) : window;
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            var crc = new Crc32();
            long total = 0;
            int n;
            try
            {
                while ((n = input.Read(chunk, 0, chunk.Length)) > 0)
                {
                    total += n;
                    if (total > limit) throw TooLarge(entry, total, limit, what);
                    crc.Append(chunk, 0, n);
                    buffer.Write(chunk, 0, n);
                }
            }
            catch (InvalidDataException e)
            {
                throw Corrupt($"the compressed data of '{entry.Name}' is damaged ({e.Message})");
            }
            CheckCrc(entry, crc.Value, total);
            return buffer.ToArray();
        }

        /// <summary>
        /// A seekable view of an entry's content for the HDF5 reader: the stored bytes in place (no copy), or a deflated
        /// entry inflated into a temporary file deleted on close (never into memory), at most <paramref name="limit"/>
        /// bytes; the CRC is verified before the stream is returned.
        /// </summary>
        internal Stream OpenSeekable(Entry entry, long limit, string what)
        {
            long start = DataOffset(entry);
            if (entry.Method == 0)
            {
                if (entry.UncompressedSize > limit) throw TooLarge(entry, entry.UncompressedSize, limit, what);
                var crc = new Crc32();
                if (entry.CompressedSize <= InMemoryLimit)
                {
                    // Small enough to hold: one sequential read serves the CRC and every later random access.
                    var stream = PooledBytesStream.Read(_file, start, (int)entry.CompressedSize);
                    try
                    {
                        crc.Append(stream.Bytes, 0, (int)entry.CompressedSize);
                        CheckCrc(entry, crc.Value, entry.CompressedSize);
                        return stream;
                    }
                    catch
                    {
                        stream.Dispose();
                        throw;
                    }
                }
                using (var check = new WindowStream(_file, start, entry.CompressedSize)) crc.Append(check);
                CheckCrc(entry, crc.Value, entry.CompressedSize);
                return new WindowStream(_file, start, entry.CompressedSize);
            }
            string temp = Path.Combine(Path.GetTempPath(), "keras-entry-" + Guid.NewGuid().ToString("N") + ".tmp");
            var output = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
            try
            {
                using var window = new WindowStream(_file, start, entry.CompressedSize);
                using var input = new DeflateStream(window, CompressionMode.Decompress);
                var chunk = new byte[1 << 16];
                var crc = new Crc32();
                long total = 0;
                int n;
                try
                {
                    while ((n = input.Read(chunk, 0, chunk.Length)) > 0)
                    {
                        total += n;
                        if (total > limit) throw TooLarge(entry, total, limit, what);
                        crc.Append(chunk, 0, n);
                        output.Write(chunk, 0, n);
                    }
                }
                catch (InvalidDataException e)
                {
                    throw Corrupt($"the compressed data of '{entry.Name}' is damaged ({e.Message})");
                }
                CheckCrc(entry, crc.Value, total);
                output.Position = 0;
                return output;
            }
            catch
            {
                output.Dispose();
                throw;
            }
        }

        private void CheckCrc(Entry entry, uint actual, long size)
        {
            if (size != entry.UncompressedSize)
                throw Corrupt($"'{entry.Name}' holds {size:N0} bytes but its directory entry says {entry.UncompressedSize:N0}");
            if (actual != entry.Crc)
                throw Corrupt($"the CRC-32 of '{entry.Name}' does not match (0x{actual:x8} read, 0x{entry.Crc:x8} recorded): its bytes were changed or damaged");
        }

        private KerasFileFormatException TooLarge(Entry entry, long size, long limit, string what) =>
            new KerasFileFormatException(
                $"The entry '{entry.Name}' of {_path} inflates to more than {what} allows ({limit:N0} bytes; at least {size:N0} found). If the file is " +
                $"trusted, raise the limit (Keras.LoadLimits.Default = Keras.LoadLimits.Default with {{ {what.Replace("LoadLimits.", "")} = ... }}).");

        private byte[] ReadAt(long offset, int count)
        {
            var buffer = new byte[count];
            _file.Position = offset;
            _file.ReadExactly(buffer, 0, count);
            return buffer;
        }

        public void Dispose() => _file.Dispose();
    }

    /// <summary>A read-only, seekable window [offset, offset + length) of another stream (not owned).</summary>
    internal sealed class WindowStream : Stream
    {
        private readonly Stream _inner;
        private readonly long _offset;
        private readonly long _length;
        private long _position;

        internal WindowStream(Stream inner, long offset, long length)
        {
            _inner = inner;
            _offset = offset;
            _length = length;
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => _length;

        public override long Position
        {
            get => _position;
            set => _position = value < 0 ? throw new IOException("Negative position.") : value;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            long left = _length - _position;
            if (left <= 0) return 0;
            if (count > left) count = (int)left;
            _inner.Position = _offset + _position;
            int n = _inner.Read(buffer, offset, count);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            Position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => _position + offset,
                _ => _length + offset,
            };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>CRC-32 (IEEE 802.3, the zip checksum), vectorized by System.IO.Hashing.</summary>
    internal sealed class Crc32
    {
        private readonly System.IO.Hashing.Crc32 _crc = new System.IO.Hashing.Crc32();

        public void Append(byte[] data, int offset, int count) => _crc.Append(data.AsSpan(offset, count));

        public void Append(Stream stream)
        {
            var chunk = new byte[1 << 16];
            int n;
            while ((n = stream.Read(chunk, 0, chunk.Length)) > 0) Append(chunk, 0, n);
        }

        public uint Value => _crc.GetCurrentHashAsUInt32();

        /// <summary>The CRC-32 of a whole buffer.</summary>
        public static uint Of(byte[] data) => System.IO.Hashing.Crc32.HashToUInt32(data);
    }

    /// <summary>
    /// A read-only stream over bytes read once from the archive into a buffer rented from the shared pool (up to
    /// <see cref="PoolLimit"/>; larger entries get their own array), returned to the pool on dispose: loading the same
    /// model again reuses warm memory instead of faulting in a fresh large array each time.
    /// </summary>
    internal sealed class PooledBytesStream : MemoryStream
    {
        private const int PoolLimit = 16 << 20;
        private byte[]? _rented;

        private PooledBytesStream(byte[] bytes, int length, bool rented) : base(bytes, 0, length, writable: false, publiclyVisible: false)
        {
            Bytes = bytes;
            _rented = rented ? bytes : null;
        }

        /// <summary>The buffer; only its first Length bytes belong to the entry.</summary>
        internal byte[] Bytes { get; }

        internal static PooledBytesStream Read(Stream file, long start, int length)
        {
            bool rent = length <= PoolLimit;
            var bytes = rent ? System.Buffers.ArrayPool<byte>.Shared.Rent(length) : new byte[length];
            try
            {
                file.Position = start;
                file.ReadExactly(bytes, 0, length);
                return new PooledBytesStream(bytes, length, rent);
            }
            catch
            {
                if (rent) System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
                throw;
            }
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (System.Threading.Interlocked.Exchange(ref _rented, null) is { } rented) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

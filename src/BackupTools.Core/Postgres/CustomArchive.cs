namespace BackupTools.Core.Postgres;

/// <summary>One entry of a pg_dump custom-format table of contents (the fields this code uses).</summary>
public sealed record ArchiveEntry(int DumpId, string Desc, string Tag, string? Namespace, int Section, string? Defn, string? CopyStmt, bool HadDumper)
{
    /// <summary>pg_dump's section numbers (pg_backup.h): none (comments, ACLs: they follow their object), pre-data, data, post-data.</summary>
    public const int SectionNone = 1, SectionPreData = 2, SectionData = 3, SectionPostData = 4;

    /// <summary>The section pg_restore files this entry under: its own, or for a section-less entry the last one before it.</summary>
    public int EffectiveSection { get; internal set; }

    /// <summary>Whether this entry loads a table's rows with COPY from its data block.</summary>
    public bool IsTableData => Desc == "TABLE DATA" && HadDumper;
}

/// <summary>
/// A reader of pg_dump's custom archive format (pg_backup_archiver.c, pg_backup_custom.c), for archive versions 1.12 to
/// 1.16 (pg_dump 11 to 17) without compression, which is how New-Backup takes them (-Fc -Z0): the header, the table of
/// contents, then data blocks in order (type byte, dump id, then chunks of [length][bytes] up to a zero length). It reads
/// forward only (the archive comes from a stream). Anything it does not know throws <see cref="NotSupportedException"/>
/// before a byte of data is read, so the caller can fall back to pg_restore.
/// </summary>
public sealed class CustomArchiveReader
{
    private const byte BlockData = 1, BlockBlobs = 3, BlockEnd = 4;
    private readonly ArchiveInput _input;
    private byte[] _buffer = Array.Empty<byte>();
    private int _start, _end;
    private MemoryStream? _capture;
    private int _intSize;

    /// <summary>A reader of the archive in <paramref name="input"/>.</summary>
    public CustomArchiveReader(Stream input) : this(ArchiveInput.FromStream(input))
    {
    }

    /// <summary>A reader of the archive whose bytes <paramref name="input"/> hands over buffer by buffer (the caller disposes it).</summary>
    public CustomArchiveReader(ArchiveInput input) => _input = input;

    /// <summary>"major.minor.revision" of the archive format.</summary>
    public string Version { get; private set; } = "";
    /// <summary>The ENCODING entry's encoding (e.g. UTF8).</summary>
    public string? Encoding { get; private set; }
    /// <summary>The SEARCHPATH entry's statement (pg_restore runs it on every session).</summary>
    public string? SearchPathStatement { get; private set; }
    /// <summary>The table of contents in archive order.</summary>
    public IReadOnlyList<ArchiveEntry> Entries { get; private set; } = Array.Empty<ArchiveEntry>();
    /// <summary>The archive's bytes up to the end of the table of contents: an archive without data, for pg_restore's schema passes.</summary>
    public byte[] Head { get; private set; } = Array.Empty<byte>();

    /// <summary>Reads the header and table of contents; NotSupportedException for a format or feature this reader does not handle.</summary>
    public void ReadHead()
    {
        _capture = new MemoryStream();
        var magic = ReadBytes(5);
        if (System.Text.Encoding.ASCII.GetString(magic) != "PGDMP") throw new NotSupportedException("not a pg_dump custom-format archive");
        int major = ReadByte(), minor = ReadByte(), revision = ReadByte();
        Version = $"{major}.{minor}.{revision}";
        if (major != 1 || minor < 12 || minor > 16) throw new NotSupportedException($"archive format {Version} is not one this reader knows");
        _intSize = ReadByte();
        if (_intSize is < 1 or > 8) throw new NotSupportedException($"integer size {_intSize}");
        var offSize = ReadByte();
        var format = ReadByte();
        if (format != 1) throw new NotSupportedException("not the custom format");
        var compressed = minor >= 15 ? ReadByte() != 0 : ReadInt() != 0;
        if (compressed) throw new NotSupportedException("the archive is compressed");
        for (var i = 0; i < 7; i++) ReadInt(); // creation time
        ReadStr(); // database name
        ReadStr(); // server version
        ReadStr(); // pg_dump version
        var count = ReadInt();
        var entries = new List<ArchiveEntry>(count);
        var current = ArchiveEntry.SectionPreData;
        for (var i = 0; i < count; i++)
        {
            var dumpId = ReadInt();
            var hadDumper = ReadInt() != 0;
            ReadStr(); // table oid
            ReadStr(); // oid
            var tag = ReadStr() ?? "";
            var desc = ReadStr() ?? "";
            var section = ReadInt();
            var defn = ReadStr();
            ReadStr(); // drop statement
            var copyStmt = ReadStr();
            var ns = ReadStr();
            ReadStr(); // tablespace
            ReadStr(); // table access method
            if (minor >= 16) ReadInt(); // relkind
            ReadStr(); // owner
            ReadStr(); // "false" (WITH OIDS)
            while (ReadStr() is not null) { } // dependencies
            if (ReadByte() is var flag && flag is not (1 or 2 or 3)) // data offset: flag, then offSize bytes
                throw new NotSupportedException($"data offset flag {flag}");
            ReadBytes(offSize);
            if (section != ArchiveEntry.SectionNone) current = section;
            entries.Add(new ArchiveEntry(dumpId, desc, tag, ns, section, defn, copyStmt, hadDumper) { EffectiveSection = current });
            if (desc == "ENCODING") Encoding = Quoted(defn);
            else if (desc == "SEARCHPATH") SearchPathStatement = defn;
        }
        Entries = entries;
        Head = _capture.ToArray();
        _capture = null;
    }

    /// <summary>The next data block's dump id (advancing past the previous block's unread data), or null at the end of the archive.</summary>
    public int? NextBlock()
    {
        if (!TryReadByte(out var type) || type == BlockEnd) return null;
        if (type == BlockBlobs) throw new NotSupportedException("the archive holds large objects");
        if (type != BlockData) throw new InvalidDataException($"Unknown data block type {type} in the archive.");
        return ReadInt();
    }

    /// <summary>
    /// Appends the current block's chunks to <paramref name="destination"/> (grown when a chunk does not fit) after its
    /// first <paramref name="length"/> bytes, until it holds at least <paramref name="fill"/> bytes or the block ends
    /// (<paramref name="ended"/>); returns the new length. pg_dump writes a table's data as one chunk per row, so this is
    /// the loop every row goes through: lengths and rows are taken straight from the buffer where they lie whole in it.
    /// </summary>
    public int ReadChunks(ref byte[] destination, int length, int fill, out bool ended)
    {
        while (length < fill)
        {
            int chunk;
            if (_end - _start > _intSize && _capture is null)
            {
                chunk = DecodeInt(_buffer.AsSpan(_start, 1 + _intSize));
                _start += 1 + _intSize;
            }
            else
            {
                chunk = ReadInt();
            }
            if (chunk < 0) throw new InvalidDataException("A negative chunk length in the archive.");
            if (chunk == 0)
            {
                ended = true;
                return length;
            }
            if (destination.Length < length + chunk) Array.Resize(ref destination, Math.Max(destination.Length * 2, length + chunk));
            if (_end - _start >= chunk && _capture is null)
            {
                Buffer.BlockCopy(_buffer, _start, destination, length, chunk);
                _start += chunk;
            }
            else
            {
                ReadExactly(destination.AsSpan(length, chunk));
            }
            length += chunk;
        }
        ended = false;
        return length;
    }

    private static string? Quoted(string? defn)
    {
        if (defn is null) return null;
        var a = defn.IndexOf('\'');
        var b = a < 0 ? -1 : defn.IndexOf('\'', a + 1);
        return b < 0 ? null : defn[(a + 1)..b];
    }

    private int ReadInt()
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes = bytes[..(1 + _intSize)];
        ReadExactly(bytes);
        return DecodeInt(bytes);
    }

    /// <summary>pg_dump's integer (WriteInt): a sign byte, then the magnitude in <see cref="_intSize"/> bytes, least significant first.</summary>
    private static int DecodeInt(ReadOnlySpan<byte> bytes)
    {
        long value = 0;
        for (var i = 1; i < bytes.Length; i++) value |= (long)bytes[i] << (8 * (i - 1));
        if (value > int.MaxValue) throw new InvalidDataException("An integer in the archive is out of range.");
        return bytes[0] != 0 ? -(int)value : (int)value;
    }

    private string? ReadStr()
    {
        var length = ReadInt();
        if (length < 0) return null;
        return length == 0 ? "" : System.Text.Encoding.UTF8.GetString(ReadBytes(length));
    }

    private byte[] ReadBytes(int count)
    {
        var bytes = new byte[count];
        ReadExactly(bytes);
        return bytes;
    }

    private int ReadByte() => TryReadByte(out var b) ? b : throw new EndOfStreamException("The archive ends inside its table of contents or a data block.");

    private bool TryReadByte(out byte value)
    {
        if (_start == _end && !Fill())
        {
            value = 0;
            return false;
        }
        value = _buffer[_start++];
        _capture?.WriteByte(value);
        return true;
    }

    private void ReadExactly(Span<byte> destination)
    {
        while (destination.Length > 0)
        {
            if (_start == _end && !Fill()) throw new EndOfStreamException("The archive ends inside its table of contents or a data block.");
            var n = Math.Min(destination.Length, _end - _start);
            var piece = _buffer.AsSpan(_start, n);
            _capture?.Write(piece);
            piece.CopyTo(destination);
            destination = destination[n..];
            _start += n;
        }
    }

    private bool Fill()
    {
        _start = 0;
        do
        {
            if (!_input.Next(out _buffer, out _end))
            {
                (_buffer, _end) = (Array.Empty<byte>(), 0);
                return false;
            }
        } while (_end == 0);
        return true;
    }
}

/// <summary>
/// The bytes of an archive for <see cref="CustomArchiveReader"/>, one buffer at a time: from a stream, or buffers
/// handed over as they are (e.g. a backup's chunks as the repository decrypts them), so the reader parses them in place.
/// </summary>
public abstract class ArchiveInput : IDisposable
{
    /// <summary>The next bytes of the archive: the first <paramref name="length"/> bytes of <paramref name="buffer"/>; false at the end. The reader is done with the previous buffer.</summary>
    public abstract bool Next(out byte[] buffer, out int length);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the input holds (the default holds nothing).</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>The archive in <paramref name="stream"/>, read 64 KiB at a time.</summary>
    public static ArchiveInput FromStream(Stream stream) => new StreamInput(stream);

    private sealed class StreamInput(Stream stream) : ArchiveInput
    {
        private readonly byte[] _buffer = new byte[1 << 16];

        public override bool Next(out byte[] buffer, out int length)
        {
            buffer = _buffer;
            length = stream.Read(_buffer, 0, _buffer.Length);
            return length > 0;
        }
    }
}

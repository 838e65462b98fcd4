using System.Formats.Tar;

namespace BackupTools.Core.Postgres;

/// <summary>
/// Writes listed data directory entries as one tar stream (GNU format, as System.Formats.Tar extracts it). A file is
/// copied as long as it was when listed: one that shrank is padded with zeros, one that grew is cut, one that vanished
/// is left out — all fine for a base backup, whose torn or missing pages WAL replay rewrites (pg_basebackup does the same).
/// </summary>
public static class DataDirectoryTar
{
    /// <summary>Writes <paramref name="entries"/> of <paramref name="root"/> into <paramref name="output"/> and ends the archive.</summary>
    public static async Task WriteAsync(string root, IReadOnlyList<DataFile> entries, Stream output, CancellationToken ct)
    {
        await using var tar = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        foreach (var entry in entries)
        {
            ct.ThrowIfCancellationRequested();
            if (entry.Kind == DataFileKind.File)
            {
                await using var data = ListedLengthStream.Open(Path.Combine(root, entry.Path), entry.Size);
                if (data is null) continue;
                await tar.WriteEntryAsync(Describe(new GnuTarEntry(TarEntryType.RegularFile, entry.Path) { DataStream = data }, entry), ct).ConfigureAwait(false);
            }
            else if (entry.Kind == DataFileKind.Directory)
                await tar.WriteEntryAsync(Describe(new GnuTarEntry(TarEntryType.Directory, entry.Path + "/"), entry), ct).ConfigureAwait(false);
            else
                await tar.WriteEntryAsync(Describe(new GnuTarEntry(TarEntryType.SymbolicLink, entry.Path) { LinkName = entry.LinkTarget! }, entry), ct).ConfigureAwait(false);
        }
    }

    private static GnuTarEntry Describe(GnuTarEntry tarEntry, DataFile entry)
    {
        tarEntry.Mode = entry.Mode;
        tarEntry.ModificationTime = entry.Modified;
        return tarEntry;
    }
}

/// <summary>A data file read as exactly its listed length: zeros after an early end, nothing beyond the length.</summary>
internal sealed class ListedLengthStream : Stream
{
    private readonly FileStream _file;
    private readonly long _length;
    private long _position;
    private bool _fileEnded;

    private ListedLengthStream(FileStream file, long length)
    {
        _file = file;
        _length = length;
    }

    /// <summary>Opens <paramref name="path"/> for sharing with the running server; null when it no longer exists, PermissionDenied when it may not be read.</summary>
    public static ListedLengthStream? Open(string path, long length)
    {
        try
        {
            return new ListedLengthStream(new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
                BufferSize = 0, Options = FileOptions.SequentialScan,
            }), length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new BackupToolsException(BackupErrorKind.PermissionDenied,
                $"Cannot read {path} for the base backup: run as the server's OS user (or root). {e.Message}", path, e);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted <= 0) return 0;
        var n = _fileEnded ? 0 : _file.Read(buffer[..wanted]);
        return Advance(buffer, wanted, n);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = (int)Math.Min(buffer.Length, _length - _position);
        if (wanted <= 0) return 0;
        var n = _fileEnded ? 0 : await _file.ReadAsync(buffer[..wanted], cancellationToken).ConfigureAwait(false);
        return Advance(buffer.Span, wanted, n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Counts <paramref name="read"/> bytes, or pads with zeros once the file ended before its listed length.</summary>
    private int Advance(Span<byte> buffer, int wanted, int read)
    {
        if (read == 0)
        {
            _fileEnded = true;
            buffer[..wanted].Clear();
            read = wanted;
        }
        _position += read;
        return read;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _file.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}

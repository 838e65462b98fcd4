using System.Formats.Tar;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Postgres;

/// <summary>
/// The WAL facts of a base backup as PostgreSQL writes them: START WAL LOCATION / START TIMELINE in backup_label
/// (the first member of pg_basebackup's base tar, or the labelfile pg_backup_stop returns) and STOP WAL LOCATION / STOP TIME in the backup history file
/// (&lt;segment&gt;.&lt;offset&gt;.backup) the server archives when the backup ends.
/// </summary>
public static partial class BackupLabel
{
    /// <summary>START WAL LOCATION and START TIMELINE from the first members of a tar stream; null when backup_label is not among them.</summary>
    public static (Lsn Start, uint Timeline)? FromTarPrefix(byte[] prefix, int length)
    {
        using var reader = new TarReader(new MemoryStream(prefix, 0, length, writable: false));
        try
        {
            for (var entry = reader.GetNextEntry(copyData: true); entry is not null; entry = reader.GetNextEntry(copyData: true))
            {
                if (entry.Name.TrimStart('.', '/') != "backup_label" || entry.DataStream is null) continue;
                using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                return Parse(text.ReadToEnd());
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException)
        {
            // backup_label lies beyond the captured prefix
        }
        return null;
    }

    /// <summary>START WAL LOCATION and START TIMELINE of a backup_label (the labelfile pg_backup_stop returns); null when missing.</summary>
    public static (Lsn Start, uint Timeline)? Parse(string label)
    {
        var start = StartRegex().Match(label);
        var timeline = TimelineRegex().Match(label);
        if (!start.Success || !timeline.Success) return null;
        return (Lsn.Parse(start.Groups[1].Value), uint.Parse(timeline.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>The backup history file name for a backup that started at <paramref name="start"/> on <paramref name="timeline"/>.</summary>
    public static string HistoryFileName(uint timeline, Lsn start, long segmentSize)
        => $"{WalSegment.Containing(timeline, start, segmentSize).Name(segmentSize)}.{start.Value % (ulong)segmentSize:X8}.backup";

    /// <summary>STOP WAL LOCATION and STOP TIME from a backup history file; null when they are not in it.</summary>
    public static (Lsn Stop, DateTimeOffset? StopTime)? ParseHistory(string history)
    {
        var stop = StopRegex().Match(history);
        if (!stop.Success) return null;
        var time = StopTimeRegex().Match(history);
        DateTimeOffset? stopTime = time.Success && DateTimeOffset.TryParse(NormaliseZone(time.Groups[1].Value), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        return (Lsn.Parse(stop.Groups[1].Value), stopTime);
    }

    /// <summary>"2026-11-25 21:40:01 UTC" → "2026-11-25 21:40:01Z" (other zone names are read as UTC only when they say so).</summary>
    private static string NormaliseZone(string text) => text.Trim().Replace(" UTC", "Z", StringComparison.Ordinal).Replace(" GMT", "Z", StringComparison.Ordinal);

    [GeneratedRegex(@"START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)")]
    private static partial Regex StartRegex();

    [GeneratedRegex(@"START TIMELINE: (\d+)")]
    private static partial Regex TimelineRegex();

    [GeneratedRegex(@"STOP WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)")]
    private static partial Regex StopRegex();

    [GeneratedRegex(@"STOP TIME: ([^\r\n]+)")]
    private static partial Regex StopTimeRegex();
}

/// <summary>A read-through stream that keeps a copy of the first bytes read (to find backup_label in the tar).</summary>
internal sealed class PrefixCaptureStream(Stream inner, int capacity) : Stream
{
    private readonly byte[] _prefix = new byte[capacity];

    /// <summary>The captured bytes (the first <see cref="CapturedLength"/> of <see cref="Prefix"/>).</summary>
    public byte[] Prefix => _prefix;
    /// <summary>How many bytes were captured.</summary>
    public int CapturedLength { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Capture(buffer.AsSpan(offset, inner.Read(buffer, offset, count)));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Capture(buffer.Span[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Capture(ReadOnlySpan<byte> read)
    {
        var room = Math.Min(read.Length, _prefix.Length - CapturedLength);
        read[..room].CopyTo(_prefix.AsSpan(CapturedLength));
        CapturedLength += room;
        return read.Length;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace BackupTools.Core.Wal;

/// <summary>A WAL position, printed as PostgreSQL does ("0/3000060").</summary>
public readonly record struct Lsn(ulong Value) : IComparable<Lsn>
{
    /// <summary>Parses "X/Y" (hex halves). InvalidArgument naming the value when it does not parse.</summary>
    public static Lsn Parse(string text)
    {
        var parts = (text ?? "").Trim().Split('/');
        if (parts.Length == 2
            && uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var high)
            && uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low))
            return new Lsn(((ulong)high << 32) | low);
        throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{text}' is not a WAL location (LSN) such as 0/3000060.", text);
    }

    /// <inheritdoc />
    public int CompareTo(Lsn other) => Value.CompareTo(other.Value);

    /// <summary>Earlier than.</summary>
    public static bool operator <(Lsn a, Lsn b) => a.Value < b.Value;
    /// <summary>Later than.</summary>
    public static bool operator >(Lsn a, Lsn b) => a.Value > b.Value;
    /// <summary>Not later than.</summary>
    public static bool operator <=(Lsn a, Lsn b) => a.Value <= b.Value;
    /// <summary>Not earlier than.</summary>
    public static bool operator >=(Lsn a, Lsn b) => a.Value >= b.Value;

    /// <inheritdoc />
    public override string ToString() => $"{Value >> 32:X}/{Value & 0xFFFFFFFF:X}";
}

/// <summary>A WAL segment: its timeline and segment number (for a given segment size).</summary>
public readonly record struct WalSegment(uint Timeline, ulong Number)
{
    /// <summary>The 24-hex-digit file name: timeline, then the segment number split as PostgreSQL does.</summary>
    public string Name(long segmentSize)
    {
        var perId = SegmentsPerId(segmentSize);
        return $"{Timeline:X8}{Number / perId:X8}{Number % perId:X8}";
    }

    /// <summary>The segment holding <paramref name="lsn"/>.</summary>
    public static WalSegment Containing(uint timeline, Lsn lsn, long segmentSize) => new(timeline, lsn.Value / (ulong)segmentSize);

    /// <summary>Parses a 24-hex-digit segment name; false for anything else (history, .partial, .backup).</summary>
    public static bool TryParse(string name, long segmentSize, out WalSegment segment)
    {
        segment = default;
        if (!WalNames.IsSegment(name)) return false;
        var timeline = uint.Parse(name.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var id = ulong.Parse(name.AsSpan(8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var seg = ulong.Parse(name.AsSpan(16, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        segment = new WalSegment(timeline, id * SegmentsPerId(segmentSize) + seg);
        return true;
    }

    private static ulong SegmentsPerId(long segmentSize) => 0x1_0000_0000UL / (ulong)segmentSize;
}

/// <summary>Names of the files PostgreSQL archives: segments, timeline history, partial segments and backup history.</summary>
public static partial class WalNames
{
    /// <summary>PostgreSQL's default WAL segment size.</summary>
    public const long DefaultSegmentSize = 16 * 1024 * 1024;

    /// <summary>True for a name the archive accepts (nothing that could leave the wal/ folder).</summary>
    public static bool IsValid(string name) => name is not null && ArchivedName().IsMatch(name);

    /// <summary>True for a 24-hex-digit WAL segment name.</summary>
    public static bool IsSegment(string name) => name is { Length: 24 } && SegmentName().IsMatch(name);

    /// <summary>The history file name of a timeline ("00000002.history").</summary>
    public static string HistoryFile(uint timeline) => $"{timeline:X8}.history";

    /// <summary>InvalidArgument naming the value when <paramref name="name"/> is not an archivable WAL file name.</summary>
    public static string Check(string name)
    {
        if (!IsValid(name))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"'{name}' is not a WAL file name (24 hex digits, optionally .partial or .XXXXXXXX.backup, or XXXXXXXX.history).", name);
        return name;
    }

    [GeneratedRegex(@"^(?:[0-9A-F]{24}(?:\.partial|\.[0-9A-F]{8}\.backup)?|[0-9A-F]{8}\.history)$")]
    private static partial Regex ArchivedName();

    [GeneratedRegex(@"^[0-9A-F]{24}$")]
    private static partial Regex SegmentName();
}

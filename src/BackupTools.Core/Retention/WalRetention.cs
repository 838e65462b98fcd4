using System.Globalization;

namespace BackupTools.Core.Retention;

/// <summary>
/// Which archived WAL segments a prune may delete. Segments are stored as <c>wal/&lt;24 hex&gt;</c> (timeline, log,
/// segment, 8 hex digits each) and history files as <c>wal/&lt;8 hex&gt;.history</c>. Replaying from a base backup
/// reads segments from its first one (the database component's <c>walStart</c>) onwards, on its timeline and any
/// later one, so a segment whose position (log and segment number) lies before the first segment of every retained
/// base backup is never read again, whatever its timeline. History files and anything else under wal/ are kept.
/// </summary>
public static class WalRetention
{
    /// <summary>The folder of the WAL archive in a repository.</summary>
    public const string Prefix = "wal/";
    /// <summary>The manifest source field of a physical backup's database component naming its first WAL segment.</summary>
    public const string WalStartField = "walStart";

    /// <summary>True for a 24-hex-digit WAL segment file name.</summary>
    public static bool IsSegmentName(string name) => name.Length == 24 && name.All(char.IsAsciiHexDigit);

    /// <summary>
    /// The position (log and segment, timeline ignored) before which no retained base backup needs a segment: the
    /// smallest of their first segments. Null when there is no base backup, or when one does not record a valid first
    /// segment (then no WAL may be deleted).
    /// </summary>
    public static ulong? OldestNeededPosition(IEnumerable<string?> firstSegments)
    {
        ulong? oldest = null;
        foreach (var first in firstSegments)
        {
            if (first is null || !IsSegmentName(first)) return null;
            var position = PositionOf(first);
            if (oldest is null || position < oldest) oldest = position;
        }
        return oldest;
    }

    /// <summary>True when <paramref name="name"/> is a segment that lies before <paramref name="oldestNeeded"/>.</summary>
    public static bool CanDelete(string name, ulong oldestNeeded) => IsSegmentName(name) && PositionOf(name) < oldestNeeded;

    private static ulong PositionOf(string segment) => ulong.Parse(segment.AsSpan(8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}

using BackupTools.Core;

namespace BackupTools.Infrastructure;

/// <summary>Human-readable byte counts and rates ("812 MB", "1.1 GB", "350 MB/s"), 1024-based (for the format views).</summary>
public static class ByteFormat
{
    /// <summary>Formats a byte count with one decimal below 10 units and none above.</summary>
    public static string Size(long bytes) => ByteSize.Format(bytes);

    /// <summary>Formats a transfer rate in bytes per second.</summary>
    public static string Rate(double bytesPerSecond) => ByteSize.Format((long)bytesPerSecond) + "/s";
}

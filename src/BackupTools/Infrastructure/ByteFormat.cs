using System.Globalization;

namespace BackupTools.Infrastructure;

/// <summary>Human-readable byte counts and rates ("812 MB", "1.1 GB", "350 MB/s"), 1024-based.</summary>
public static class ByteFormat
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB", "PB"];

    /// <summary>Formats a byte count with one decimal below 10 units and none above.</summary>
    public static string Size(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        var format = unit == 0 || value >= 10 ? "0" : "0.0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>Formats a transfer rate in bytes per second.</summary>
    public static string Rate(double bytesPerSecond) => Size((long)bytesPerSecond) + "/s";
}

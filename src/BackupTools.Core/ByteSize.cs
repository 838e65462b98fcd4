using System.Globalization;

namespace BackupTools.Core;

/// <summary>Human-readable byte counts ("812 MB", "1.1 GB"), 1024-based; shared by the cmdlets' views and the reports.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KB", "MB", "GB", "TB", "PB"];

    /// <summary>Formats a byte count with one decimal below 10 units and none above.</summary>
    public static string Format(double bytes)
    {
        var value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        var format = unit == 0 || Math.Abs(value) >= 10 ? "0" : "0.0";
        return value.ToString(format, CultureInfo.InvariantCulture) + " " + Units[unit];
    }
}

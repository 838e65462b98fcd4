using BackupTools.Core.Reports;

namespace BackupTools.Infrastructure;

/// <summary>Short human durations for the format views ("45m", "30h", "7d 2h").</summary>
public static class DurationFormat
{
    /// <summary>Formats <paramref name="span"/> like the reports do.</summary>
    public static string Short(TimeSpan span) => StatusCalculator.Describe(span);
}

using System.Globalization;
using System.Text.RegularExpressions;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>
/// What the server log of a recovery says about the point reached (messages as PostgreSQL 13-17 write them with
/// lc_messages = C): where it stopped and why, the last replayed transaction, the end of redo, the new timeline.
/// </summary>
public sealed partial record RecoveryLogReport(
    string? StopMessage, DateTimeOffset? LastTransactionTime, Lsn? RedoDoneAt, uint? NewTimeline, bool Promoted, IReadOnlyList<string> Fatal)
{
    /// <summary>Reads a server log.</summary>
    public static RecoveryLogReport Parse(string log)
    {
        var stop = StopRegex().Match(log);
        var last = LastTransactionRegex().Match(log);
        var redo = RedoDoneRegex().Match(log);
        var timeline = TimelineRegex().Matches(log).LastOrDefault();
        var promoted = log.Contains("archive recovery complete", StringComparison.Ordinal)
                       && ReadyRegex().Matches(log).Count > 0;
        var fatal = FatalRegex().Matches(log).Select(m => m.Groups[1].Value.Trim()).ToList();
        return new RecoveryLogReport(
            stop.Success ? stop.Groups[1].Value.Trim() : null,
            last.Success ? ParseTime(last.Groups[1].Value) : stop.Success && stop.Groups[2].Success ? ParseTime(stop.Groups[2].Value) : null,
            redo.Success ? Lsn.Parse(redo.Groups[1].Value) : null,
            timeline is null ? null : uint.Parse(timeline.Groups[1].Value, CultureInfo.InvariantCulture),
            promoted,
            fatal);
    }

    /// <summary>"2026-11-25 21:40:01.123456+00" (PostgreSQL's timestamptz output) → a time; null when it does not parse.</summary>
    internal static DateTimeOffset? ParseTime(string text)
    {
        var t = text.Trim();
        if (OffsetHoursOnly().IsMatch(t)) t += ":00";
        return DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value) ? value : null;
    }

    [GeneratedRegex(@"LOG:\s+(recovery stopping [^\r\n]*?(?:, time ([0-9][0-9\-: .]+[+\-][0-9:]+))?)\s*$", RegexOptions.Multiline)]
    private static partial Regex StopRegex();

    [GeneratedRegex(@"last completed transaction was at log time ([0-9][0-9\-: .]+[+\-][0-9:]+)")]
    private static partial Regex LastTransactionRegex();

    [GeneratedRegex(@"redo done at ([0-9A-F]+/[0-9A-F]+)")]
    private static partial Regex RedoDoneRegex();

    [GeneratedRegex(@"selected new timeline ID: (\d+)")]
    private static partial Regex TimelineRegex();

    [GeneratedRegex(@"database system is ready to accept connections")]
    private static partial Regex ReadyRegex();

    [GeneratedRegex(@"(?:FATAL|PANIC):\s+([^\r\n]*)")]
    private static partial Regex FatalRegex();

    [GeneratedRegex(@"[+\-]\d{2}$")]
    private static partial Regex OffsetHoursOnly();
}

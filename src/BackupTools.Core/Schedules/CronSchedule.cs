using Cronos;

namespace BackupTools.Core.Schedules;

/// <summary>
/// A job's timing: a cron expression (Cronos) read in a time zone, and the due rule. A job is due when a cron
/// occurrence fell in (last run, now]; a new job counts from its registration. However many occurrences were missed,
/// one run catches up, because the run moves the last-run mark to now.
/// </summary>
public sealed class CronSchedule
{
    private readonly CronExpression _expression;

    private CronSchedule(CronExpression expression, TimeZoneInfo zone)
    {
        _expression = expression;
        Zone = zone;
    }

    /// <summary>The time zone the expression is read in.</summary>
    public TimeZoneInfo Zone { get; }

    /// <summary>
    /// Parses a cron expression (5 fields; 6 when the first is seconds; macros such as @daily) and a time zone id
    /// (IANA or Windows; null = UTC). InvalidArgument naming the value when either does not parse.
    /// </summary>
    public static CronSchedule Parse(string cron, string? timeZone)
    {
        var text = cron?.Trim() ?? "";
        var format = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (!CronExpression.TryParse(text, format, out var expression))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"'{cron}' is not a valid cron expression: write five fields 'minute hour day-of-month month day-of-week' (e.g. '0 2 * * *') or a macro such as @daily.", cron);
        return new CronSchedule(expression, FindZone(timeZone));
    }

    /// <summary>The time zone for an id (IANA or Windows); null or empty = UTC. InvalidArgument naming an unknown id.</summary>
    public static TimeZoneInfo FindZone(string? timeZone)
        => string.IsNullOrWhiteSpace(timeZone) ? TimeZoneInfo.Utc : Retention.RetentionPolicy.FindTimeZone(timeZone.Trim());

    /// <summary>The first occurrence strictly after <paramref name="after"/>, or null when the expression never fires again.</summary>
    public DateTimeOffset? NextAfter(DateTimeOffset after) => _expression.GetNextOccurrence(after, Zone);

    /// <summary>The job's next run after its last run (or its registration): at or before now means it is due (overdue).</summary>
    public static DateTimeOffset? NextRun(ScheduleJob job, ScheduleJobState? state)
        => Parse(job.Cron, job.TimeZone).NextAfter(state?.LastRun ?? job.Registered);

    /// <summary>The occurrence that makes the job due at <paramref name="now"/> (the first one after <paramref name="since"/>), or null when none fell in (since, now].</summary>
    public DateTimeOffset? DueOccurrence(DateTimeOffset since, DateTimeOffset now)
        => NextAfter(since) is { } next && next <= now ? next : null;
}

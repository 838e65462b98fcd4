namespace BackupTools.Core.Retention;

/// <summary>
/// A grandfather-father-son retention policy in the manner of restic's <c>forget</c>. Every count keeps the newest
/// backup of that many distinct calendar buckets (hours, days, ISO weeks, months, years) that hold a backup, so a
/// day without a backup does not use up a "daily" slot. Calendar buckets are computed in the policy's time zone.
/// </summary>
public sealed class RetentionPolicy
{
    /// <summary>Keep the N newest backups.</summary>
    public int KeepLast { get; init; }
    /// <summary>Keep the newest backup of each of the N newest hours that have one.</summary>
    public int KeepHourly { get; init; }
    /// <summary>Keep the newest backup of each of the N newest days that have one.</summary>
    public int KeepDaily { get; init; }
    /// <summary>Keep the newest backup of each of the N newest ISO weeks (Monday to Sunday) that have one.</summary>
    public int KeepWeekly { get; init; }
    /// <summary>Keep the newest backup of each of the N newest months that have one.</summary>
    public int KeepMonthly { get; init; }
    /// <summary>Keep the newest backup of each of the N newest years that have one.</summary>
    public int KeepYearly { get; init; }
    /// <summary>
    /// Keep every backup taken within this span before the newest backup (measured from the newest backup, not from
    /// now, so a repository that stopped receiving backups does not empty itself).
    /// </summary>
    public TimeSpan? KeepWithin { get; init; }
    /// <summary>
    /// When not empty, the policy applies only to backups carrying at least one of these tags (case-insensitive);
    /// every other backup is kept.
    /// </summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    /// <summary>The time zone whose calendar the hourly, daily, weekly, monthly and yearly buckets follow.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>
    /// The time zone with this IANA or Windows id ("Europe/Berlin", "W. Europe Standard Time"); the machine's local
    /// zone when <paramref name="id"/> is null or empty. InvalidArgument naming the id when it is unknown.
    /// </summary>
    public static TimeZoneInfo FindTimeZone(string? id)
    {
        if (string.IsNullOrEmpty(id)) return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{id}' is not a known time zone (use an IANA id such as Europe/Berlin).", id, e);
        }
    }

    /// <summary>True when no rule keeps anything.</summary>
    public bool IsEmpty => KeepLast == 0 && KeepHourly == 0 && KeepDaily == 0 && KeepWeekly == 0 && KeepMonthly == 0
                           && KeepYearly == 0 && KeepWithin is null;

    /// <summary>
    /// InvalidArgument for a negative count or span, and for an empty policy: like restic, a policy without any rule
    /// is refused rather than read as "remove everything" or silently as "keep everything".
    /// </summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     ("KeepLast", KeepLast), ("KeepHourly", KeepHourly), ("KeepDaily", KeepDaily),
                     ("KeepWeekly", KeepWeekly), ("KeepMonthly", KeepMonthly), ("KeepYearly", KeepYearly),
                 })
        {
            if (value < 0)
                throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"{name} {value} is negative.", value);
        }
        if (KeepWithin < TimeSpan.Zero)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"KeepWithin {KeepWithin} is negative.", KeepWithin);
        if (IsEmpty)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                "The retention policy is empty: give at least one of KeepLast, KeepHourly, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly or KeepWithin.", null);
    }
}

namespace BackupTools.Core.Schedules;

/// <summary>The sources and places the default plan (Register-BackupSchedule -DefaultPlan) is built for.</summary>
public sealed class DefaultPlanOptions
{
    /// <summary>The database connection string, without a password.</summary>
    public string? Database { get; init; }
    /// <summary>Folder holding pg_dump to prefer.</summary>
    public string? PgBinDirectory { get; init; }
    /// <summary>The object-storage endpoint.</summary>
    public string? Storage { get; init; }
    /// <summary>Buckets to back up (empty = all).</summary>
    public IReadOnlyList<string> Buckets { get; init; } = Array.Empty<string>();
    /// <summary>Configuration files and folders (the weekly full takes them).</summary>
    public IReadOnlyList<string> ConfigPaths { get; init; } = Array.Empty<string>();
    /// <summary>The repositories every backup goes to.</summary>
    public required IReadOnlyList<string> Repositories { get; init; }
    /// <summary>The cold-storage repository the monthly copy goes to; null = no monthly copy.</summary>
    public string? ColdRepository { get; init; }
    /// <summary>The cold copy's S3 storage class.</summary>
    public string ColdStorageClass { get; init; } = "GLACIER_IR";
    /// <summary>The time zone the times are read in.</summary>
    public string? TimeZone { get; init; }
    /// <summary>When the plan is registered.</summary>
    public DateTimeOffset Registered { get; init; }
}

/// <summary>
/// The usual policy as jobs: daily (Monday–Saturday 02:00) database + incremental storage, weekly (Sunday 02:00)
/// full system with configuration and a full storage re-read, monthly (the 1st, 05:00, after that night's backup)
/// a copy of the newest backup to cold storage; retention 7 daily / 4 weekly / 12 monthly after each backup.
/// On-demand backups before big changes are `New-Backup -Tag manual`.
/// </summary>
public static class DefaultPlan
{
    /// <summary>The names of the plan's jobs.</summary>
    public const string Daily = "daily", Weekly = "weekly", Monthly = "monthly-cold-copy";

    /// <summary>The plan's jobs (two or three, depending on <see cref="DefaultPlanOptions.ColdRepository"/>).</summary>
    public static IReadOnlyList<ScheduleJob> Create(DefaultPlanOptions o)
    {
        var retention = new RetentionSettings { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12 };
        var jobs = new List<ScheduleJob>
        {
            Backup(o, Daily, "0 2 * * 1-6", retention, fullWeekly: false),
            Backup(o, Weekly, "0 2 * * 0", retention, fullWeekly: true),
        };
        if (o.ColdRepository is not null)
            jobs.Add(new ScheduleJob
            {
                Name = Monthly, Cron = "0 5 1 * *", TimeZone = o.TimeZone, Registered = o.Registered, Action = ScheduleAction.Copy,
                Repositories = [o.Repositories[0]], CopyTo = o.ColdRepository, StorageClass = o.ColdStorageClass, Verify = "Quick",
            });
        return jobs;
    }

    private static ScheduleJob Backup(DefaultPlanOptions o, string name, string cron, RetentionSettings retention, bool fullWeekly) => new()
    {
        Name = name, Cron = cron, TimeZone = o.TimeZone, Registered = o.Registered, Action = ScheduleAction.Backup,
        Database = o.Database, PgBinDirectory = o.PgBinDirectory, Storage = o.Storage, Buckets = o.Buckets.ToList(),
        FullStorageRead = fullWeekly, ConfigPaths = fullWeekly ? o.ConfigPaths.ToList() : new(),
        Repositories = o.Repositories.ToList(), Tags = [name], Verify = fullWeekly ? "Full" : "Quick", Retention = retention,
    };
}

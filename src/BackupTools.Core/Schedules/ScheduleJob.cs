using System.Text.Json.Serialization;

namespace BackupTools.Core.Schedules;

/// <summary>What a scheduled job does when it runs.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleAction>))]
public enum ScheduleAction
{
    /// <summary>A backup of the job's sources into its repositories (New-Backup).</summary>
    Backup,
    /// <summary>A copy of the newest backup of the job's first repository to <see cref="ScheduleJob.CopyTo"/> (Copy-Backup).</summary>
    Copy,
}

/// <summary>
/// One job of the schedule file: when it runs (cron expression in a time zone) and what it runs. Holds no secret:
/// database passwords come from PGPASSWORD or ~/.pgpass, repository passphrases from a registered repository's key
/// file or BACKUPTOOLS_PASSPHRASE, S3 keys from the AWS_* variables or profiles.
/// </summary>
public sealed class ScheduleJob
{
    /// <summary>The job's unique name (case-insensitive).</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    /// <summary>A cron expression (5 fields, or 6 with seconds first; @daily and friends), parsed by Cronos.</summary>
    [JsonPropertyName("cron")] public string Cron { get; set; } = "";
    /// <summary>The time zone the cron expression is read in (IANA or Windows id); null = UTC.</summary>
    [JsonPropertyName("timeZone")] public string? TimeZone { get; set; }
    /// <summary>False to keep the job without running it.</summary>
    [JsonPropertyName("enabled")] public bool Enabled { get; set; } = true;
    /// <summary>When the job was registered: its first run is the first cron occurrence after this.</summary>
    [JsonPropertyName("registered")] public DateTimeOffset Registered { get; set; }
    /// <summary>Backup (default) or Copy.</summary>
    [JsonPropertyName("action")] public ScheduleAction Action { get; set; } = ScheduleAction.Backup;
    /// <summary>The database connection string, without a password.</summary>
    [JsonPropertyName("database")] public string? Database { get; set; }
    /// <summary>Folder holding pg_dump to prefer.</summary>
    [JsonPropertyName("pgBinDirectory")] public string? PgBinDirectory { get; set; }
    /// <summary>The object-storage endpoint to back up (taken when the backup engine reads storage).</summary>
    [JsonPropertyName("storage")] public string? Storage { get; set; }
    /// <summary>The buckets to back up; empty = all.</summary>
    [JsonPropertyName("buckets")] public List<string> Buckets { get; set; } = new();
    /// <summary>Re-read every storage object instead of only the changed ones (the weekly full).</summary>
    [JsonPropertyName("fullStorageRead")] public bool FullStorageRead { get; set; }
    /// <summary>Configuration files and folders to back up (absolute paths).</summary>
    [JsonPropertyName("configPaths")] public List<string> ConfigPaths { get; set; } = new();
    /// <summary>Repositories (registered names, paths or URIs). A Copy job copies from the first.</summary>
    [JsonPropertyName("repositories")] public List<string> Repositories { get; set; } = new();
    /// <summary>Labels stored with each backup.</summary>
    [JsonPropertyName("tags")] public List<string> Tags { get; set; } = new();
    /// <summary>
    /// Verification after each backup or copy: None, Quick or Full; or Restore (backup jobs only): a Quick check in every
    /// repository, then a restore drill of the new backup from the first repository written (see <see cref="Operations.RestoreDrill"/>).
    /// </summary>
    [JsonPropertyName("verify")] public string Verify { get; set; } = "Quick";
    /// <summary>With Verify = Restore: the recovery-time objective each drill is measured against; null = 30 minutes.</summary>
    [JsonPropertyName("rtoTarget")] public TimeSpan? RtoTarget { get; set; }
    /// <summary>A Copy job's destination repository (registered name, path or URI).</summary>
    [JsonPropertyName("copyTo")] public string? CopyTo { get; set; }
    /// <summary>A Copy job's S3 storage class for the copy.</summary>
    [JsonPropertyName("storageClass")] public string? StorageClass { get; set; }
    /// <summary>A Copy job copies the newest backup carrying this tag (null = the newest backup).</summary>
    [JsonPropertyName("copyTag")] public string? CopyTag { get; set; }
    /// <summary>Retention to apply to each repository after a successful backup; null = none.</summary>
    [JsonPropertyName("retention")] public RetentionSettings? Retention { get; set; }
}

/// <summary>A grandfather-father-son policy to apply after a job (the options of Remove-ExpiredBackup).</summary>
public sealed class RetentionSettings
{
    /// <summary>Keep the newest N backups.</summary>
    [JsonPropertyName("keepLast")] public int? KeepLast { get; set; }
    /// <summary>Keep the newest backup of each of the last N days.</summary>
    [JsonPropertyName("keepDaily")] public int? KeepDaily { get; set; }
    /// <summary>Keep the newest backup of each of the last N weeks.</summary>
    [JsonPropertyName("keepWeekly")] public int? KeepWeekly { get; set; }
    /// <summary>Keep the newest backup of each of the last N months.</summary>
    [JsonPropertyName("keepMonthly")] public int? KeepMonthly { get; set; }
    /// <summary>Keep the newest backup of each of the last N years.</summary>
    [JsonPropertyName("keepYearly")] public int? KeepYearly { get; set; }
    /// <summary>Also delete the chunks no remaining backup needs.</summary>
    [JsonPropertyName("prune")] public bool Prune { get; set; }

    /// <summary>True when no rule is set (nothing would be kept by rule: such a policy is not applied).</summary>
    [JsonIgnore] public bool IsEmpty => KeepLast is null && KeepDaily is null && KeepWeekly is null && KeepMonthly is null && KeepYearly is null;
}

/// <summary>How a job's last run ended.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ScheduleRunResult>))]
public enum ScheduleRunResult
{
    /// <summary>The run finished and everything it did passed.</summary>
    Succeeded,
    /// <summary>The run failed (or one of its destinations did); see the message.</summary>
    Failed,
}

/// <summary>What the scheduler remembers about one job between invocations (kept apart from the jobs, in the state file).</summary>
public sealed class ScheduleJobState
{
    /// <summary>When the job last ran (the invocation's clock): the cron occurrences up to here are done.</summary>
    [JsonPropertyName("lastRun")] public DateTimeOffset? LastRun { get; set; }
    /// <summary>How that run ended.</summary>
    [JsonPropertyName("lastResult")] public ScheduleRunResult? LastResult { get; set; }
    /// <summary>A one-line summary of that run (errors included, never a secret).</summary>
    [JsonPropertyName("lastMessage")] public string? LastMessage { get; set; }
    /// <summary>The backup that run made or copied, if any.</summary>
    [JsonPropertyName("lastBackupId")] public string? LastBackupId { get; set; }
    /// <summary>How long that run took.</summary>
    [JsonPropertyName("lastDuration")] public TimeSpan? LastDuration { get; set; }
}

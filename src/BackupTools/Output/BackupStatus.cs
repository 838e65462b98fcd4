namespace BackupTools;

/// <summary>How a source or repository is doing.</summary>
public enum BackupHealth
{
    /// <summary>Recent backups, verified.</summary>
    Healthy,
    /// <summary>Needs attention soon (see Reasons).</summary>
    Warning,
    /// <summary>RPO target missed or the latest check failed.</summary>
    Critical,
}

/// <summary>
/// One row of Get-BackupStatus: a source (database, storage, config) in a repository, or the repository itself when
/// it has problems of its own (Type "repository": no backups, unreadable manifests, cannot be opened).
/// </summary>
public sealed class BackupStatus
{
    /// <summary>The repository as given (registered name, path or URI).</summary>
    public string Repository { get; init; } = "";
    /// <summary>Where the repository is.</summary>
    public string Location { get; init; } = "";
    /// <summary>"database", "storage", "config", or "repository" for the repository's own problems.</summary>
    public string Type { get; init; } = "";
    /// <summary>The source identity: host:port/database, endpoint/bucket, config paths (the location for a repository row).</summary>
    public string Source { get; init; } = "";
    /// <summary>Healthy, Warning or Critical.</summary>
    public BackupHealth State { get; init; }
    /// <summary>Why the state is not Healthy.</summary>
    public string[] Reasons { get; init; } = [];
    /// <summary>The newest backup of the source.</summary>
    public string? LastBackupId { get; init; }
    /// <summary>When the newest backup started (the recovery point).</summary>
    public DateTimeOffset? LastBackupTime { get; init; }
    /// <summary>Now minus LastBackupTime.</summary>
    public TimeSpan? Age { get; init; }
    /// <summary>The RPO target the state was judged by.</summary>
    public TimeSpan RpoTarget { get; init; }
    /// <summary>Plaintext bytes of the source in its newest backup.</summary>
    public long? Size { get; init; }
    /// <summary>How long the newest backup took.</summary>
    public TimeSpan? Duration { get; init; }
    /// <summary>Backups of the source in the repository.</summary>
    public int BackupCount { get; init; }
    /// <summary>Sizes of the newest backups, oldest first.</summary>
    public long[] SizeTrend { get; init; } = [];
    /// <summary>Durations of the newest backups in seconds, oldest first.</summary>
    public double[] DurationTrend { get; init; } = [];
    /// <summary>Level of the latest verification (Quick, Full, Restore), or null when never verified.</summary>
    public string? LastVerificationLevel { get; init; }
    /// <summary>Whether the latest verification passed, or null when never verified.</summary>
    public bool? LastVerificationSuccess { get; init; }
    /// <summary>When the latest verification ran.</summary>
    public DateTimeOffset? LastVerificationTime { get; init; }
    /// <summary>When the latest restore drill ran, or null when none did.</summary>
    public DateTimeOffset? LastDrillTime { get; init; }
    /// <summary>Whether the latest restore drill passed, or null when none ran.</summary>
    public bool? LastDrillSuccess { get; init; }
    /// <summary>The recovery time the latest restore drill measured.</summary>
    public TimeSpan? LastDrillDuration { get; init; }
    /// <summary>Earliest point-in-time recovery target, or null without physical backups and WAL.</summary>
    public DateTimeOffset? PitrWindowStart { get; init; }
    /// <summary>Latest point-in-time recovery target, or null without physical backups and WAL.</summary>
    public DateTimeOffset? PitrWindowEnd { get; init; }
    /// <summary>The next scheduled run covering the source, or null when none is scheduled.</summary>
    public DateTimeOffset? NextScheduledRun { get; init; }
}

namespace BackupTools;

/// <summary>What Remove-ExpiredBackup decided for a backup.</summary>
public enum RetentionAction
{
    /// <summary>A rule of the policy keeps the backup.</summary>
    Keep,
    /// <summary>No rule keeps it: it is removed (unless -WhatIf or a declined confirmation).</summary>
    Remove,
}

/// <summary>One backup and the retention decision on it, as Remove-ExpiredBackup writes it.</summary>
public sealed class RetentionDecisionInfo
{
    /// <summary>The backup id (binds down the pipeline, e.g. to Test-Backup).</summary>
    public string Id { get; init; } = "";
    /// <summary>The repository as the user gave it.</summary>
    public string Repository { get; init; } = "";
    /// <summary>S3 endpoint given with the repository, if any.</summary>
    public string? Endpoint { get; init; }
    /// <summary>S3 region given with the repository, if any.</summary>
    public string? Region { get; init; }
    /// <summary>When the backup started.</summary>
    public DateTimeOffset Time { get; init; }
    /// <summary>"logical" or "physical".</summary>
    public string Kind { get; init; } = "";
    /// <summary>The backup's tags.</summary>
    public string[] Tags { get; init; } = [];
    /// <summary>Keep or Remove.</summary>
    public RetentionAction Action { get; init; }
    /// <summary>
    /// The rules that keep it: Last, Within, Hourly, Daily, Weekly, Monthly, Yearly, NewestVerified, PitrWindow, or
    /// NotSelected (outside the -Tag filter). Empty for Remove.
    /// </summary>
    public string[] Reasons { get; init; } = [];
    /// <summary>True when the backup was actually removed in this run.</summary>
    public bool Removed { get; init; }
}

/// <summary>What Remove-ExpiredBackup -Prune deleted.</summary>
public sealed class PruneSummary
{
    /// <summary>The repository as the user gave it.</summary>
    public string Repository { get; init; } = "";
    /// <summary>Backups whose data was kept.</summary>
    public int BackupsRetained { get; init; }
    /// <summary>Distinct chunks those backups reference.</summary>
    public int ChunksReferenced { get; init; }
    /// <summary>Unreferenced chunks deleted.</summary>
    public int ChunksDeleted { get; init; }
    /// <summary>Unreferenced chunks kept because they are younger than the grace period.</summary>
    public int ChunksInGracePeriod { get; init; }
    /// <summary>WAL segments deleted.</summary>
    public int WalSegmentsDeleted { get; init; }
    /// <summary>Why WAL was left alone, if it was.</summary>
    public string? WalSkippedReason { get; init; }
    /// <summary>Stored bytes freed (chunks and WAL).</summary>
    public long BytesFreed { get; init; }
    /// <summary>The grace period used.</summary>
    public TimeSpan GracePeriod { get; init; }
}

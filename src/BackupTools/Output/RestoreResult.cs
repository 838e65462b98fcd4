namespace BackupTools;

/// <summary>The result of Restore-Backup.</summary>
public sealed class RestoreResult
{
    /// <summary>The backup restored.</summary>
    public string BackupId { get; init; } = "";
    /// <summary>The part restored: "database" or "config".</summary>
    public string Component { get; init; } = "";
    /// <summary>True when the restore completed without error.</summary>
    public bool Success { get; init; }
    /// <summary>What failed, one line each.</summary>
    public string[] Errors { get; init; } = [];
    /// <summary>The server restored to (host:port), or the folder configuration files were written under.</summary>
    public string Target { get; init; } = "";
    /// <summary>The database restored into.</summary>
    public string Database { get; init; } = "";
    /// <summary>Plaintext bytes restored.</summary>
    public long BytesRestored { get; init; }
    /// <summary>How long the restore took: the recovery time, from the first step to the database back in service.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>The steps taken (restore point, pg_restore, checks, swap …), each with its duration.</summary>
    public RestoreStepInfo[] Steps { get; init; } = [];
    /// <summary>The backup taken of the target just before it was overwritten (tag restore-point), if any.</summary>
    public string? RestorePointId { get; init; }
    /// <summary>Point-in-time recovery: the data directory restored.</summary>
    public string? DataDirectory { get; init; }
    /// <summary>Point-in-time recovery: the target asked for ("time …", "LSN …", "restore point '…'").</summary>
    public string? RecoveryTarget { get; init; }
    /// <summary>Point-in-time recovery with -Start: where the server stopped replaying, in its own words.</summary>
    public string? PointReached { get; init; }
    /// <summary>Point-in-time recovery with -Start: the commit time of the last transaction replayed.</summary>
    public DateTimeOffset? ReachedTime { get; init; }
    /// <summary>Point-in-time recovery with -Start: the end of the WAL replayed.</summary>
    public string? ReachedLsn { get; init; }
    /// <summary>Point-in-time recovery with -Start: the timeline the promoted server writes.</summary>
    public uint? Timeline { get; init; }
}

/// <summary>One step of a restore or drill.</summary>
public sealed class RestoreStepInfo
{
    /// <summary>What the step did.</summary>
    public string Name { get; init; } = "";
    /// <summary>True when the step completed.</summary>
    public bool Success { get; init; }
    /// <summary>How long it took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>"Swap the restored database in for app: 0.4 s".</summary>
    public override string ToString() => $"{Name}: {(Success ? "" : "FAILED after ")}{Duration.TotalSeconds:0.0} s";
}

namespace BackupTools;

/// <summary>The result of Test-Backup for one component of one backup.</summary>
public sealed class BackupTestResult
{
    /// <summary>The backup checked.</summary>
    public string BackupId { get; init; } = "";
    /// <summary>The component checked ("database", …).</summary>
    public string Component { get; init; } = "";
    /// <summary>Quick, Full or Restore.</summary>
    public string Level { get; init; } = "";
    /// <summary>True when every check passed.</summary>
    public bool Success { get; init; }
    /// <summary>What failed, one line each.</summary>
    public string[] Errors { get; init; } = [];
    /// <summary>Chunks checked.</summary>
    public int ChunksChecked { get; init; }
    /// <summary>Bytes checked.</summary>
    public long BytesChecked { get; init; }
    /// <summary>How long the check took.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>Restore drills: what restoring and checking the backup took (the measured recovery time).</summary>
    public TimeSpan? RecoveryTime { get; init; }
    /// <summary>Restore drills: the recovery-time objective the drill was measured against.</summary>
    public TimeSpan? RtoTarget { get; init; }
    /// <summary>Restore drills: the steps with their durations.</summary>
    public RestoreStepInfo[] Steps { get; init; } = [];
    /// <summary>Restore drills: what was checked and found, one line each (physical drills: each database of the scratch cluster).</summary>
    public string[] Checks { get; init; } = [];
}

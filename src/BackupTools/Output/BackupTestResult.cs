namespace BackupTools;

/// <summary>The result of Test-Backup for one component of one backup.</summary>
public sealed class BackupTestResult
{
    /// <summary>The backup checked.</summary>
    public string BackupId { get; init; } = "";
    /// <summary>The component checked ("database", …).</summary>
    public string Component { get; init; } = "";
    /// <summary>Quick or Full.</summary>
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
}

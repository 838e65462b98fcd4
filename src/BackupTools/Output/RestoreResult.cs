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
    /// <summary>How long the restore took.</summary>
    public TimeSpan Duration { get; init; }
}

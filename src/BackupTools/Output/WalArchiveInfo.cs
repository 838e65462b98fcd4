namespace BackupTools;

/// <summary>The result of Get-WalArchiveStatus: the state of a repository's WAL archive and the recoverable window.</summary>
public sealed class WalArchiveInfo
{
    /// <summary>The repository.</summary>
    public string Repository { get; init; } = "";
    /// <summary>Archived WAL segments.</summary>
    public int Segments { get; init; }
    /// <summary>Stored (sealed) bytes of the archive.</summary>
    public long StoredBytes { get; init; }
    /// <summary>The newest archived segment.</summary>
    public string? LastArchived { get; init; }
    /// <summary>When it arrived.</summary>
    public DateTimeOffset? LastArchivedTime { get; init; }
    /// <summary>Time since then.</summary>
    public TimeSpan? Lag { get; init; }
    /// <summary>With -Database: the segment the server writes now.</summary>
    public string? ServerSegment { get; init; }
    /// <summary>With -Database: closed segments not yet archived.</summary>
    public long? SegmentsBehind { get; init; }
    /// <summary>With -Database: the archiver's last failure when it is newer than its last success.</summary>
    public string? ArchiverFailure { get; init; }
    /// <summary>Missing segments between archived ones.</summary>
    public string[] Gaps { get; init; } = [];
    /// <summary>The oldest backup recovery can start from and replay to the newest segment.</summary>
    public string? OldestRecoverableBackup { get; init; }
    /// <summary>The recoverable window's start (that backup's consistent point).</summary>
    public DateTimeOffset? WindowStart { get; init; }
    /// <summary>The recoverable window's end (the newest archived segment).</summary>
    public DateTimeOffset? WindowEnd { get; init; }
    /// <summary>True when there is a recoverable window, no gap and no archiver failure.</summary>
    public bool Healthy { get; init; }
}

namespace BackupTools;

/// <summary>The result of Enable-WalArchiving.</summary>
public sealed class WalArchivingResult
{
    /// <summary>The server (host:port).</summary>
    public string Server { get; init; } = "";
    /// <summary>The repository the WAL goes to.</summary>
    public string Repository { get; init; } = "";
    /// <summary>The WAL archive config the WAL program reads (mode 0600, owned by the server's OS user; holds the repository key).</summary>
    public string ConfigPath { get; init; } = "";
    /// <summary>The archive_command set.</summary>
    public string ArchiveCommand { get; init; } = "";
    /// <summary>True when archive_mode or wal_level changed: restart the server, then run Enable-WalArchiving again to verify.</summary>
    public bool RestartRequired { get; init; }
    /// <summary>The segment a forced WAL switch closed, found in the repository; null when not verified (restart needed).</summary>
    public string? VerifiedSegment { get; init; }
}

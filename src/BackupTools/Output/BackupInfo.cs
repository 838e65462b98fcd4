namespace BackupTools;

/// <summary>One backup in a repository, as Get-Backup and New-Backup write it.</summary>
public sealed class BackupInfo
{
    /// <summary>The backup id, e.g. 20261125T190102Z-3fa9c1.</summary>
    public string Id { get; init; } = "";
    /// <summary>The repository as the user gave it (a registered name, path or URI), so it binds down the pipeline.</summary>
    public string Repository { get; init; } = "";
    /// <summary>S3 endpoint given with the repository, if any (binds down the pipeline).</summary>
    public string? Endpoint { get; init; }
    /// <summary>S3 region given with the repository, if any (binds down the pipeline).</summary>
    public string? Region { get; init; }
    /// <summary>"logical" (pg_dump) for now.</summary>
    public string Kind { get; init; } = "";
    /// <summary>Labels given at backup time.</summary>
    public string[] Tags { get; init; } = [];
    /// <summary>When the backup started.</summary>
    public DateTimeOffset StartTime { get; init; }
    /// <summary>When the backup was committed.</summary>
    public DateTimeOffset EndTime { get; init; }
    /// <summary>EndTime - StartTime.</summary>
    public TimeSpan Duration { get; init; }
    /// <summary>The component types in the backup ("database", …).</summary>
    public string[] Components { get; init; } = [];
    /// <summary>The database backed up, if any.</summary>
    public string? Database { get; init; }
    /// <summary>The database server (host:port) the backup was read from, else the machine that took it.</summary>
    public string Host { get; init; } = "";
    /// <summary>Plaintext bytes read from the sources.</summary>
    public long Size { get; init; }
    /// <summary>Sealed bytes this backup added to the repository (new chunks only).</summary>
    public long Added { get; init; }
    /// <summary>Chunks the backup references.</summary>
    public int ChunksTotal { get; init; }
    /// <summary>Chunks the backup stored for the first time.</summary>
    public int ChunksNew { get; init; }
    /// <summary>The previous backup of the same source, if any.</summary>
    public string? Parent { get; init; }
    /// <summary>The BackupTools version that took the backup.</summary>
    public string ToolVersion { get; init; } = "";
    /// <summary>The latest verification, e.g. "Quick: passed", or null when never verified.</summary>
    public string? Verified { get; init; }
}

namespace BackupTools;

/// <summary>A repository as New-BackupRepository reports it.</summary>
public sealed class RepositoryInfo
{
    /// <summary>Where the repository lives (never with credentials).</summary>
    public string Location { get; init; } = "";
    /// <summary>The repository id from config.json.</summary>
    public string Id { get; init; } = "";
    /// <summary>When config.json was written.</summary>
    public DateTimeOffset? Created { get; init; }
    /// <summary>How many keys (passphrases) unlock the repository.</summary>
    public int KeyCount { get; init; }
    /// <summary>S3 endpoint, if any.</summary>
    public string? Endpoint { get; init; }
    /// <summary>S3 region, if any.</summary>
    public string? Region { get; init; }
}

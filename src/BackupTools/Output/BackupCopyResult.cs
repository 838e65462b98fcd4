namespace BackupTools;

/// <summary>What Copy-Backup wrote: the copy in the destination (Id, Repository, Endpoint and Region bind down the pipeline, e.g. to Test-Backup).</summary>
public sealed class BackupCopyResult
{
    /// <summary>The backup id, the same in the source and the destination.</summary>
    public string Id { get; init; } = "";
    /// <summary>The destination repository as the user gave it.</summary>
    public string Repository { get; init; } = "";
    /// <summary>The destination's S3 endpoint, if any.</summary>
    public string? Endpoint { get; init; }
    /// <summary>The destination's S3 region, if any.</summary>
    public string? Region { get; init; }
    /// <summary>The source repository's location.</summary>
    public string Source { get; init; } = "";
    /// <summary>The S3 storage class the copy's chunks were written with, or null for the bucket's default.</summary>
    public string? StorageClass { get; init; }
    /// <summary>True when the destination already held the backup and nothing was copied (-SkipExisting).</summary>
    public bool Skipped { get; init; }
    /// <summary>Plaintext bytes read from the source.</summary>
    public long Size { get; init; }
    /// <summary>Sealed bytes uploaded to the destination (only the chunks it lacked).</summary>
    public long Uploaded { get; init; }
    /// <summary>Chunks the copy references.</summary>
    public int ChunksTotal { get; init; }
    /// <summary>Chunks the destination lacked and received.</summary>
    public int ChunksNew { get; init; }
    /// <summary>The check the copy passed before it was committed, e.g. "Quick: passed".</summary>
    public string? Verified { get; init; }
    /// <summary>How long the copy took.</summary>
    public TimeSpan Duration { get; init; }
}

namespace BackupTools.Core.Retention;

/// <summary>Options of <see cref="Repository.BackupRepository.PruneAsync"/>.</summary>
public sealed class PruneOptions
{
    /// <summary>The default grace period: unreferenced chunks younger than this stay (an interrupted or running backup may still need them).</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(1);

    /// <summary>Unreferenced chunks last written less than this long ago are kept; zero deletes every unreferenced chunk.</summary>
    public TimeSpan GracePeriod { get; init; } = DefaultGracePeriod;
}

/// <summary>What a prune found and deleted.</summary>
public sealed class PruneResult
{
    /// <summary>Backups (manifests) whose chunks were kept.</summary>
    public int BackupsRetained { get; init; }
    /// <summary>Distinct chunks those backups reference.</summary>
    public int ChunksReferenced { get; init; }
    /// <summary>Unreferenced chunks deleted.</summary>
    public int ChunksDeleted { get; init; }
    /// <summary>Stored bytes of the deleted chunks.</summary>
    public long ChunkBytesFreed { get; init; }
    /// <summary>Unreferenced chunks kept because they are younger than the grace period.</summary>
    public int ChunksInGracePeriod { get; init; }
    /// <summary>WAL segments deleted (older than the first segment of every retained physical backup).</summary>
    public int WalSegmentsDeleted { get; init; }
    /// <summary>Stored bytes of the deleted WAL segments.</summary>
    public long WalBytesFreed { get; init; }
    /// <summary>Why WAL was left alone (no physical backup, or one without a recorded first segment); null when it was pruned.</summary>
    public string? WalSkippedReason { get; init; }
    /// <summary>All bytes freed.</summary>
    public long BytesFreed => ChunkBytesFreed + WalBytesFreed;
}

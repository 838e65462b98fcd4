using BackupTools.Core.Storage;

namespace BackupTools.Core.Repository;

/// <summary>Options chosen when a repository is created; stored in config.json.</summary>
public sealed class RepositoryCreateOptions
{
    /// <summary>Argon2id memory in KiB (default 64 MiB).</summary>
    public int KdfMemoryKiB { get; set; } = 64 * 1024;
    public int KdfIterations { get; set; } = 3;
    public int KdfParallelism { get; set; } = 2;
    public int ChunkMinSize { get; set; } = 256 * 1024;
    public int ChunkAverageSize { get; set; } = 1024 * 1024;
    public int ChunkMaxSize { get; set; } = 8 * 1024 * 1024;
    public int CompressionLevel { get; set; } = 3;
}

public enum VerifyLevel { Quick, Full }

/// <summary>
/// An opened (unlocked) repository: the format of docs/repository-format.md over an <see cref="IBlobStore"/>.
/// Thread-safe for concurrent reads and writes of chunks.
/// </summary>
public sealed partial class BackupRepository
{
    // Implementation lives in the other partial files of this folder.
}

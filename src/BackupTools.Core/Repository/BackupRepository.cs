using BackupTools.Core.Operations;
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
/// STUB: the signatures are the contract; the bodies are being written.
/// </summary>
public sealed partial class BackupRepository : IDisposable
{
    /// <summary>Creates a new repository at the store. InvalidOperation if one already exists there.</summary>
    public static Task<BackupRepository> CreateAsync(IBlobStore store, string passphrase, RepositoryCreateOptions? options = null, CancellationToken ct = default)
        => throw new NotImplementedException();

    /// <summary>Opens and unlocks. NotFound when there is no repository (no config.json); AuthenticationFailed when no key opens with the passphrase.</summary>
    public static Task<BackupRepository> OpenAsync(IBlobStore store, string passphrase, CancellationToken ct = default)
        => throw new NotImplementedException();

    public IBlobStore Store => throw new NotImplementedException();
    /// <summary>Repository id (hex) from config.json.</summary>
    public string Id => throw new NotImplementedException();
    public string Location => Store.Location;

    /// <summary>Adds another key (passphrase) that unlocks the same master key; returns the key id.</summary>
    public Task<string> AddKeyAsync(string newPassphrase, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>
    /// Stores one stream: content-defined chunks, each keyed-hashed, zstd-compressed, AES-256-GCM sealed and
    /// uploaded with bounded parallelism; chunks already in the repository are not uploaded again.
    /// Memory stays bounded whatever the stream length. <paramref name="progress"/> receives plaintext bytes read so far.
    /// </summary>
    public Task<FileEntry> WriteStreamAsync(string name, Stream source, WriteStats stats, IProgress<long>? progress = null, CancellationToken ct = default)
        => throw new NotImplementedException();

    /// <summary>Writes a stored file's plaintext to <paramref name="destination"/> in order; every chunk is authenticated and its id and the file hash re-checked (Corrupt on mismatch).</summary>
    public Task ReadFileAsync(FileEntry file, Stream destination, IProgress<long>? progress = null, CancellationToken ct = default)
        => throw new NotImplementedException();

    /// <summary>Seals and writes snapshots/&lt;id&gt;. Call last, after every chunk is stored.</summary>
    public Task SaveManifestAsync(Manifest manifest, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>NotFound (naming the id) when there is no such backup; Corrupt when it fails authentication.</summary>
    public Task<Manifest> LoadManifestAsync(string backupId, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>All manifests, sorted by id (oldest first).</summary>
    public Task<IReadOnlyList<Manifest>> ListManifestsAsync(CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>Takes a shared (backup) or exclusive (prune) lock under locks/; ResourceBusy when it conflicts with a live lock. Dispose releases it.</summary>
    public Task<IAsyncDisposable> LockAsync(bool exclusive, string purpose, CancellationToken ct = default) => throw new NotImplementedException();

    /// <summary>Quick: manifest opens and every chunk exists at its stored size. Full: every chunk read, authenticated, decompressed, hash-checked. One result per component.</summary>
    public Task<IReadOnlyList<ComponentCheck>> VerifyAsync(Manifest manifest, VerifyLevel level, IProgress<ProgressInfo>? progress = null, CancellationToken ct = default)
        => throw new NotImplementedException();

    public void Dispose() { }
}

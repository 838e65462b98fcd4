using System.Buffers;
using System.Security.Cryptography;
using BackupTools.Core.Chunking;
using BackupTools.Core.Crypto;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Repository;

/// <summary>Options chosen when a repository is created; stored in config.json and the key file.</summary>
public sealed class RepositoryCreateOptions
{
    /// <summary>Argon2id memory in KiB (default 64 MiB).</summary>
    public int KdfMemoryKiB { get; set; } = 64 * 1024;
    /// <summary>Argon2id passes (default 3).</summary>
    public int KdfIterations { get; set; } = 3;
    /// <summary>Argon2id lanes (default 1: RFC 9106's second recommended option, t=3, m=64 MiB, in one lane, which libsodium derives; see docs/repository-format.md).</summary>
    public int KdfParallelism { get; set; } = 1;
    /// <summary>FastCDC minimum chunk size (default 256 KiB).</summary>
    public int ChunkMinSize { get; set; } = 256 * 1024;
    /// <summary>FastCDC normal chunk size, a power of two (default 1 MiB).</summary>
    public int ChunkAverageSize { get; set; } = 1024 * 1024;
    /// <summary>FastCDC maximum chunk size (default 8 MiB).</summary>
    public int ChunkMaxSize { get; set; } = 8 * 1024 * 1024;
    /// <summary>zstd level for chunks and manifests (default 1: measured in docs/repository-format.md).</summary>
    public int CompressionLevel { get; set; } = 1;
}

/// <summary>How deep <see cref="BackupRepository.VerifyAsync"/> looks.</summary>
public enum VerifyLevel
{
    /// <summary>Every chunk exists at its stored size.</summary>
    Quick,
    /// <summary>Every chunk is read, authenticated, decompressed and its id re-computed.</summary>
    Full,
}

/// <summary>
/// An opened (unlocked) repository: the format of docs/repository-format.md over an <see cref="IBlobStore"/>.
/// Thread-safe for concurrent reads and writes of chunks.
/// </summary>
public sealed partial class BackupRepository : IDisposable
{
    private const string ConfigKey = "config.json";
    private const string KeysPrefix = "keys/";

    private readonly RepositoryConfig _config;
    private readonly MasterKey _master;
    private readonly FastCdc _chunker;

    /// <summary>Where the chunk paths rent their buffers, and where a reader handed a chunk's plaintext returns it.</summary>
    internal ArrayPool<byte> ChunkBuffers { get; } = ChunkBufferPool.Create();

    private BackupRepository(IBlobStore store, RepositoryConfig config, MasterKey master)
    {
        Store = store;
        _config = config;
        _master = master;
        _chunker = new FastCdc(config.Chunker.Min, config.Chunker.Avg, config.Chunker.Max, master.ChunkerSeed);
    }

    /// <summary>Creates a new repository at the store. InvalidOperation if one already exists there.</summary>
    public static async Task<BackupRepository> CreateAsync(IBlobStore store, string passphrase, RepositoryCreateOptions? options = null, CancellationToken ct = default)
    {
        options ??= new RepositoryCreateOptions();
        Validate(options, passphrase);
        if (await store.StatAsync(ConfigKey, ct).ConfigureAwait(false) is not null)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation, $"A repository already exists at {store.Location}.", store.Location);

        var config = new RepositoryConfig
        {
            Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant(),
            Created = DateTimeOffset.UtcNow,
            Chunker = new ChunkerConfig { Min = options.ChunkMinSize, Avg = options.ChunkAverageSize, Max = options.ChunkMaxSize },
            Compression = new CompressionConfig { Level = options.CompressionLevel },
        };
        var repository = new BackupRepository(store, config, MasterKey.Generate());
        // The key first, config.json last: config.json is what makes the repository exist.
        await repository.WriteKeyAsync(passphrase, options.KdfMemoryKiB, options.KdfIterations, options.KdfParallelism, ct).ConfigureAwait(false);
        await store.PutAsync(ConfigKey, config.ToJson(), ct).ConfigureAwait(false);
        return repository;
    }

    /// <summary>Opens and unlocks. NotFound when there is no repository (no config.json); AuthenticationFailed when no key opens with the passphrase.</summary>
    public static async Task<BackupRepository> OpenAsync(IBlobStore store, string passphrase, CancellationToken ct = default)
    {
        var config = await ReadConfigAsync(store, ct).ConfigureAwait(false);
        var master = await UnlockAsync(store, passphrase, ct).ConfigureAwait(false);
        return new BackupRepository(store, config, master);
    }

    /// <summary>Reads and checks config.json: NotFound when missing, Corrupt or InvalidOperation when this code cannot read it.</summary>
    private static async Task<RepositoryConfig> ReadConfigAsync(IBlobStore store, CancellationToken ct)
    {
        byte[] json;
        try
        {
            json = await store.GetAsync(ConfigKey, ct).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw new BackupToolsException(BackupErrorKind.NotFound, $"No repository at {store.Location}.", store.Location, e);
        }
        var config = RepositoryConfig.Parse(json)
            ?? throw new BackupToolsException(BackupErrorKind.Corrupt, $"The config.json of repository {store.Location} does not parse.", store.Location);
        CheckSupported(config, store.Location);
        return config;
    }

    /// <summary>The blob store the repository lives in.</summary>
    public IBlobStore Store { get; }
    /// <summary>Repository id (hex) from config.json.</summary>
    public string Id => _config.Id;
    /// <summary>Where the repository is (never holds credentials).</summary>
    public string Location => Store.Location;

    /// <summary>Releases nothing today: the store belongs to the caller.</summary>
    public void Dispose() { }

    private static void Validate(RepositoryCreateOptions o, string passphrase)
    {
        if (string.IsNullOrEmpty(passphrase))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, "The passphrase is empty.", null);
        if (o.KdfMemoryKiB < 8 * o.KdfParallelism || o.KdfIterations < 1 || o.KdfParallelism < 1)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"Argon2id parameters memory {o.KdfMemoryKiB} KiB, iterations {o.KdfIterations}, parallelism {o.KdfParallelism} are invalid.",
                $"{o.KdfMemoryKiB}/{o.KdfIterations}/{o.KdfParallelism}");
        if (o.CompressionLevel is < 1 or > 22)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"zstd level {o.CompressionLevel} is invalid (1-22).", o.CompressionLevel);
        _ = new FastCdc(o.ChunkMinSize, o.ChunkAverageSize, o.ChunkMaxSize, 0);
    }

    private static void CheckSupported(RepositoryConfig config, string location)
    {
        if (config.Version > RepositoryConfig.CurrentVersion)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"Repository {location} uses format version {config.Version}; this BackupTools reads up to version {RepositoryConfig.CurrentVersion}. Upgrade BackupTools.",
                config.Version);
        if (config.Version < 1 || config.Chunker.Algorithm != "fastcdc" || config.Compression.Algorithm != "zstd"
            || config.Encryption != "aes-256-gcm" || config.ChunkId != "hmac-sha256")
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"The config.json of repository {location} names an unknown version or algorithm.", location);
    }

    private static string NewObjectId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>The last segment of an object key ("data/ab/ab12…" → "ab12…").</summary>
    private static string NameOf(string key) => key[(key.LastIndexOf('/') + 1)..];
}

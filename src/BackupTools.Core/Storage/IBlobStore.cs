namespace BackupTools.Core.Storage;

/// <summary>One stored object: its key (forward slashes, relative to the store root) and size.</summary>
public sealed record BlobInfo(string Key, long Size, DateTimeOffset LastModified);

/// <summary>Thrown by <see cref="IBlobStore.GetAsync"/> and range reads when the key does not exist. Permanent: never retried.</summary>
public sealed class BlobNotFoundException : Exception
{
    public BlobNotFoundException(string key, Exception? inner = null) : base($"Object '{key}' does not exist.", inner) => Key = key;
    public string Key { get; }
}

/// <summary>
/// The small storage interface every repository location implements (local folder, S3).
/// Keys are relative, '/'-separated (e.g. "data/ab/ab12…"). Behaviour such as retry, concurrency
/// limits and logging is layered around a store (see RetryingBlobStore), never inside it.
/// Every implementation passes the conformance suite in tests/BackupTools.Tests/Storage.
/// </summary>
public interface IBlobStore : IDisposable
{
    /// <summary>Human-readable location, without credentials (e.g. "/backups/repo" or "s3://bucket/prefix").</summary>
    string Location { get; }

    /// <summary>Writes the whole object atomically: a reader sees either nothing or all of it. Overwrites.</summary>
    Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default);

    /// <summary>Reads the whole object. Throws <see cref="BlobNotFoundException"/> when missing.</summary>
    Task<byte[]> GetAsync(string key, CancellationToken ct = default);

    /// <summary>Reads <paramref name="length"/> bytes from <paramref name="offset"/> (fewer at the end of the object).</summary>
    Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default);

    /// <summary>Size and time of the object, or null when it does not exist.</summary>
    Task<BlobInfo?> StatAsync(string key, CancellationToken ct = default);

    /// <summary>Every object whose key starts with <paramref name="prefix"/> (recursive), in no particular order.</summary>
    IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken ct = default);

    /// <summary>Removes the object; removing a missing object is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken ct = default);
}

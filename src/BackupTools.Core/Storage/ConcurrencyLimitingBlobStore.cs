namespace BackupTools.Core.Storage;

/// <summary>
/// Caps how many reads and writes are in flight at once against the inner store, so a parallel backup
/// does not open hundreds of connections. Listings are not counted: a caller may read while it lists.
/// </summary>
public sealed class ConcurrencyLimitingBlobStore : IBlobStore
{
    /// <summary>The default number of operations in flight.</summary>
    public const int DefaultLimit = 16;

    private readonly IBlobStore _inner;
    private readonly SemaphoreSlim _slots;

    /// <summary>Wraps <paramref name="inner"/>, allowing at most <paramref name="limit"/> operations at once.</summary>
    public ConcurrencyLimitingBlobStore(IBlobStore inner, int limit = DefaultLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        _inner = inner;
        _slots = new SemaphoreSlim(limit, limit);
    }

    /// <inheritdoc />
    public string Location => _inner.Location;

    /// <inheritdoc />
    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
        => Limited(async () => { await _inner.PutAsync(key, data, ct).ConfigureAwait(false); return true; }, ct);

    /// <inheritdoc />
    public Task<byte[]> GetAsync(string key, CancellationToken ct = default) => Limited(() => _inner.GetAsync(key, ct), ct);

    /// <inheritdoc />
    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
        => Limited(() => _inner.GetRangeAsync(key, offset, length, ct), ct);

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(string key, CancellationToken ct = default) => Limited(() => _inner.StatAsync(key, ct), ct);

    /// <inheritdoc />
    public IAsyncEnumerable<BlobInfo> ListAsync(string prefix, CancellationToken ct = default) => _inner.ListAsync(prefix, ct);

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken ct = default)
        => Limited(async () => { await _inner.DeleteAsync(key, ct).ConfigureAwait(false); return true; }, ct);

    private async Task<T> Limited<T>(Func<Task<T>> operation, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try { return await operation().ConfigureAwait(false); }
        finally { _slots.Release(); }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _inner.Dispose();
        _slots.Dispose();
    }
}

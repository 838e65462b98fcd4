using System.Runtime.CompilerServices;

namespace BackupTools.Core.Storage;

/// <summary>How <see cref="RetryingBlobStore"/> backs off.</summary>
/// <param name="MaxAttempts">Attempts in all, the first included.</param>
/// <param name="BaseDelay">The delay before the first retry; it doubles each time, with jitter.</param>
/// <param name="MaxDelay">The longest single delay.</param>
public sealed record RetryOptions(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    /// <summary>8 attempts, 100 ms doubling with jitter up to 4 s: about 10 s before giving up.</summary>
    public static RetryOptions Default { get; } = new(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(4));
}

/// <summary>
/// Retries transient storage faults (5xx, throttling, dropped connections, timeouts) with exponential
/// backoff and jitter (Polly). Permanent faults pass through at once. When the attempts run out it throws
/// <see cref="BackupToolsException"/> of kind ConnectionFailed naming the location and the last cause.
/// </summary>
public sealed class RetryingBlobStore : IBlobStore
{
    private readonly IBlobStore _inner;
    private readonly TransientRetry _retry;
    private readonly RetryOptions _options;

    /// <summary>Wraps <paramref name="inner"/>; <paramref name="options"/> defaults to <see cref="RetryOptions.Default"/>.</summary>
    public RetryingBlobStore(IBlobStore inner, RetryOptions? options = null)
    {
        _inner = inner;
        _options = options ?? RetryOptions.Default;
        _retry = new TransientRetry(_options, inner.Location);
    }

    /// <inheritdoc />
    public string Location => _inner.Location;

    /// <inheritdoc />
    public Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
        => Run(async token => { await _inner.PutAsync(key, data, token).ConfigureAwait(false); return true; }, ct);

    /// <inheritdoc />
    public Task<byte[]> GetAsync(string key, CancellationToken ct = default)
        => Run(token => _inner.GetAsync(key, token), ct);

    /// <inheritdoc />
    public Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
        => Run(token => _inner.GetRangeAsync(key, offset, length, token), ct);

    /// <inheritdoc />
    public Task<BlobInfo?> StatAsync(string key, CancellationToken ct = default)
        => Run(token => _inner.StatAsync(key, token), ct);

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken ct = default)
        => Run(async token => { await _inner.DeleteAsync(key, token).ConfigureAwait(false); return true; }, ct);

    /// <summary>
    /// Lists through the inner store; a transient fault part-way restarts the listing and skips the items
    /// already returned (both stores list in a stable order while the keys do not change).
    /// </summary>
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var returned = 0;
        for (var attempt = 1; ; attempt++)
        {
            var skip = returned;
            await using var items = _inner.ListAsync(prefix, ct).GetAsyncEnumerator(ct);
            while (true)
            {
                BlobInfo item;
                try
                {
                    if (!await items.MoveNextAsync().ConfigureAwait(false)) yield break;
                    item = items.Current;
                }
                catch (Exception e) when (TransientFaults.IsTransient(e, ct) && attempt < _options.MaxAttempts)
                {
                    await Task.Delay(BackoffDelay(attempt), ct).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (TransientFaults.IsTransient(e, ct))
                {
                    throw GaveUp(e);
                }
                if (skip > 0) { skip--; continue; }
                returned++;
                yield return item;
            }
        }
    }

    private TimeSpan BackoffDelay(int attempt)
    {
        var exponential = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, _options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }

    private Task<T> Run<T>(Func<CancellationToken, Task<T>> operation, CancellationToken ct) => _retry.RunAsync(operation, ct);

    private BackupToolsException GaveUp(Exception cause) => _retry.GaveUp(cause);

    /// <inheritdoc />
    public void Dispose() => _inner.Dispose();
}

using System.Text.Json;
using BackupTools.Core.Compression;
using BackupTools.Core.Crypto;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Repository;

/// <summary>Locks under locks/: write, list, compare (no conditional puts needed).</summary>
public sealed partial class BackupRepository
{
    private const string LocksPrefix = "locks/";
    /// <summary>How long a lock lives without refresh.</summary>
    internal static readonly TimeSpan LockLifetime = TimeSpan.FromMinutes(30);
    /// <summary>How often a held lock is refreshed.</summary>
    internal static readonly TimeSpan LockRefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>Shared locks this instance holds now; the first one taken makes it forget its cached chunk listing.</summary>
    private int _sharedLocksHeld;

    /// <summary>
    /// Takes a shared (backup) or exclusive (prune) lock under locks/; ResourceBusy when it conflicts with a live lock.
    /// Stale locks met on the way (expired, or of a process of this host that no longer runs) are removed.
    /// Taking the first shared lock makes this instance list data/ afresh before its next write, since a prune may have
    /// deleted chunks since it last looked. Dispose releases the lock.
    /// </summary>
    public async Task<IAsyncDisposable> LockAsync(bool exclusive, string purpose, CancellationToken ct = default)
    {
        var lockId = NewObjectId();
        var now = DateTimeOffset.UtcNow;
        var record = new LockRecord
        {
            Host = Environment.MachineName, Pid = Environment.ProcessId, Purpose = purpose,
            Exclusive = exclusive, Created = now, Expires = now + LockLifetime,
        };
        await WriteLockAsync(lockId, record, ct).ConfigureAwait(false);
        try
        {
            var conflict = await FindConflictAsync(lockId, exclusive, ct).ConfigureAwait(false);
            if (conflict is not null)
                throw new BackupToolsException(BackupErrorKind.ResourceBusy,
                    $"Repository {Location} is busy: {conflict.Describe()}.", $"{conflict.Host}:{conflict.Pid}");
        }
        catch
        {
            await Store.DeleteAsync(LocksPrefix + lockId, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        if (!exclusive && Interlocked.Increment(ref _sharedLocksHeld) == 1) await ForgetKnownChunksAsync().ConfigureAwait(false);
        return new RepositoryLock(LockRefreshInterval,
            refresh: token =>
            {
                record.Expires = DateTimeOffset.UtcNow + LockLifetime;
                return WriteLockAsync(lockId, record, token);
            },
            release: async () =>
            {
                if (!exclusive) Interlocked.Decrement(ref _sharedLocksHeld);
                await Store.DeleteAsync(LocksPrefix + lockId, CancellationToken.None).ConfigureAwait(false);
            });
    }

    /// <summary>A live lock of someone else that conflicts with ours, or null. Deletes the stale locks it reads.</summary>
    private async Task<LockRecord?> FindConflictAsync(string ownId, bool exclusive, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        await foreach (var blob in Store.ListAsync(LocksPrefix, ct).ConfigureAwait(false))
        {
            var id = NameOf(blob.Key);
            if (id == ownId) continue;
            var other = await TryReadLockAsync(id, ct).ConfigureAwait(false);
            if (other is null) continue;
            if (!other.IsLive(now))
            {
                await Store.DeleteAsync(blob.Key, ct).ConfigureAwait(false);
                continue;
            }
            if (exclusive || other.Exclusive) return other;
        }
        return null;
    }

    internal Task WriteLockAsync(string lockId, LockRecord record, CancellationToken ct)
    {
        var payload = PayloadCodec.Encode(_config.Compression.Level, JsonSerializer.SerializeToUtf8Bytes(record));
        return Store.PutAsync(LocksPrefix + lockId, _master.Sealer.Seal(SealedObjectType.Lock, lockId, payload), ct);
    }

    /// <summary>The lock record, or null when it vanished or does not open (a lock we cannot read cannot be honoured).</summary>
    private async Task<LockRecord?> TryReadLockAsync(string lockId, CancellationToken ct)
    {
        try
        {
            var encoded = _master.Sealer.Open(SealedObjectType.Lock, lockId, await Store.GetAsync(LocksPrefix + lockId, ct).ConfigureAwait(false));
            return encoded is null ? null : JsonSerializer.Deserialize<LockRecord>(PayloadCodec.Decode(encoded, 1 << 20));
        }
        catch (Exception e) when (e is BlobNotFoundException or InvalidDataException or JsonException)
        {
            return null;
        }
    }
}

using BackupTools.Core.Crypto;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Repository;

public sealed partial class BackupRepository
{
    /// <summary>Adds another key (passphrase) that unlocks the same master key; returns the key id. Uses the default Argon2id parameters.</summary>
    public Task<string> AddKeyAsync(string newPassphrase, CancellationToken ct = default)
    {
        var defaults = new RepositoryCreateOptions();
        return AddKeyAsync(newPassphrase, defaults.KdfMemoryKiB, defaults.KdfIterations, defaults.KdfParallelism, ct);
    }

    /// <summary>Adds another key with explicit Argon2id parameters; returns the key id.</summary>
    public Task<string> AddKeyAsync(string newPassphrase, int kdfMemoryKiB, int kdfIterations, int kdfParallelism, CancellationToken ct = default)
    {
        Validate(new RepositoryCreateOptions { KdfMemoryKiB = kdfMemoryKiB, KdfIterations = kdfIterations, KdfParallelism = kdfParallelism }, newPassphrase);
        return WriteKeyAsync(newPassphrase, kdfMemoryKiB, kdfIterations, kdfParallelism, ct);
    }

    private async Task<string> WriteKeyAsync(string passphrase, int memoryKiB, int iterations, int parallelism, CancellationToken ct)
    {
        var keyId = NewObjectId();
        var file = await KeyFile.CreateAsync(keyId, passphrase, _master, memoryKiB, iterations, parallelism).ConfigureAwait(false);
        await Store.PutAsync(KeysPrefix + keyId, file.ToJson(), ct).ConfigureAwait(false);
        return keyId;
    }

    /// <summary>Tries every key file (there are few) with the passphrase.</summary>
    private static async Task<MasterKey> UnlockAsync(IBlobStore store, string passphrase, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var blob in store.ListAsync(KeysPrefix, ct).ConfigureAwait(false)) keys.Add(blob.Key);
        if (keys.Count == 0)
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"Repository {store.Location} has no key files.", store.Location);
        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            ct.ThrowIfCancellationRequested();
            byte[] json;
            try { json = await store.GetAsync(key, ct).ConfigureAwait(false); }
            catch (BlobNotFoundException) { continue; }
            var file = KeyFile.Parse(json);
            if (file is null) continue;
            var master = await file.TryUnlockAsync(NameOf(key), passphrase).ConfigureAwait(false);
            if (master is not null) return master;
        }
        throw new BackupToolsException(BackupErrorKind.AuthenticationFailed, $"The passphrase does not unlock repository {store.Location}.", store.Location);
    }
}

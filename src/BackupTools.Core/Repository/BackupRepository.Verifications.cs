namespace BackupTools.Core.Repository;

/// <summary>Verification results kept in the manifest, so Get-BackupStatus and the reports know what was checked.</summary>
public sealed partial class BackupRepository
{
    /// <summary>The most verification records a manifest keeps (the oldest are dropped first).</summary>
    public const int MaxVerificationRecords = 50;

    /// <summary>
    /// Appends <paramref name="record"/> to the stored manifest of <paramref name="backupId"/> and rewrites it, under a
    /// shared lock so a prune cannot remove the backup meanwhile. Returns the updated manifest; NotFound when the
    /// backup is gone.
    /// </summary>
    public async Task<Manifest> RecordVerificationAsync(string backupId, VerificationRecord record, CancellationToken ct = default)
    {
        await using var repositoryLock = await LockAsync(false, $"record verification of {backupId}", ct).ConfigureAwait(false);
        var manifest = await LoadManifestAsync(backupId, ct).ConfigureAwait(false);
        manifest.Verifications.Add(record);
        if (manifest.Verifications.Count > MaxVerificationRecords)
            manifest.Verifications.RemoveRange(0, manifest.Verifications.Count - MaxVerificationRecords);
        await SaveManifestAsync(manifest, ct).ConfigureAwait(false);
        return manifest;
    }
}

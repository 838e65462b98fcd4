using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Reports;

/// <summary>The I/O half of the status: reads a repository's manifests and hands them to <see cref="StatusCalculator"/>.</summary>
public static class StatusReader
{
    /// <summary>
    /// The status of an opened repository at <paramref name="now"/>. Physical backups and schedules plug in through
    /// <see cref="StatusInput.PitrWindows"/> and <see cref="StatusInput.Schedules"/>; until they exist both are empty.
    /// </summary>
    public static async Task<RepositoryStatus> ReadAsync(BackupRepository repository, string name, StatusPolicy policy,
        DateTimeOffset now, CancellationToken ct = default)
    {
        var manifests = await repository.ListManifestsAsync(ct).ConfigureAwait(false);
        return StatusCalculator.Compute(new StatusInput
        {
            Name = name,
            Location = repository.Location,
            Manifests = manifests,
            UnreadableBackups = repository.UnreadableManifestIds,
        }, policy, now);
    }

    /// <summary>Opens the repository at <paramref name="location"/>, reads its status and closes it again.</summary>
    public static async Task<RepositoryStatus> ReadAsync(RepositoryLocation location, string passphrase, string name,
        StatusPolicy policy, DateTimeOffset now, CancellationToken ct = default)
    {
        using var store = BlobStoreFactory.Open(location);
        using var repository = await BackupRepository.OpenAsync(store, passphrase, ct).ConfigureAwait(false);
        return await ReadAsync(repository, name, policy, now, ct).ConfigureAwait(false);
    }
}

using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Reports;

/// <summary>The I/O half of the status: reads a repository's manifests and hands them to <see cref="StatusCalculator"/>.</summary>
public static class StatusReader
{
    /// <summary>
    /// The status of an opened repository at <paramref name="now"/>, with the scheduled jobs that write to it
    /// (<paramref name="schedules"/>; see <see cref="ScheduleStatusSource"/>).
    /// </summary>
    public static async Task<RepositoryStatus> ReadAsync(BackupRepository repository, string name, StatusPolicy policy,
        DateTimeOffset now, CancellationToken ct = default, IReadOnlyList<ScheduleStatus>? schedules = null)
    {
        var manifests = await repository.ListManifestsAsync(ct).ConfigureAwait(false);
        return StatusCalculator.Compute(new StatusInput
        {
            Name = name,
            Location = repository.Location,
            Manifests = manifests,
            UnreadableBackups = repository.UnreadableManifestIds,
            Schedules = schedules ?? Array.Empty<ScheduleStatus>(),
        }, policy, now);
    }

    /// <summary>Opens the repository at <paramref name="location"/>, reads its status and closes it again.</summary>
    public static async Task<RepositoryStatus> ReadAsync(RepositoryLocation location, string passphrase, string name,
        StatusPolicy policy, DateTimeOffset now, CancellationToken ct = default, IReadOnlyList<ScheduleStatus>? schedules = null)
    {
        using var store = BlobStoreFactory.Open(location);
        using var repository = await BackupRepository.OpenAsync(store, passphrase, ct).ConfigureAwait(false);
        return await ReadAsync(repository, name, policy, now, ct, schedules).ConfigureAwait(false);
    }
}

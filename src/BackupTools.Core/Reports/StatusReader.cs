using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Reports;

/// <summary>The I/O half of the status: reads a repository's manifests and hands them to <see cref="StatusCalculator"/>.</summary>
public static class StatusReader
{
    /// <summary>
    /// The status of an opened repository at <paramref name="now"/>, with the scheduled jobs that write to it
    /// (<paramref name="schedules"/>; see <see cref="ScheduleStatusSource"/>) and, when it holds physical backups, the
    /// point-in-time recovery window of its WAL archive.
    /// </summary>
    public static async Task<RepositoryStatus> ReadAsync(BackupRepository repository, string name, StatusPolicy policy,
        DateTimeOffset now, CancellationToken ct = default, IReadOnlyList<ScheduleStatus>? schedules = null)
    {
        var manifests = await repository.ListManifestsAsync(ct).ConfigureAwait(false);
        var pitrWindows = await ReadPitrWindowsAsync(repository, manifests, ct).ConfigureAwait(false);
        return StatusCalculator.Compute(new StatusInput
        {
            Name = name,
            Location = repository.Location,
            Manifests = manifests,
            UnreadableBackups = repository.UnreadableManifestIds,
            Schedules = schedules ?? Array.Empty<ScheduleStatus>(),
            PitrWindows = pitrWindows,
        }, policy, now);
    }

    /// <summary>The recoverable window of the WAL archive (oldest usable base backup to newest archived WAL), per physical source.</summary>
    private static async Task<IReadOnlyDictionary<SourceKey, PitrWindow>> ReadPitrWindowsAsync(BackupRepository repository,
        IReadOnlyList<Manifest> manifests, CancellationToken ct)
    {
        var windows = new Dictionary<SourceKey, PitrWindow>();
        var physical = manifests.Where(m => m.Kind == Wal.BaseBackupInfo.ManifestKind).ToList();
        if (physical.Count == 0) return windows;
        var archive = await Operations.WalArchiveStatus.ReadAsync(repository, null, ct).ConfigureAwait(false);
        if (archive.WindowStart is not { } from || archive.WindowEnd is not { } to) return windows;
        foreach (var component in physical.SelectMany(m => m.Components)) windows[SourceKey.Of(component)] = new PitrWindow(from, to);
        return windows;
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

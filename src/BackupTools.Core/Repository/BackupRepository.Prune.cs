using BackupTools.Core.Retention;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Repository;

/// <summary>Removing backups and pruning what no backup references any more (see docs/repository-format.md, "Prune").</summary>
public sealed partial class BackupRepository
{
    /// <summary>Parallel deletes during a prune (I/O bound).</summary>
    private const int PruneParallelism = 16;

    /// <summary>
    /// Deletes snapshots/&lt;id&gt;: the backup no longer exists; its chunks stay until a prune. NotFound when there is no
    /// such backup. Needs no lock: a running backup does not depend on other manifests, and prune (which does) holds
    /// an exclusive one.
    /// </summary>
    public async Task DeleteManifestAsync(string backupId, CancellationToken ct = default)
    {
        CheckBackupId(backupId);
        if (await Store.StatAsync(SnapshotsPrefix + backupId, ct).ConfigureAwait(false) is null)
            throw new BackupToolsException(BackupErrorKind.NotFound, $"No backup {backupId} in repository {Location}.", backupId);
        await Store.DeleteAsync(SnapshotsPrefix + backupId, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Under an exclusive lock (ResourceBusy while any backup holds its lock): deletes the chunks under data/ that no
    /// manifest references and that were written longer than the grace period ago, and the WAL segments older than the
    /// first segment of every physical backup (none when there is no physical backup). Corrupt, deleting nothing, when
    /// a manifest cannot be read, because its chunks cannot be told apart from garbage.
    /// </summary>
    public async Task<PruneResult> PruneAsync(PruneOptions options, IProgress<ProgressInfo>? progress = null, IBackupLog? log = null, CancellationToken ct = default)
    {
        if (options.GracePeriod < TimeSpan.Zero)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The prune grace period {options.GracePeriod} is negative.", options.GracePeriod);
        log ??= NullBackupLog.Instance;
        await using var pruneLock = await LockAsync(true, "prune", ct).ConfigureAwait(false);
        var cutoff = DateTimeOffset.UtcNow - options.GracePeriod;
        var manifests = await ListManifestsAsync(ct).ConfigureAwait(false);
        if (UnreadableManifestIds.Count > 0)
            throw new BackupToolsException(BackupErrorKind.Corrupt,
                $"Prune refused: the manifests of {string.Join(", ", UnreadableManifestIds)} in repository {Location} cannot be read, so the chunks they need are unknown. Remove or repair them first.",
                UnreadableManifestIds[0]);

        var referenced = manifests.SelectMany(m => m.Components).SelectMany(c => c.Files).SelectMany(f => f.Chunks)
            .Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        var garbage = new List<BlobInfo>();
        var young = 0;
        await foreach (var blob in Store.ListAsync(DataPrefix, ct).ConfigureAwait(false))
        {
            var id = NameOf(blob.Key);
            if (id.Length != 64 || blob.Key != ChunkKey(id) || referenced.Contains(id)) continue;
            if (blob.LastModified <= cutoff) garbage.Add(blob);
            else young++;
        }
        log.Write(LogLevel.Verbose, $"Prune of {Location}: {manifests.Count} backups reference {referenced.Count} chunks; {garbage.Count} unreferenced chunks to delete, {young} within the grace period.");
        await DeleteAllAsync(garbage, "chunks", progress, ct).ConfigureAwait(false);

        var (walGarbage, walSkipped) = await FindExpiredWalAsync(manifests, ct).ConfigureAwait(false);
        if (walSkipped is not null) log.Write(LogLevel.Verbose, walSkipped);
        await DeleteAllAsync(walGarbage, "WAL segments", progress, ct).ConfigureAwait(false);
        return new PruneResult
        {
            BackupsRetained = manifests.Count,
            ChunksReferenced = referenced.Count,
            ChunksDeleted = garbage.Count,
            ChunkBytesFreed = garbage.Sum(b => b.Size),
            ChunksInGracePeriod = young,
            WalSegmentsDeleted = walGarbage.Count,
            WalBytesFreed = walGarbage.Sum(b => b.Size),
            WalSkippedReason = walSkipped,
        };
    }

    /// <summary>The WAL segments no physical backup needs, or none and the reason when WAL must be left alone.</summary>
    private async Task<(List<BlobInfo> Segments, string? SkippedReason)> FindExpiredWalAsync(IReadOnlyList<Manifest> manifests, CancellationToken ct)
    {
        var physical = manifests.Where(m => string.Equals(m.Kind, RetentionCandidate.PhysicalKind, StringComparison.OrdinalIgnoreCase)).ToList();
        if (physical.Count == 0) return ([], "WAL left alone: there is no physical backup.");
        var firstSegments = physical.Select(m => m.Components.FirstOrDefault(c => c.Type == "database")?.Source.GetValueOrDefault(WalRetention.WalStartField));
        if (WalRetention.OldestNeededPosition(firstSegments) is not { } oldestNeeded)
            return ([], "WAL left alone: a physical backup does not record a valid first WAL segment (walStart).");
        var segments = new List<BlobInfo>();
        await foreach (var blob in Store.ListAsync(WalRetention.Prefix, ct).ConfigureAwait(false))
        {
            if (blob.Key == WalRetention.Prefix + NameOf(blob.Key) && WalRetention.CanDelete(NameOf(blob.Key), oldestNeeded)) segments.Add(blob);
        }
        return (segments, null);
    }

    private async Task DeleteAllAsync(IReadOnlyList<BlobInfo> blobs, string what, IProgress<ProgressInfo>? progress, CancellationToken ct)
    {
        var total = blobs.Sum(b => b.Size);
        long done = 0;
        var options = new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = PruneParallelism };
        await Parallel.ForEachAsync(blobs, options, async (blob, token) =>
        {
            await Store.DeleteAsync(blob.Key, token).ConfigureAwait(false);
            progress?.Report(new ProgressInfo($"Pruning {Location}", $"deleting {blobs.Count} {what}", Interlocked.Add(ref done, blob.Size), total));
        }).ConfigureAwait(false);
    }
}

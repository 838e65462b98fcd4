using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>The state of a repository's WAL archive: Get-WalArchiveStatus.</summary>
public sealed class WalArchiveStatus
{
    /// <summary>Archived WAL segments (all timelines).</summary>
    public int SegmentCount { get; set; }
    /// <summary>Sealed bytes of the archive.</summary>
    public long StoredBytes { get; set; }
    /// <summary>The newest archived segment (highest timeline, then position).</summary>
    public string? LastArchived { get; set; }
    /// <summary>When it was archived.</summary>
    public DateTimeOffset? LastArchivedTime { get; set; }
    /// <summary>Time since the last segment arrived.</summary>
    public TimeSpan? Lag { get; set; }
    /// <summary>With a database: the segment the server writes now.</summary>
    public string? ServerSegment { get; set; }
    /// <summary>With a database: closed segments on the server that are not yet archived (0 = caught up).</summary>
    public long? SegmentsBehind { get; set; }
    /// <summary>With a database: pg_stat_archiver's last failure, when it is newer than the last success.</summary>
    public string? ArchiverFailure { get; set; }
    /// <summary>Missing segments between archived ones, as "first..last" ranges (or one name).</summary>
    public List<string> Gaps { get; } = new();
    /// <summary>The oldest backup from which recovery can replay to the newest archived segment without a gap.</summary>
    public string? OldestRecoverableBackup { get; set; }
    /// <summary>The recoverable window: from that backup's consistent point…</summary>
    public DateTimeOffset? WindowStart { get; set; }
    /// <summary>…to the newest archived segment.</summary>
    public DateTimeOffset? WindowEnd { get; set; }

    /// <summary>Reads the status from the repository (and, with <paramref name="connectionString"/>, the server's archiver).</summary>
    public static async Task<WalArchiveStatus> ReadAsync(BackupRepository repository, string? connectionString, CancellationToken ct = default)
    {
        var wal = await repository.ListWalAsync(ct).ConfigureAwait(false);
        var backups = (await repository.ListManifestsAsync(ct).ConfigureAwait(false))
            .Select(BaseBackupInfoOrNull).Where(b => b.Info is not null).Select(b => (b.Manifest, Info: b.Info!)).ToList();
        var segmentSize = backups.Count > 0 ? backups[^1].Info.SegmentSize : WalNames.DefaultSegmentSize;
        var segments = wal.Where(f => WalNames.IsSegment(f.Name))
            .Select(f => { WalSegment.TryParse(f.Name, segmentSize, out var s); return (File: f, Segment: s); }).ToList();
        var status = new WalArchiveStatus { SegmentCount = segments.Count, StoredBytes = wal.Sum(f => f.StoredSize) };
        if (segments.Count > 0)
        {
            var last = segments.MaxBy(s => (s.Segment.Timeline, s.Segment.Number));
            status.LastArchived = last.File.Name;
            status.LastArchivedTime = last.File.Archived;
            status.Lag = DateTimeOffset.UtcNow - last.File.Archived;
        }
        foreach (var timeline in segments.GroupBy(s => s.Segment.Timeline))
            status.Gaps.AddRange(FindGaps(timeline.Select(s => s.Segment.Number).ToHashSet(), timeline.Key, segmentSize));
        status.FindWindow(backups, segments.Select(s => s.File).ToList(), segmentSize);
        if (connectionString is not null) await status.ReadServerAsync(connectionString, wal, ct).ConfigureAwait(false);
        return status;
    }

    private static (Manifest Manifest, BaseBackupInfo? Info) BaseBackupInfoOrNull(Manifest m)
    {
        try { return (m, BaseBackupInfo.From(m)); }
        catch (BackupToolsException) { return (m, null); }
    }

    private static IEnumerable<string> FindGaps(HashSet<ulong> numbers, uint timeline, long segmentSize)
    {
        var ordered = numbers.Order().ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i] == ordered[i - 1] + 1) continue;
            var first = new WalSegment(timeline, ordered[i - 1] + 1).Name(segmentSize);
            var last = new WalSegment(timeline, ordered[i] - 1).Name(segmentSize);
            yield return first == last ? first : $"{first}..{last}";
        }
    }

    /// <summary>The oldest physical backup whose WAL reaches the newest archived segment with no gap.</summary>
    private void FindWindow(List<(Manifest Manifest, BaseBackupInfo Info)> backups, List<WalFileInfo> segments, long segmentSize)
    {
        foreach (var (manifest, info) in backups.OrderBy(b => b.Info.StopTime))
        {
            try
            {
                var plan = RecoveryPlanner.Plan(new[] { manifest }, segments, RecoveryTarget.AtName("window"), manifest.Id, "");
                OldestRecoverableBackup = manifest.Id;
                WindowStart = info.StopTime;
                WindowEnd = segments.First(f => f.Name == plan.LastSegment.Name(segmentSize)).Archived;
                return;
            }
            catch (BackupToolsException e) when (e.Kind == BackupErrorKind.NotFound)
            {
                // a gap after this backup: try the next one
            }
        }
    }

    private async Task ReadServerAsync(string connectionString, IReadOnlyList<WalFileInfo> wal, CancellationToken ct)
    {
        var source = PgConnectionInfo.Parse(connectionString);
        await using var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false);
        var facts = await ClusterFacts.ReadAsync(conn, ct).ConfigureAwait(false);
        var current = WalSegment.Containing(facts.Timeline, Lsn.Parse(await ClusterFacts.CurrentLsnAsync(conn, ct).ConfigureAwait(false)), facts.SegmentSize);
        ServerSegment = current.Name(facts.SegmentSize);
        var archived = wal.Select(f => WalSegment.TryParse(f.Name, facts.SegmentSize, out var s) ? s : (WalSegment?)null)
            .Where(s => s?.Timeline == facts.Timeline).Select(s => s!.Value.Number).DefaultIfEmpty().Max();
        SegmentsBehind = current.Number > archived ? (long)(current.Number - archived - 1) : 0;
        if (facts.Archiver.IsFailing) ArchiverFailure = $"{facts.Archiver.LastFailedWal} at {facts.Archiver.LastFailedTime:O} ({facts.Archiver.FailedCount} failures in all)";
    }
}

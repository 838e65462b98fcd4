using System.Globalization;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>What a point-in-time recovery aims at.</summary>
public enum RecoveryTargetKind
{
    /// <summary>recovery_target_time: stop before the first commit after this time.</summary>
    Time,
    /// <summary>recovery_target_lsn: stop after this WAL location.</summary>
    Lsn,
    /// <summary>recovery_target_name: stop at a restore point made with pg_create_restore_point().</summary>
    Name,
    /// <summary>No recovery target: replay every archived WAL segment of the timeline (the newest state the archive holds).</summary>
    Latest,
}

/// <summary>A recovery target: exactly one of a time, an LSN or a restore point name.</summary>
public sealed record RecoveryTarget(RecoveryTargetKind Kind, DateTimeOffset Time, Lsn Lsn, string Name)
{
    /// <summary>Recover to a time.</summary>
    public static RecoveryTarget AtTime(DateTimeOffset time) => new(RecoveryTargetKind.Time, time.ToUniversalTime(), default, "");

    /// <summary>Recover to an LSN ("0/3000060"); InvalidArgument naming it when it does not parse.</summary>
    public static RecoveryTarget AtLsn(string lsn) => new(RecoveryTargetKind.Lsn, default, Lsn.Parse(lsn), "");

    /// <summary>Recover to a named restore point; InvalidArgument when the name is empty or longer than PostgreSQL allows (63 bytes).</summary>
    public static RecoveryTarget AtName(string name)
    {
        if (string.IsNullOrEmpty(name) || System.Text.Encoding.UTF8.GetByteCount(name) > 63 || name.Any(char.IsControl))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{name}' is not a restore point name (1 to 63 bytes, no control characters).", name);
        return new RecoveryTarget(RecoveryTargetKind.Name, default, default, name);
    }

    /// <summary>Recover to the end of the archived WAL.</summary>
    public static RecoveryTarget ToLatest() => new(RecoveryTargetKind.Latest, default, default, "");

    /// <summary>The recovery_target_* setting (name, value) for postgresql.auto.conf; null for <see cref="RecoveryTargetKind.Latest"/>.</summary>
    public (string Setting, string Value)? ToSetting() => Kind switch
    {
        RecoveryTargetKind.Time => ("recovery_target_time", Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "+00"),
        RecoveryTargetKind.Lsn => ("recovery_target_lsn", Lsn.ToString()),
        RecoveryTargetKind.Name => ("recovery_target_name", Name),
        _ => null,
    };

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        RecoveryTargetKind.Time => "time " + Time.ToString("yyyy-MM-dd HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        RecoveryTargetKind.Lsn => "LSN " + Lsn,
        RecoveryTargetKind.Name => $"restore point '{Name}'",
        _ => "the end of the archived WAL",
    };
}

/// <summary>The base backup chosen for a target and the WAL range checked to be in the archive.</summary>
public sealed record RecoveryPlan(Manifest Backup, BaseBackupInfo Info, RecoveryTarget Target, WalSegment LastSegment)
{
    /// <summary>How many WAL segments recovery may replay (all checked to be archived).</summary>
    public long SegmentCount => (long)(LastSegment.Number - Info.WalStart.Number + 1);
}

/// <summary>
/// Chooses the base backup for a recovery target and proves, before anything is written, that the archive holds every WAL
/// segment from the backup's start to the target (for a time or a restore point: to the newest archived segment of the
/// backup's timeline). Pure logic over the repository's listings.
/// </summary>
public static class RecoveryPlanner
{
    /// <summary>
    /// The plan, or: NotFound (no physical backup; a missing WAL segment, named), InvalidArgument (target outside the
    /// recoverable window, or a chosen backup that does not fit the target).
    /// </summary>
    public static RecoveryPlan Plan(IReadOnlyList<Manifest> manifests, IReadOnlyList<WalFileInfo> wal, RecoveryTarget target, string? backupId, string location)
    {
        var backups = manifests.Select(m => (Manifest: m, Info: BaseBackupInfo.From(m)))
            .Where(b => b.Info is not null).Select(b => (b.Manifest, Info: b.Info!)).ToList();
        if (backups.Count == 0)
            throw new BackupToolsException(BackupErrorKind.NotFound,
                $"Repository {location} holds no physical backup: take one with New-Backup -Method Physical.", location);

        var (backup, info) = Choose(backups, target, backupId, location);
        var archived = wal.Where(f => WalSegment.TryParse(f.Name, info.SegmentSize, out var s) && s.Timeline == info.Timeline)
            .ToDictionary(f => { WalSegment.TryParse(f.Name, info.SegmentSize, out var s); return s.Number; });
        var newest = archived.Count == 0 ? info.WalStart : new WalSegment(info.Timeline, archived.Keys.Max());
        var last = LastNeeded(target, info, newest, archived, location);
        foreach (var segment in info.SegmentsThrough(last))
        {
            if (!archived.ContainsKey(segment.Number))
                throw new BackupToolsException(BackupErrorKind.NotFound,
                    $"WAL segment {segment.Name(info.SegmentSize)} is missing from the archive in {location}: recovery from backup {backup.Id} to {target} " +
                    $"needs every segment from {info.WalStart.Name(info.SegmentSize)} to {last.Name(info.SegmentSize)}. Nothing was written.",
                    segment.Name(info.SegmentSize));
        }
        return new RecoveryPlan(backup, info, target, last);
    }

    private static (Manifest, BaseBackupInfo) Choose(List<(Manifest Manifest, BaseBackupInfo Info)> backups, RecoveryTarget target, string? backupId, string location)
    {
        bool Fits(BaseBackupInfo i) => target.Kind switch
        {
            RecoveryTargetKind.Time => i.StopTime <= target.Time,
            RecoveryTargetKind.Lsn => i.StopLsn <= target.Lsn,
            _ => true,
        };
        if (backupId is not null)
        {
            var named = backups.FirstOrDefault(b => b.Manifest.Id == backupId);
            if (named.Manifest is null)
                throw new BackupToolsException(BackupErrorKind.NotFound, $"No physical backup {backupId} in repository {location}.", backupId);
            if (!Fits(named.Info))
                throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                    $"Backup {backupId} became consistent at {Consistent(named.Info)}, after the target {target}.", backupId);
            return named;
        }
        var fitting = backups.Where(b => Fits(b.Info)).OrderBy(b => b.Info.StopLsn).ThenBy(b => b.Info.StopTime).ToList();
        if (fitting.Count == 0)
        {
            var oldest = backups.MinBy(b => b.Info.StopTime);
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"The target {target} is before the recoverable window of repository {location}: the oldest physical backup " +
                $"{oldest.Manifest.Id} is consistent from {Consistent(oldest.Info)}.", target.ToString());
        }
        return fitting[^1];
    }

    private static WalSegment LastNeeded(RecoveryTarget target, BaseBackupInfo info, WalSegment newest, Dictionary<ulong, WalFileInfo> archived, string location)
    {
        switch (target.Kind)
        {
            case RecoveryTargetKind.Lsn:
                var holding = WalSegment.Containing(info.Timeline, target.Lsn, info.SegmentSize);
                if (holding.Number > newest.Number)
                    throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                        $"The target {target} is after the newest archived WAL in {location} (segment {newest.Name(info.SegmentSize)}).", target.ToString());
                return holding.Number < info.WalStop.Number ? info.WalStop : holding;
            case RecoveryTargetKind.Time when archived.TryGetValue(newest.Number, out var newestFile) && target.Time > newestFile.Archived:
                throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                    $"The target {target} is after the newest archived WAL in {location} (segment {newest.Name(info.SegmentSize)}, " +
                    $"archived {newestFile.Archived.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z).", target.ToString());
            default:
                return newest.Number < info.WalStop.Number ? info.WalStop : newest;
        }
    }

    private static string Consistent(BaseBackupInfo info) => $"{info.StopTime.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (LSN {info.StopLsn})";
}

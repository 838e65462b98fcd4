using BackupTools.Core.Logging;
using BackupTools.Core.Operations;
using BackupTools.Core.Retention;

namespace BackupTools.Infrastructure;

/// <summary>
/// Turns the result of an engine run into -LogPath events: backup.completed (or error) per destination,
/// verify.completed per component, drill.completed, restore.completed, copy.completed, backup.removed, prune.completed.
/// </summary>
internal static class OperationEvents
{
    /// <summary>Writes the events for <paramref name="result"/>; results of other runs (opening, loading, listing) write none.</summary>
    public static void Write(JsonLinesLog log, object? result, string? backupId)
    {
        switch (result)
        {
            case IEnumerable<BackupJobOutcome> outcomes:
                foreach (var o in outcomes)
                {
                    if (o.Manifest is { } m)
                        log.Write("backup.completed", o.Success ? "information" : "error",
                            $"Backup {m.Id} committed in {o.Repository.Location}: {m.Stats.BytesRead} bytes read, {m.Stats.BytesAdded} added"
                            + (o.Success ? "." : "; its verification FAILED."),
                            m.Id, m.Stats.BytesRead, m.Stats.DurationSeconds);
                    else
                        log.Write("error", "error", $"{o.Repository.Location}: {o.Error?.Message}", backupId);
                }
                break;
            case IEnumerable<ComponentCheck> checks:
                foreach (var c in checks)
                {
                    log.Write("verify.completed", c.Success ? "information" : "error",
                        $"{c.Level} check of {c.Component}: {Result(c.Success, c.Errors)}", backupId, c.BytesChecked, c.Duration.TotalSeconds);
                }
                break;
            case RestoreDrillOutcome d:
                log.Write("drill.completed", d.Success ? "information" : "error",
                    $"Restore drill on {d.Server}: {Result(d.Success, d.Errors)} (recovery time {d.RecoveryTime}, RTO target {d.RtoTarget})",
                    backupId, null, d.RecoveryTime.TotalSeconds);
                break;
            case CopyBackupOutcome c:
                log.Write("copy.completed", "information",
                    c.Skipped ? $"Backup {c.BackupId} is already in the destination; nothing copied."
                        : $"Backup {c.BackupId} copied: {c.ChunksNew} of {c.ChunksTotal} chunks new, {c.BytesAdded} bytes added.",
                    c.BackupId, c.BytesAdded, c.Duration.TotalSeconds);
                break;
            case RetentionDecision r:
                log.Write("backup.removed", "information", $"Backup {r.Backup.Id} of {r.Backup.Time:O} removed: no retention rule keeps it.", r.Backup.Id);
                break;
            case PruneResult p:
                log.Write("prune.completed", "information",
                    $"Prune: {p.ChunksDeleted} chunks and {p.WalSegmentsDeleted} WAL segments deleted, {p.BytesFreed} bytes freed; "
                    + $"{p.ChunksInGracePeriod} unreferenced chunks kept for the grace period." + (p.WalSkippedReason is { } why ? " WAL left alone: " + why : ""),
                    backupId, p.BytesFreed);
                break;
            case DatabaseRestoreOutcome o:
                log.Write("restore.completed", o.Success ? "information" : "error",
                    $"Restore into {o.TargetDatabase} on {o.TargetServer}: {Result(o.Success, o.Errors)}", backupId, o.BytesRestored, o.Duration.TotalSeconds);
                break;
        }
    }

    private static string Result(bool success, IEnumerable<string> errors) => success ? "passed" : "FAILED: " + string.Join("; ", errors);
}

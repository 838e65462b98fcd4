using BackupTools.Core.Logging;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;

namespace BackupTools.Infrastructure;

/// <summary>Turns the result of an engine run into -LogPath events: backup.completed, verify.completed, restore.completed.</summary>
internal static class OperationEvents
{
    /// <summary>
    /// Writes the events for <paramref name="result"/>. A manifest is a committed backup unless it is the one the
    /// cmdlet named (<paramref name="backupId"/>: Restore-Backup loading it); results of other runs (opening,
    /// listing) write none.
    /// </summary>
    public static void Write(JsonLinesLog log, object? result, string? backupId)
    {
        switch (result)
        {
            case Manifest m when m.Id != backupId:
                log.Write("backup.completed", "information",
                    $"Backup {m.Id} committed: {m.Stats.BytesRead} bytes read, {m.Stats.BytesAdded} added.",
                    m.Id, m.Stats.BytesRead, m.Stats.DurationSeconds);
                break;
            case IEnumerable<ComponentCheck> checks:
                foreach (var c in checks)
                {
                    log.Write("verify.completed", c.Success ? "information" : "error",
                        $"{c.Level} check of {c.Component}: {(c.Success ? "passed" : "FAILED: " + string.Join("; ", c.Errors))}",
                        backupId, c.BytesChecked, c.Duration.TotalSeconds);
                }
                break;
            case DatabaseRestoreOutcome o:
                log.Write("restore.completed", o.Success ? "information" : "error",
                    $"Restore into {o.TargetDatabase} on {o.TargetServer}: {(o.Success ? "succeeded" : "FAILED: " + string.Join("; ", o.Errors))}",
                    backupId, o.BytesRestored, o.Duration.TotalSeconds);
                break;
        }
    }
}

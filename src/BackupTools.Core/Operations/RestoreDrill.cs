using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Operations;

/// <summary>What Test-Backup -Level Restore asks for.</summary>
public sealed class RestoreDrillRequest
{
    /// <summary>
    /// Logical backups: the server to restore onto (any database on it); null = the server the backup was taken from
    /// (password from PGPASSWORD). Refused for a physical backup, whose drill runs a scratch cluster on this machine.
    /// </summary>
    public string? TargetServer { get; init; }
    /// <summary>The recovery-time objective when none is given: 30 minutes.</summary>
    public static readonly TimeSpan DefaultRtoTarget = TimeSpan.FromMinutes(30);
    /// <summary>The recovery-time objective the measured restore is compared with.</summary>
    public TimeSpan RtoTarget { get; init; } = DefaultRtoTarget;
    /// <summary>Folder holding the PostgreSQL programs (pg_restore, pg_ctl, pg_amcheck) to prefer.</summary>
    public string? PgBinDirectory { get; init; }
    /// <summary>Physical backups: where the repository is (the scratch cluster's restore_command reads the WAL from it).</summary>
    public RepositoryLocation? Location { get; init; }
    /// <summary>Physical backups: the WAL program the scratch cluster's restore_command calls (module/bin/backuptools-wal).</summary>
    public string? WalProgram { get; init; }
    /// <summary>Physical backups: the folder the scratch cluster's folder is made in (default: the temp folder).</summary>
    public string? ScratchDirectory { get; init; }
}

/// <summary>The result of a restore drill.</summary>
public sealed class RestoreDrillOutcome
{
    /// <summary>True when the restore and every check passed within the recovery-time objective, and nothing was left behind.</summary>
    public bool Success { get; set; }
    /// <summary>Restore plus checks: what bringing this backup back took.</summary>
    public TimeSpan RecoveryTime { get; set; }
    /// <summary>The objective <see cref="RecoveryTime"/> is measured against.</summary>
    public TimeSpan RtoTarget { get; set; }
    /// <summary>True when the recovery time met the objective.</summary>
    public bool WithinRto => RecoveryTime <= RtoTarget;
    /// <summary>Where the drill restored to: host:port (logical) or the scratch cluster's socket folder:port (physical).</summary>
    public string Server { get; set; } = "";
    /// <summary>Logical backups: the scratch database used (dropped afterwards).</summary>
    public string ScratchDatabase { get; set; } = "";
    /// <summary>Physical backups: the scratch cluster's data directory (deleted afterwards).</summary>
    public string ScratchDataDirectory { get; set; } = "";
    /// <summary>What the drill checked and found, one line each (physical drills: each database of the scratch cluster).</summary>
    public List<string> Checks { get; } = new();
    /// <summary>What failed, one line each.</summary>
    public List<string> Errors { get; } = new();
    /// <summary>The steps with their durations.</summary>
    public List<RestoreStep> Steps { get; } = new();
}

/// <summary>
/// A restore drill: restores a backup into scratch space (a logical backup into a scratch database, see
/// <see cref="LogicalRestoreDrill"/>; a physical one into a scratch cluster, see <see cref="PhysicalRestoreDrill"/>), checks
/// it, removes it, measures the recovery time against the objective and records the result in the backup's manifest
/// (level "Restore"), where status reports and retention see it.
/// </summary>
public static class RestoreDrill
{
    /// <summary>
    /// Runs the drill that fits the backup and records its result. Throws (recording nothing) only for a backup or request
    /// that cannot be drilled: InvalidOperation for a backup without a database, InvalidArgument for a bad request.
    /// </summary>
    public static async Task<RestoreDrillOutcome> RunAsync(BackupRepository repository, Manifest manifest, RestoreDrillRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var outcome = new RestoreDrillOutcome { RtoTarget = request.RtoTarget };
        if (BaseBackupInfo.From(manifest) is { } physical)
            await PhysicalRestoreDrill.RunAsync(repository, manifest, physical, request, outcome, progress, log, ct).ConfigureAwait(false);
        else
            await LogicalRestoreDrill.RunAsync(repository, manifest, request, outcome, progress, log, ct).ConfigureAwait(false);
        if (outcome.Success && !outcome.WithinRto)
            outcome.Errors.Add($"The restore took {outcome.RecoveryTime:g}, longer than the recovery-time objective of {outcome.RtoTarget:g}.");
        outcome.Success &= outcome.WithinRto;
        var record = new VerificationRecord
        {
            Time = DateTimeOffset.UtcNow, Level = "Restore", Success = outcome.Success, Errors = outcome.Errors.ToList(),
            DurationSeconds = outcome.RecoveryTime.TotalSeconds,
        };
        try
        {
            await repository.RecordVerificationAsync(manifest, record, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException e)
        {
            log.Write(LogLevel.Warning, $"The drill's result was not recorded in backup {manifest.Id}: {e.Message}");
        }
        return outcome;
    }
}

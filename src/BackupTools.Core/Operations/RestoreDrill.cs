using System.Diagnostics;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>What Test-Backup -Level Restore asks for.</summary>
public sealed class RestoreDrillRequest
{
    /// <summary>The server to restore onto (any database on it); null = the server the backup was taken from (password from PGPASSWORD).</summary>
    public string? TargetServer { get; init; }
    /// <summary>The recovery-time objective the measured restore is compared with.</summary>
    public TimeSpan RtoTarget { get; init; } = TimeSpan.FromMinutes(30);
    public string? PgBinDirectory { get; init; }
}

/// <summary>The result of a restore drill.</summary>
public sealed class RestoreDrillOutcome
{
    public bool Success { get; set; }
    /// <summary>Restore plus checks: what bringing this backup back took.</summary>
    public TimeSpan RecoveryTime { get; set; }
    public TimeSpan RtoTarget { get; set; }
    public bool WithinRto => RecoveryTime <= RtoTarget;
    public string Server { get; set; } = "";
    /// <summary>The scratch database used (dropped afterwards).</summary>
    public string ScratchDatabase { get; set; } = "";
    public List<string> Errors { get; } = new();
    public List<RestoreStep> Steps { get; } = new();
}

/// <summary>
/// A restore drill: restores a logical backup into a scratch database, checks it against the backup (row counts,
/// content checksums, indexes, pg_amcheck), drops it, measures the recovery time against the objective and records
/// the result in the backup's manifest (level "Restore"), where status reports and retention see it.
/// </summary>
public static class RestoreDrill
{
    public static async Task<RestoreDrillOutcome> RunAsync(BackupRepository repository, Manifest manifest, RestoreDrillRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var component = manifest.Components.FirstOrDefault(c => c.Type == "database" && c.Files.Any(f => f.Name == LogicalBackup.DumpFileName))
            ?? throw new BackupToolsException(BackupErrorKind.InvalidOperation, $"Backup {manifest.Id} holds no logical database backup to drill.", manifest.Id);
        var scratch = LogicalRestore.StagingName(component.Name, "drill" + Guid.NewGuid().ToString("N")[..6]);
        var restore = new DatabaseRestoreRequest
        {
            TargetConnectionString = request.TargetServer,
            AsDatabase = scratch,
            PgBinDirectory = request.PgBinDirectory,
            TakeRestorePoint = false,
        };
        var outcome = new RestoreDrillOutcome { RtoTarget = request.RtoTarget, ScratchDatabase = scratch };
        var clock = Stopwatch.StartNew();
        DatabaseRestoreOutcome? restored = null;
        try
        {
            restored = await LogicalRestore.RunAsync(repository, manifest, restore, progress, log, ct).ConfigureAwait(false);
            outcome.Errors.AddRange(restored.Errors);
            outcome.Success = restored.Success;
        }
        catch (BackupToolsException e)
        {
            outcome.Errors.Add(e.Message);
        }
        finally
        {
            outcome.RecoveryTime = clock.Elapsed;
            if (restored is not null)
            {
                outcome.Server = restored.TargetServer;
                outcome.Steps.AddRange(restored.Steps);
                await DropScratchAsync(LogicalRestore.ResolveTarget(component, restore), scratch, log).ConfigureAwait(false);
            }
        }
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

    private static async Task DropScratchAsync(PgConnectionInfo server, string scratch, IBackupLog log)
    {
        try
        {
            await using var conn = await PgServer.ConnectAsync(server, CancellationToken.None).ConfigureAwait(false);
            await PgServer.ExecuteAsync(conn, $"DROP DATABASE IF EXISTS {PgServer.QuoteIdentifier(scratch)} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or BackupToolsException)
        {
            log.Write(LogLevel.Warning, $"The drill's scratch database '{scratch}' on {server.Server} could not be dropped: {e.Message}");
        }
    }
}

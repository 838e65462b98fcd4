using System.Diagnostics;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>
/// The restore drill of a logical backup: restores it into a scratch database <c>&lt;db&gt;_bt_drill&lt;hex&gt;</c> on the
/// target server, checks it against the backup (row counts, content checksums, indexes, pg_amcheck) and drops it.
/// </summary>
internal static class LogicalRestoreDrill
{
    /// <summary>Runs the drill into <paramref name="outcome"/>; InvalidOperation (before anything) when the backup holds no logical database backup.</summary>
    public static async Task RunAsync(BackupRepository repository, Manifest manifest, RestoreDrillRequest request, RestoreDrillOutcome outcome,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var component = manifest.Components.FirstOrDefault(c => c.Type == "database" && c.Files.Any(f => f.Name == LogicalBackup.DumpFileName))
            ?? throw new BackupToolsException(BackupErrorKind.InvalidOperation, $"Backup {manifest.Id} holds no database backup to drill.", manifest.Id);
        var scratch = LogicalRestore.StagingName(component.Name, "drill" + Guid.NewGuid().ToString("N")[..6]);
        var restore = new DatabaseRestoreRequest
        {
            TargetConnectionString = request.TargetServer,
            AsDatabase = scratch,
            PgBinDirectory = request.PgBinDirectory,
            TakeRestorePoint = false,
        };
        outcome.ScratchDatabase = scratch;
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
        if (outcome.Success) outcome.Checks.Add($"Database {scratch}: restored and checked against the backup.");
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

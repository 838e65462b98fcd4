using System.Globalization;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>New-Backup -Method Logical: pg_dump streamed into the repository. The restore side is <see cref="LogicalRestore"/>.</summary>
public static class LogicalBackup
{
    /// <summary>The stored name of the pg_dump custom-format archive.</summary>
    public const string DumpFileName = "database.dump";
    /// <summary>The stored name of the roles script (pg_dumpall --roles-only).</summary>
    public const string RolesFileName = "roles.sql";

    /// <summary>Takes a logical backup into one repository and commits its manifest (chunks first, manifest last). Returns the saved manifest.</summary>
    public static async Task<Manifest> RunAsync(BackupRepository repository, DatabaseBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default, IReadOnlyList<string>? tags = null)
    {
        var job = new BackupJobRequest { Database = request, Tags = tags ?? Array.Empty<string>() };
        var outcomes = await BackupJob.RunAsync(new[] { repository }, job, progress, log, ct).ConfigureAwait(false);
        return outcomes[0].Manifest!;
    }

    /// <summary>
    /// Adds the database component to a backup session: pg_dump of the database (under one exported snapshot, with the
    /// tables and their row counts as of that snapshot) and, when asked and permitted, the roles script.
    /// </summary>
    public static async Task WriteComponentAsync(BackupSession session, DatabaseBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var source = request.ResolveSource();
        log.Write(LogLevel.Verbose, $"Connecting to {source.Description}.");
        await using var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false);
        // The tools are looked up (each candidate runs --version) while the facts are read, and the roles script is
        // taken while pg_dump runs: nothing but the dump itself is on the critical path.
        var serverMajor = conn.PostgreSqlVersion.Major;
        var findPgDump = PgTools.FindAsync("pg_dump", serverMajor, request.PgBinDirectory, ct);
        using var sideCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var roles = request.IncludeRoles ? DumpRolesAsync(request, source, serverMajor, sideCancel.Token) : Task.FromResult(RolesDump.None);

        // One repeatable-read snapshot for the facts and pg_dump, so the recorded row counts are the dump's.
        var (snapshotTx, snapshot) = await TryExportSnapshotAsync(conn, log, ct).ConfigureAwait(false);
        await using var snapshotScope = snapshotTx;
        var facts = await DatabaseFacts.ReadAsync(conn, ct).ConfigureAwait(false);
        var pgDump = await findPgDump.ConfigureAwait(false);
        log.Write(LogLevel.Verbose, $"Server {facts.ServerVersion}; using {pgDump.Path} ({pgDump.Version}).");

        var component = session.AddComponent("database", facts.Database, DescribeSource(source, facts, pgDump));
        component.Template.Tables = facts.Tables;

        // Exact row counts and content checksums are read inside the same snapshot on a second connection while
        // pg_dump runs (without a shared snapshot: on this connection, just before the dump).
        var fingerprints = snapshot is null
            ? facts.FingerprintTablesAsync(conn, ct)
            : FingerprintInSnapshotAsync(source, snapshot, facts, log, sideCancel.Token);
        if (snapshot is null) await fingerprints.ConfigureAwait(false);

        var dumpArgs = new List<string> { "-Fc", "-Z0", "--no-password" };
        if (snapshot is not null) dumpArgs.Add("--snapshot=" + snapshot);
        var dumpProgress = new TransferProgress(progress, $"Backing up database {facts.Database}", "pg_dump", facts.SizeBytes);
        try
        {
            await StreamToolOutputAsync(component, pgDump, dumpArgs, source, DumpFileName, "pg_dump-custom", dumpProgress, ct, StreamWriteOptions.DatabaseStream).ConfigureAwait(false);
        }
        catch
        {
            sideCancel.Cancel();
            foreach (var side in new Task[] { fingerprints, roles })
            {
                try { await side.ConfigureAwait(false); } catch (Exception) { /* the dump's failure is the one that counts */ }
            }
            throw;
        }
        await fingerprints.ConfigureAwait(false);
        if (snapshotTx is not null) await snapshotTx.CommitAsync(ct).ConfigureAwait(false);
        await StoreRolesAsync(component, await roles.ConfigureAwait(false), log, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Counts and checksums the tables on a second connection that joins the exported snapshot (what pg_dump sees).
    /// When that connection cannot be had (a connection limit, a pooler), the backup goes on with the planner's
    /// estimates and says so: the restore checks then have no exact counts to compare.
    /// </summary>
    private static async Task FingerprintInSnapshotAsync(PgConnectionInfo source, string snapshot, DatabaseFacts facts, IBackupLog log, CancellationToken ct)
    {
        try
        {
            await using var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false);
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
            await PgServer.ExecuteAsync(conn, $"SET TRANSACTION SNAPSHOT '{snapshot.Replace("'", "''")}'", ct).ConfigureAwait(false);
            await facts.FingerprintTablesAsync(conn, ct).ConfigureAwait(false);
            await tx.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or BackupToolsException && !ct.IsCancellationRequested)
        {
            log.Write(LogLevel.Warning, $"Exact row counts and table checksums were not recorded ({e.Message}); the backup keeps the planner's estimates.");
        }
    }

    /// <summary>Opens a repeatable-read transaction and exports its snapshot for pg_dump; (null, null) where that is not possible.</summary>
    private static async Task<(NpgsqlTransaction?, string?)> TryExportSnapshotAsync(NpgsqlConnection conn, IBackupLog log, CancellationToken ct)
    {
        var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false);
        try
        {
            return (tx, await PgServer.ScalarAsync<string>(conn, "SELECT pg_export_snapshot()", ct).ConfigureAwait(false));
        }
        catch (PostgresException e)
        {
            // e.g. a transaction pooler: pg_dump then takes its own snapshot, a moment after the row counts.
            log.Write(LogLevel.Verbose, $"No shared snapshot ({e.MessageText}); row counts are read just before the dump.");
            await tx.DisposeAsync().ConfigureAwait(false);
            return (null, null);
        }
    }

    private static Dictionary<string, string> DescribeSource(PgConnectionInfo source, DatabaseFacts facts, PgTool pgDump)
    {
        var d = new Dictionary<string, string>
        {
            ["host"] = source.Host,
            ["port"] = source.Port.ToString(CultureInfo.InvariantCulture),
            ["database"] = facts.Database,
            ["user"] = source.User,
            ["serverVersion"] = facts.ServerVersion,
            ["pgDumpVersion"] = pgDump.Version,
            ["sizeBytes"] = facts.SizeBytes.ToString(CultureInfo.InvariantCulture),
        };
        if (facts.SystemIdentifier is not null) d["systemIdentifier"] = facts.SystemIdentifier;
        return d;
    }

    /// <summary>Runs a tool and streams its stdout into every destination; kills it when the write fails or is cancelled.</summary>
    private static async Task StreamToolOutputAsync(ComponentWriter component, PgTool tool, IEnumerable<string> args,
        PgConnectionInfo source, string name, string format, IProgress<long>? progress, CancellationToken ct, StreamWriteOptions? options = null)
    {
        await using var process = ToolProcess.Start(tool.Path, args, source.ToEnvironment());
        var files = await component.StoreAsync(name, process.StandardOutput, progress, ct, options).ConfigureAwait(false);
        var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (exitCode != 0)
            throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                $"{tool.Name} failed (exit code {exitCode}) for {source.Description}: {process.StderrTail}", tool.Path);
        component.Add(files, f => f.Format = format);
    }

    /// <summary>The roles script (pg_dumpall --roles-only), or why it could not be had.</summary>
    private sealed record RolesDump(byte[]? Script, string? Warning)
    {
        public static readonly RolesDump None = new(null, null);
    }

    /// <summary>Runs pg_dumpall --roles-only --no-role-passwords into memory (the script is small); a failure becomes a warning.</summary>
    private static async Task<RolesDump> DumpRolesAsync(DatabaseBackupRequest request, PgConnectionInfo source, int serverMajor, CancellationToken ct)
    {
        try
        {
            var pgDumpAll = await PgTools.FindAsync("pg_dumpall", serverMajor, request.PgBinDirectory, ct).ConfigureAwait(false);
            await using var process = ToolProcess.Start(pgDumpAll.Path,
                new[] { "--roles-only", "--no-role-passwords", "--no-password", "-l", source.Database }, source.ToEnvironment());
            using var script = new MemoryStream();
            await process.StandardOutput.CopyToAsync(script, ct).ConfigureAwait(false);
            var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (exitCode != 0)
                return new RolesDump(null, $"Roles not dumped: {pgDumpAll.Name} failed (exit code {exitCode}) for {source.Description}: {process.StderrTail}");
            return new RolesDump(script.ToArray(), null);
        }
        catch (BackupToolsException e) when (e.Kind is BackupErrorKind.NotFound)
        {
            return new RolesDump(null, "Roles not dumped: " + e.Message);
        }
    }

    private static async Task StoreRolesAsync(ComponentWriter component, RolesDump roles, IBackupLog log, CancellationToken ct)
    {
        if (roles.Warning is not null)
        {
            component.AddWarning(roles.Warning);
            log.Write(LogLevel.Warning, roles.Warning);
        }
        if (roles.Script is not null)
            await component.WriteFileAsync(RolesFileName, new MemoryStream(roles.Script), f => f.Format = "sql", null, ct).ConfigureAwait(false);
    }
}

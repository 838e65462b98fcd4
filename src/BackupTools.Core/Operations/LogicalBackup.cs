using System.Diagnostics;
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

    /// <summary>Takes a logical backup and commits its manifest (chunks first, manifest last). Returns the saved manifest.</summary>
    public static async Task<Manifest> RunAsync(BackupRepository repository, DatabaseBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var start = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var source = PgConnectionInfo.Parse(request.ConnectionString);
        log.Write(LogLevel.Verbose, $"Connecting to {source.Description}.");
        await using var conn = await PgServer.ConnectAsync(source, ct).ConfigureAwait(false);

        // One repeatable-read snapshot for the facts and pg_dump, so the recorded row counts are the dump's.
        var (snapshotTx, snapshot) = await TryExportSnapshotAsync(conn, log, ct).ConfigureAwait(false);
        await using var snapshotScope = snapshotTx;
        var facts = await DatabaseFacts.ReadAsync(conn, ct).ConfigureAwait(false);
        var pgDump = await PgTools.FindAsync("pg_dump", facts.ServerMajor, request.PgBinDirectory, ct).ConfigureAwait(false);
        log.Write(LogLevel.Verbose, $"Server {facts.ServerVersion}; using {pgDump.Path} ({pgDump.Version}).");

        await using var repositoryLock = await repository.LockAsync(false, $"logical backup of {source.Description}", ct).ConfigureAwait(false);
        var stats = new WriteStats();
        var component = new ComponentEntry
        {
            Type = "database",
            Name = facts.Database,
            Source = DescribeSource(source, facts, pgDump),
            Tables = facts.Tables,
        };

        var dumpArgs = new List<string> { "-Fc", "-Z0", "--no-password" };
        if (snapshot is not null) dumpArgs.Add("--snapshot=" + snapshot);
        var dumpProgress = new TransferProgress(progress, $"Backing up database {facts.Database}", "pg_dump", facts.SizeBytes);
        var dump = await StreamToolOutputAsync(repository, pgDump, dumpArgs, source, DumpFileName, stats, dumpProgress, ct).ConfigureAwait(false);
        dump.Format = "pg_dump-custom";
        component.Files.Add(dump);
        if (snapshotTx is not null) await snapshotTx.CommitAsync(ct).ConfigureAwait(false);

        if (request.IncludeRoles)
            await BackupRolesAsync(repository, request, source, facts, component, stats, log, ct).ConfigureAwait(false);

        var manifest = new Manifest
        {
            Id = Manifest.NewId(start),
            Kind = "logical",
            Tags = request.Tags.ToList(),
            StartTime = start,
            Parent = await FindParentAsync(repository, component.Source, ct).ConfigureAwait(false),
            Components = { component },
        };
        stats.CopyTo(manifest.Stats);
        manifest.Stats.DurationSeconds = clock.Elapsed.TotalSeconds;
        manifest.EndTime = DateTimeOffset.UtcNow;
        await repository.SaveManifestAsync(manifest, ct).ConfigureAwait(false);
        log.Write(LogLevel.Information, $"Backup {manifest.Id} of {source.Description}: {stats.BytesRead:N0} bytes read, {stats.BytesAdded:N0} added.");
        return manifest;
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

    /// <summary>Runs a tool and streams its stdout into the repository; kills it when the write fails or is cancelled.</summary>
    private static async Task<FileEntry> StreamToolOutputAsync(BackupRepository repository, PgTool tool, IEnumerable<string> args,
        PgConnectionInfo source, string name, WriteStats stats, IProgress<long>? progress, CancellationToken ct)
    {
        await using var process = ToolProcess.Start(tool.Path, args, source.ToEnvironment());
        var file = await repository.WriteStreamAsync(name, process.StandardOutput, stats, progress, ct).ConfigureAwait(false);
        var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (exitCode != 0)
            throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                $"{tool.Name} failed (exit code {exitCode}) for {source.Description}: {process.StderrTail}", tool.Path);
        return file;
    }

    private static async Task BackupRolesAsync(BackupRepository repository, DatabaseBackupRequest request, PgConnectionInfo source,
        DatabaseFacts facts, ComponentEntry component, WriteStats stats, IBackupLog log, CancellationToken ct)
    {
        try
        {
            var pgDumpAll = await PgTools.FindAsync("pg_dumpall", facts.ServerMajor, request.PgBinDirectory, ct).ConfigureAwait(false);
            var roles = await StreamToolOutputAsync(repository, pgDumpAll, new[] { "--roles-only", "--no-role-passwords", "--no-password", "-l", facts.Database },
                source, RolesFileName, stats, null, ct).ConfigureAwait(false);
            roles.Format = "sql";
            component.Files.Add(roles);
        }
        catch (BackupToolsException e) when (e.Kind is BackupErrorKind.ExternalToolFailed or BackupErrorKind.NotFound)
        {
            var warning = "Roles not dumped: " + e.Message;
            (component.Warnings ??= new()).Add(warning);
            log.Write(LogLevel.Warning, warning);
        }
    }

    /// <summary>The newest earlier backup of the same host, port and database.</summary>
    private static async Task<string?> FindParentAsync(BackupRepository repository, IReadOnlyDictionary<string, string> source, CancellationToken ct)
    {
        bool Same(ComponentEntry c) => c.Type == "database"
            && new[] { "host", "port", "database" }.All(k => c.Source.GetValueOrDefault(k) == source[k]);
        var manifests = await repository.ListManifestsAsync(ct).ConfigureAwait(false);
        return manifests.LastOrDefault(m => m.Components.Any(Same))?.Id;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>Restore-Backup -Component Database.</summary>
public static class LogicalRestore
{
    /// <summary>
    /// Restores the database component; a corrupt backup never reaches the target. AsDatabase: into that new database.
    /// A whole restore in place is the safe path: a restore point (a backup of the database as it is now, tagged
    /// restore-point) is taken first, the backup is restored into a new staging database, that database is checked
    /// against the backup (row counts and content checksums recorded at backup time, invalid indexes, pg_amcheck), and
    /// only then swapped in by rename in a short maintenance window. If the check fails nothing is swapped and the
    /// original stays in service; if the swap fails half-way it is undone. Into a new (or staging) database the dump is
    /// read while it is restored (every chunk checked on the way; a failure drops the new database): by default with
    /// <see cref="ParallelCopyRestore"/> (pg_restore for the schema, parallel COPY sessions for the rows, pg_restore -j for
    /// indexes and the rest); with -Jobs 1, or for an archive that path does not handle, streamed into one pg_restore.
    /// A selective restore into a new database streams into one pg_restore (with -Jobs 2 or more it reads the dump into a
    /// spool file for pg_restore -j); in place it first reads and verifies the whole dump into a private spool file
    /// (pg_restore --clean --if-exists of just those objects). Each step is reported with its duration in the outcome.
    /// </summary>
    public static async Task<DatabaseRestoreOutcome> RunAsync(BackupRepository repository, Manifest manifest, DatabaseRestoreRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        if (manifest.Kind == Wal.BaseBackupInfo.ManifestKind)
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"Backup {manifest.Id} is a physical base backup: restore it with Invoke-PointInTimeRecovery.", manifest.Id);
        var component = manifest.Components.FirstOrDefault(c => c.Type == "database")
            ?? throw new BackupToolsException(BackupErrorKind.NotFound, $"Backup {manifest.Id} has no database component.", manifest.Id);
        var dump = component.Files.FirstOrDefault(f => f.Name == LogicalBackup.DumpFileName)
            ?? throw new BackupToolsException(BackupErrorKind.Corrupt, $"Backup {manifest.Id} names no {LogicalBackup.DumpFileName}.", manifest.Id);
        var target = ResolveTarget(component, request);
        var database = request.AsDatabase ?? target.Database;
        var outcome = new DatabaseRestoreOutcome { TargetServer = target.Server, TargetDatabase = database };
        var steps = new StepTimer(outcome, log);

        var spoolFolder = request.TempDirectory ?? Path.GetTempPath();
        if (!Directory.Exists(spoolFolder))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The temporary folder '{spoolFolder}' does not exist.", spoolFolder);
        var selective = request.Schemas.Count > 0 || request.Tables.Count > 0;
        var inPlace = request.AsDatabase is null;
        var newDatabase = !inPlace || !selective;
        var jobs = request.Jobs > 0 ? request.Jobs : DefaultJobs;
        // Into a new (or staging) database the dump is read while it is restored: a corrupt chunk stops pg_restore and
        // the new database is dropped, the target never touched. Over the target itself (a selective restore in place)
        // the whole dump is first read and verified into a private spool file.
        var mode = !newDatabase ? ArchiveMode.VerifiedSpool
            : !selective ? (request.Jobs == 1 ? ArchiveMode.Stream : ArchiveMode.ParallelCopy)
            : jobs > 1 && HasRoomForSpool(spoolFolder, dump, outcome.Warnings) ? ArchiveMode.VerifiedSpool
            : ArchiveMode.Stream;
        if (mode == ArchiveMode.VerifiedSpool && !newDatabase && !HasRoomForSpool(spoolFolder, dump, null))
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"The temporary folder '{spoolFolder}' has {FreeBytes(spoolFolder):N0} bytes free; the verified copy of the backup needs {dump.Size:N0}. Point TMPDIR at a folder with room.",
                spoolFolder);
        // The verified spool, or with parallel COPY the archive's table of contents (what pg_restore reads for the schema).
        var spoolPath = mode == ArchiveMode.Stream ? null : Path.Combine(spoolFolder, $"bt-restore-{manifest.Id}-{Guid.NewGuid():N}.dump");
        var sessions = ParallelTasks.SessionsFor(request.Jobs); // for parallel COPY and the check (-Jobs 1 streams instead)
        var transfer = new TransferProgress(progress, $"Restoring database {database}",
            mode == ArchiveMode.VerifiedSpool ? "Reading and verifying the backup" : "Reading the backup into pg_restore", dump.Size);

        // Work from the given database when restoring beside it, else from a maintenance database (the target may be
        // missing, and a swap must not be blocked by our own session).
        var adminDatabase = request.AsDatabase is not null ? target.Database : MaintenanceDatabase(target.Database);
        await using var conn = await PgServer.ConnectAsync(target.WithDatabase(adminDatabase), ct).ConfigureAwait(false);
        var targetExists = await DatabaseExistsAsync(conn, database, ct).ConfigureAwait(false);
        if (selective && inPlace && !targetExists)
            throw new BackupToolsException(BackupErrorKind.NotFound, $"Database '{database}' does not exist on {target.Server}; a selective restore needs it.", database);
        var swap = inPlace && !selective && targetExists;
        try
        {
            if (mode == ArchiveMode.VerifiedSpool)
                await steps.RunAsync("Read and verify the backup", () => SpoolAsync(repository, dump, spoolPath!, transfer, ct)).ConfigureAwait(false);

            var serverMajor = await PgServer.ScalarAsync<int>(conn, "SELECT current_setting('server_version_num')::int", ct).ConfigureAwait(false) / 10000;
            var dumpMajor = PgTools.MajorOf(component.Source.GetValueOrDefault("pgDumpVersion") ?? "0");
            var pgRestore = await PgTools.FindAsync("pg_restore", Math.Max(serverMajor, dumpMajor), request.PgBinDirectory, ct).ConfigureAwait(false);

            if (request.TakeRestorePoint && inPlace && targetExists)
                outcome.RestorePointId = await steps.RunAsync("Take a restore point",
                    () => TakeRestorePointAsync(repository, target.WithDatabase(database), request, log, ct)).ConfigureAwait(false);

            // Where pg_restore writes: the new database, a staging database to swap in, or the target itself.
            var restoreInto = swap ? StagingName(database, "r" + Guid.NewGuid().ToString("N")[..6]) : database;
            if (newDatabase) await CreateDatabaseAsync(conn, restoreInto, target, ct).ConfigureAwait(false);
            if (swap) await CopyOwnerAsync(conn, database, restoreInto, ct).ConfigureAwait(false);
            try
            {
                if (request.RestoreRoles)
                    await steps.RunAsync("Create missing roles", () => RestoreRolesAsync(repository, component, conn, outcome.Warnings, ct)).ConfigureAwait(false);
                if (mode == ArchiveMode.VerifiedSpool) progress?.Report(new ProgressInfo($"Restoring database {database}", "pg_restore", dump.Size, dump.Size));
                var into = target.WithDatabase(restoreInto);
                await steps.RunAsync(swap ? $"pg_restore into staging database {restoreInto}" : $"pg_restore into {restoreInto}", async () =>
                {
                    if (mode == ArchiveMode.ParallelCopy)
                    {
                        if (await ParallelCopyRestore.TryRunAsync(repository, dump, pgRestore, into, sessions, spoolPath!, transfer, log, ct).ConfigureAwait(false))
                            return;
                        mode = ArchiveMode.Stream; // an archive it does not handle: nothing was written, one pg_restore instead
                    }
                    if (mode == ArchiveMode.VerifiedSpool)
                        await PgRestoreRun.RunAsync(pgRestore, PgRestoreArguments(into, request, !newDatabase).Concat(PgRestoreRun.Jobs(jobs)).Append(spoolPath!),
                            into, null, ct).ConfigureAwait(false);
                    else
                        // Every chunk is authenticated and its id re-checked on the way; Corrupt ends the restore (the caller drops the new database).
                        await PgRestoreRun.RunAsync(pgRestore, PgRestoreArguments(into, request, !newDatabase), into,
                            stdin => repository.ReadFileAsync(dump, stdin, transfer, ct), ct).ConfigureAwait(false);
                }).ConfigureAwait(false);
                if (request.Verify)
                {
                    await steps.RunAsync($"Check {restoreInto} against the backup", async () =>
                    {
                        var problems = await RestoredDatabaseCheck.RunAsync(target.WithDatabase(restoreInto), component,
                            selective ? t => Selected(t, request) : null, request.PgBinDirectory, log, ct, sessions).ConfigureAwait(false);
                        if (problems.Count == 0) return;
                        outcome.Errors.AddRange(problems);
                        throw new RestoreCheckFailedException(problems);
                    }).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (newDatabase && !(e is RestoreCheckFailedException && !inPlace))
            {
                await DropQuietlyAsync(conn, restoreInto, log).ConfigureAwait(false);
                throw;
            }
            if (swap)
                await steps.RunAsync($"Swap the restored database in for {database}", () => SwapInAsync(target, restoreInto, log, ct)).ConfigureAwait(false);
            // ALTER DATABASE … SET, COMMENT ON DATABASE and the database's grants name the dumped database: they apply
            // once the restored database carries that name (not to a copy beside it, e.g. a drill's scratch database).
            if (newDatabase && !selective && database == component.Source.GetValueOrDefault("database"))
                await steps.RunAsync("Apply the database's settings, comment and grants", () => ApplyDatabasePropertiesAsync(pgRestore, mode, spoolPath,
                    repository, dump, target.WithDatabase(adminDatabase), outcome.Warnings, ct)).ConfigureAwait(false);
            outcome.Success = true;
        }
        catch (RestoreCheckFailedException)
        {
            var kept = swap ? "Nothing was swapped: the original database is still in service."
                : selective && inPlace ? $"The restored objects are in place; restore point {outcome.RestorePointId ?? "(none)"} holds the database as it was before."
                : !inPlace ? $"Database '{database}' is left for inspection." : "The restored database was dropped.";
            outcome.Errors.Add(kept);
            log.Write(LogLevel.Warning, $"The restored database does not match backup {manifest.Id}. {kept}");
        }
        finally
        {
            if (mode is ArchiveMode.VerifiedSpool or ArchiveMode.ParallelCopy) File.Delete(spoolPath!);
        }
        foreach (var w in outcome.Warnings) log.Write(LogLevel.Warning, w);
        outcome.BytesRestored = outcome.Success ? dump.Size : 0;
        outcome.Duration = clock.Elapsed;
        return outcome;
    }

    /// <summary>
    /// <see cref="DatabaseProperties"/> from the spool when there is one, else from the repository again (pg_restore reads
    /// only the archive's head). The data is already in: a failure here is a warning naming what to set by hand.
    /// </summary>
    private static async Task ApplyDatabasePropertiesAsync(PgTool pgRestore, ArchiveMode mode, string? spoolPath, BackupRepository repository,
        FileEntry dump, PgConnectionInfo maintenance, List<string> warnings, CancellationToken ct)
    {
        Func<Stream, Task> feed = mode == ArchiveMode.Stream
            ? stdin => repository.ReadFileAsync(dump, stdin, null, ct)
            : async stdin =>
            {
                await using var spool = new FileStream(spoolPath!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                await spool.CopyToAsync(stdin, ct).ConfigureAwait(false);
            };
        try
        {
            await DatabaseProperties.ApplyAsync(pgRestore, feed, maintenance, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException e)
        {
            warnings.Add($"The data is restored, but the database's settings, comment or grants were not: {e.Message}");
        }
    }

    /// <summary>A backup of the database about to be overwritten, into the same repository, tagged restore-point.</summary>
    private static async Task<string> TakeRestorePointAsync(BackupRepository repository, PgConnectionInfo database, DatabaseRestoreRequest request,
        IBackupLog log, CancellationToken ct)
    {
        var job = new BackupJobRequest
        {
            Database = new DatabaseBackupRequest { Connection = database, PgBinDirectory = request.PgBinDirectory },
            Tags = new[] { RestorePointTag },
        };
        var outcomes = await BackupJob.RunAsync(new[] { repository }, job, null, log, ct).ConfigureAwait(false);
        var id = outcomes[0].Manifest!.Id;
        log.Write(LogLevel.Information, $"Restore point {id} holds {database.Description} as it was before the restore.");
        return id;
    }

    /// <summary>The tag of the backups a restore takes of what it is about to overwrite.</summary>
    public const string RestorePointTag = "restore-point";

    /// <summary>Whether a selective restore's schemas/tables include <paramref name="table"/>.</summary>
    private static bool Selected(TableInfo table, DatabaseRestoreRequest request)
        => request.Schemas.Contains(table.Schema)
           || request.Tables.Any(t => t == table.Name || t == $"{table.Schema}.{table.Name}");

    private static string MaintenanceDatabase(string database) => database == "postgres" ? "template1" : "postgres";

    private static Task<bool> DatabaseExistsAsync(NpgsqlConnection conn, string name, CancellationToken ct)
        => PgServer.ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", ct, name);

    /// <summary>The swapped-in database keeps the original's owner.</summary>
    private static async Task CopyOwnerAsync(NpgsqlConnection conn, string from, string to, CancellationToken ct)
    {
        var owner = await PgServer.ScalarAsync<string>(conn, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", ct, from).ConfigureAwait(false);
        await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {PgServer.QuoteIdentifier(to)} OWNER TO {PgServer.QuoteIdentifier(owner)}", ct).ConfigureAwait(false);
    }

    /// <summary>Raised inside the restore when the restored database fails its checks; the outcome carries the problems.</summary>
    private sealed class RestoreCheckFailedException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems));

    /// <summary>The request's target, else the backup's source (the password then comes from PGPASSWORD).</summary>
    internal static PgConnectionInfo ResolveTarget(ComponentEntry component, DatabaseRestoreRequest request)
    {
        if (request.TargetConnectionString is not null) return PgConnectionInfo.Parse(request.TargetConnectionString);
        string Source(string key) => component.Source.GetValueOrDefault(key)
            ?? throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The backup does not record the source {key}; give a target connection string.", key);
        return PgConnectionInfo.FromParts(Source("host"), int.Parse(Source("port"), CultureInfo.InvariantCulture), Source("database"), Source("user"));
    }

    /// <summary>Reads the dump through the repository (every chunk authenticated and hash-checked) into a private file.</summary>
    private static async Task SpoolAsync(BackupRepository repository, FileEntry dump, string path, IProgress<long> progress, CancellationToken ct)
    {
        await using var spool = new FileStream(path, PrivateFile.ForWriting(FileMode.CreateNew, FileOptions.Asynchronous));
        await repository.ReadFileAsync(dump, spool, progress, ct).ConfigureAwait(false);
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnection conn, string name, PgConnectionInfo target, CancellationToken ct)
    {
        if (await DatabaseExistsAsync(conn, name, ct).ConfigureAwait(false))
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"Database '{name}' already exists on {target.Server}; choose another name for -AsDatabase or drop it first.", name);
        try
        {
            await PgServer.ExecuteAsync(conn, $"CREATE DATABASE {PgServer.QuoteIdentifier(name)} TEMPLATE template0", ct).ConfigureAwait(false);
        }
        catch (PostgresException e)
        {
            var kind = e.SqlState == "42501" ? BackupErrorKind.PermissionDenied : BackupErrorKind.InvalidOperation;
            throw new BackupToolsException(kind, $"Cannot create database '{name}' on {target.Server}: {e.MessageText}", name, e);
        }
    }

    private static async Task DropQuietlyAsync(NpgsqlConnection conn, string name, IBackupLog log)
    {
        try
        {
            await PgServer.ExecuteAsync(conn, $"DROP DATABASE IF EXISTS {PgServer.QuoteIdentifier(name)} WITH (FORCE)", CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            log.Write(LogLevel.Warning, $"The half-restored database '{name}' could not be dropped: {e.Message}");
        }
    }

    private static async Task RestoreRolesAsync(BackupRepository repository, ComponentEntry component, NpgsqlConnection conn,
        ICollection<string> warnings, CancellationToken ct)
    {
        var rolesFile = component.Files.FirstOrDefault(f => f.Name == LogicalBackup.RolesFileName);
        if (rolesFile is null) return;
        using var buffer = new MemoryStream();
        await repository.ReadFileAsync(rolesFile, buffer, null, ct).ConfigureAwait(false);
        var script = RoleScript.Parse(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        await script.ApplyMissingAsync(conn, warnings, ct).ConfigureAwait(false);
    }

    /// <summary>A database name beside the target: "&lt;db&gt;_bt_&lt;tag&gt;", within PostgreSQL's 63 bytes.</summary>
    internal static string StagingName(string database, string tag)
    {
        var suffix = "_bt_" + tag;
        var stem = database;
        while (Encoding.UTF8.GetByteCount(stem + suffix) > 63) stem = stem[..^1];
        return stem + suffix;
    }

    /// <summary>
    /// Swaps the restored staging database in for the target, from a maintenance database: connections to the target
    /// are refused and ended, the target is renamed aside, the staging database takes its name, and the old one is
    /// dropped. If the second rename fails, the first is undone so the original stays in service.
    /// </summary>
    private static async Task SwapInAsync(PgConnectionInfo target, string staging, IBackupLog log, CancellationToken ct)
    {
        var database = target.Database;
        var maintenance = target.WithDatabase(MaintenanceDatabase(database));
        await using var conn = await PgServer.ConnectAsync(maintenance, ct).ConfigureAwait(false);
        var aside = StagingName(database, "old" + Guid.NewGuid().ToString("N")[..6]);
        var q = PgServer.QuoteIdentifier;
        log.Write(LogLevel.Verbose, $"Swapping the restored database in for '{database}' on {target.Server}.");
        await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {q(database)} WITH ALLOW_CONNECTIONS false", ct).ConfigureAwait(false);
        try
        {
            await PgServer.ScalarAsync<int>(conn,
                "SELECT count(pg_terminate_backend(pid))::int FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", ct, database)
                .ConfigureAwait(false);
            await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {q(database)} RENAME TO {q(aside)}", ct).ConfigureAwait(false);
        }
        catch
        {
            await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {q(database)} WITH ALLOW_CONNECTIONS true", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        try
        {
            await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {q(staging)} RENAME TO {q(database)}", CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {q(aside)} RENAME TO {q(database)}", CancellationToken.None).ConfigureAwait(false);
            await PgServer.ExecuteAsync(conn, $"ALTER DATABASE {q(database)} WITH ALLOW_CONNECTIONS true", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        await DropQuietlyAsync(conn, aside, log).ConfigureAwait(false);
    }

    /// <summary>
    /// The default pg_restore jobs of a selective restore: one (streamed). On the 2-core machine the benchmarks run on,
    /// parallel pg_restore processes only added work; a whole restore gets its parallelism from ParallelCopyRestore.
    /// </summary>
    private const int DefaultJobs = 1;

    /// <summary>How pg_restore gets the archive.</summary>
    private enum ArchiveMode
    {
        /// <summary>Streamed from the repository into one pg_restore's stdin.</summary>
        Stream,
        /// <summary>Schema by pg_restore from the table of contents, rows by parallel COPY sessions (<see cref="ParallelCopyRestore"/>).</summary>
        ParallelCopy,
        /// <summary>Read and verified whole into a spool file first, then pg_restore -j reads the file.</summary>
        VerifiedSpool,
    }

    /// <summary>
    /// Whether <paramref name="folder"/> has room for a spool of the dump (and a margin). When it has not and
    /// <paramref name="warnings"/> is given, says so there: the restore then streams into one pg_restore.
    /// </summary>
    private static bool HasRoomForSpool(string folder, FileEntry dump, ICollection<string>? warnings)
    {
        const long margin = 64L << 20;
        var free = FreeBytes(folder);
        if (free >= dump.Size + margin) return true;
        warnings?.Add($"The temporary folder '{folder}' has {free:N0} bytes free, too few for a {dump.Size:N0}-byte spool file; " +
                      "the backup is streamed into one pg_restore instead (no parallel jobs). Point TMPDIR at a folder with room to restore in parallel.");
        return false;
    }

    private static long FreeBytes(string folder) => new DriveInfo(Path.GetFullPath(folder)).AvailableFreeSpace;

    /// <summary>pg_restore's arguments for a whole or selective restore (without the archive and jobs).</summary>
    private static List<string> PgRestoreArguments(PgConnectionInfo target, DatabaseRestoreRequest request, bool cleanFirst)
    {
        var args = PgRestoreRun.ArgumentsFor(target);
        if (cleanFirst) args.AddRange(new[] { "--clean", "--if-exists" });
        foreach (var schema in request.Schemas) args.AddRange(new[] { "-n", schema });
        foreach (var table in request.Tables)
        {
            var dot = table.IndexOf('.');
            if (dot > 0) args.AddRange(new[] { "-n", table[..dot], "-t", table[(dot + 1)..] });
            else args.AddRange(new[] { "-t", table });
        }
        return args;
    }
}

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
    /// Reads and verifies the whole dump first (into a spool file), so a corrupt backup fails before the target
    /// is touched; then pg_restore into the target (in place with --clean, or a new database with AsDatabase).
    /// </summary>
    public static async Task<DatabaseRestoreOutcome> RunAsync(BackupRepository repository, Manifest manifest, DatabaseRestoreRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var component = manifest.Components.FirstOrDefault(c => c.Type == "database")
            ?? throw new BackupToolsException(BackupErrorKind.NotFound, $"Backup {manifest.Id} has no database component.", manifest.Id);
        var dump = component.Files.FirstOrDefault(f => f.Name == LogicalBackup.DumpFileName)
            ?? throw new BackupToolsException(BackupErrorKind.Corrupt, $"Backup {manifest.Id} names no {LogicalBackup.DumpFileName}.", manifest.Id);
        var target = ResolveTarget(component, request);
        var database = request.AsDatabase ?? target.Database;
        var outcome = new DatabaseRestoreOutcome { TargetServer = target.Server, TargetDatabase = database };

        var spoolFolder = request.TempDirectory ?? Path.GetTempPath();
        if (!Directory.Exists(spoolFolder))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The temporary folder '{spoolFolder}' does not exist.", spoolFolder);
        var spoolPath = Path.Combine(spoolFolder, $"bt-restore-{manifest.Id}-{Guid.NewGuid():N}.dump");
        try
        {
            await SpoolAsync(repository, dump, spoolPath, new TransferProgress(progress, $"Restoring database {database}", "Reading and verifying the backup", dump.Size), ct)
                .ConfigureAwait(false);
            log.Write(LogLevel.Verbose, $"Backup {manifest.Id} read and verified ({dump.Size:N0} bytes); restoring into {target.WithDatabase(database).Description}.");

            await using var conn = await PgServer.ConnectAsync(target, ct).ConfigureAwait(false);
            var serverMajor = await PgServer.ScalarAsync<int>(conn, "SELECT current_setting('server_version_num')::int", ct).ConfigureAwait(false) / 10000;
            var dumpMajor = PgTools.MajorOf(component.Source.GetValueOrDefault("pgDumpVersion") ?? "0");
            var pgRestore = await PgTools.FindAsync("pg_restore", Math.Max(serverMajor, dumpMajor), request.PgBinDirectory, ct).ConfigureAwait(false);

            if (request.AsDatabase is not null) await CreateDatabaseAsync(conn, request.AsDatabase, target, ct).ConfigureAwait(false);
            try
            {
                if (request.RestoreRoles) await RestoreRolesAsync(repository, component, conn, outcome.Warnings, ct).ConfigureAwait(false);
                progress?.Report(new ProgressInfo($"Restoring database {database}", "pg_restore", dump.Size, dump.Size));
                await RunPgRestoreAsync(pgRestore, spoolPath, target.WithDatabase(database), request, ct).ConfigureAwait(false);
            }
            catch when (request.AsDatabase is not null)
            {
                await DropQuietlyAsync(conn, request.AsDatabase, log).ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            File.Delete(spoolPath);
        }
        foreach (var w in outcome.Warnings) log.Write(LogLevel.Warning, w);
        outcome.Success = true;
        outcome.BytesRestored = dump.Size;
        outcome.Duration = clock.Elapsed;
        return outcome;
    }

    /// <summary>The request's target, else the backup's source (the password then comes from PGPASSWORD).</summary>
    private static PgConnectionInfo ResolveTarget(ComponentEntry component, DatabaseRestoreRequest request)
    {
        if (request.TargetConnectionString is not null) return PgConnectionInfo.Parse(request.TargetConnectionString);
        string Source(string key) => component.Source.GetValueOrDefault(key)
            ?? throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The backup does not record the source {key}; give a target connection string.", key);
        return PgConnectionInfo.FromParts(Source("host"), int.Parse(Source("port"), CultureInfo.InvariantCulture), Source("database"), Source("user"));
    }

    /// <summary>Reads the dump through the repository (every chunk authenticated and hash-checked) into a private file.</summary>
    private static async Task SpoolAsync(BackupRepository repository, FileEntry dump, string path, IProgress<long> progress, CancellationToken ct)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var spool = new FileStream(path, options);
        await repository.ReadFileAsync(dump, spool, progress, ct).ConfigureAwait(false);
    }

    private static async Task CreateDatabaseAsync(NpgsqlConnection conn, string name, PgConnectionInfo target, CancellationToken ct)
    {
        if (await PgServer.ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", ct, name).ConfigureAwait(false))
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

    private static async Task RunPgRestoreAsync(PgTool pgRestore, string spoolPath, PgConnectionInfo target, DatabaseRestoreRequest request, CancellationToken ct)
    {
        var jobs = request.Jobs > 0 ? request.Jobs : Math.Min(Environment.ProcessorCount, 4);
        var args = new List<string> { "--exit-on-error", "--no-password", "-j", jobs.ToString(CultureInfo.InvariantCulture), "-d", "dbname=" + QuoteConnValue(target.Database) };
        if (request.AsDatabase is null) args.AddRange(new[] { "--clean", "--if-exists" });
        foreach (var schema in request.Schemas) args.AddRange(new[] { "-n", schema });
        foreach (var table in request.Tables)
        {
            var dot = table.IndexOf('.');
            if (dot > 0) args.AddRange(new[] { "-n", table[..dot], "-t", table[(dot + 1)..] });
            else args.AddRange(new[] { "-t", table });
        }
        args.Add(spoolPath);

        await using var process = ToolProcess.Start(pgRestore.Path, args, target.ToEnvironment());
        using var stdout = new StreamReader(process.StandardOutput);
        await stdout.ReadToEndAsync(ct).ConfigureAwait(false);
        var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
        if (exitCode != 0)
            throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
                $"pg_restore failed (exit code {exitCode}) restoring into {target.Description}: {process.StderrTail}", pgRestore.Path);
    }

    /// <summary>Quotes a value for a libpq conninfo string.</summary>
    private static string QuoteConnValue(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
}

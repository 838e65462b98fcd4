using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>
/// The restore drill of a physical base backup: <see cref="PointInTimeRecovery"/> restores it into a scratch cluster
/// (a new folder under the temp folder, or <see cref="RestoreDrillRequest.ScratchDirectory"/>) recovered to the
/// backup's stop LSN, started on a free port; then every database that accepts connections is connected to, its user
/// tables counted, its indexes and (where installed) pg_amcheck run. The server is stopped and the folder deleted
/// whatever happens. The scratch cluster never archives (archive_mode off, so a promoted drill cannot push a new
/// timeline into the production archive), listens on no TCP address, only on a Unix socket inside its own folder,
/// and trusts local connections there (the folder is the server user's alone).
/// </summary>
internal static class PhysicalRestoreDrill
{
    private const string SocketFolder = "socket";
    private const string HbaFileName = "drill_hba.conf";
    /// <summary>The longest Unix socket path PostgreSQL accepts (sun_path less the terminating zero).</summary>
    private const int MaxSocketPath = 107;

    /// <summary>
    /// Runs the drill into <paramref name="outcome"/> (Success, Errors, Steps, Checks, RecoveryTime = restore, recovery
    /// and checks). InvalidArgument, before anything is written, for -TargetServer or a request without the repository
    /// location or WAL program.
    /// </summary>
    public static async Task RunAsync(BackupRepository repository, Manifest manifest, BaseBackupInfo info, RestoreDrillRequest request,
        RestoreDrillOutcome outcome, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        if (request.TargetServer is not null)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"Backup {manifest.Id} is a physical backup: its drill runs a scratch cluster on this machine, so -TargetServer does not apply " +
                "(use -ScratchDirectory to choose where the scratch cluster goes).", PgConnectionInfo.MaskPassword(request.TargetServer));
        if (request.Location is null || request.WalProgram is null)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"The drill of physical backup {manifest.Id} needs the repository location and the WAL program.", manifest.Id);
        var root = Path.Combine(Path.GetFullPath(request.ScratchDirectory ?? Path.GetTempPath()), "bt-drill-" + Guid.NewGuid().ToString("N")[..8]);
        var port = FreePort();
        var socket = Path.Combine(root, SocketFolder);
        if (Path.Combine(socket, $".s.PGSQL.{port}").Length > MaxSocketPath)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"The scratch folder {root} is too long for a Unix socket path ({MaxSocketPath} characters at most): choose a shorter -ScratchDirectory.", root);
        var user = LocalServer.ServerUser(null);
        var data = Path.Combine(root, "data");
        outcome.ScratchDataDirectory = data;
        outcome.Server = $"{socket}:{port}";
        log.Write(LogLevel.Information, $"Drill of physical backup {manifest.Id}: scratch cluster in {data}, Unix socket in {socket}, port {port}.");
        var clock = Stopwatch.StartNew();
        try
        {
            await PrepareRootAsync(root, socket, user, ct).ConfigureAwait(false);
            var recovered = await PointInTimeRecovery.RunAsync(repository, request.Location, new PointInTimeRecoveryRequest
            {
                Target = RecoveryTarget.AtLsn(info.StopLsn.ToString()),
                BackupId = manifest.Id,
                DataDirectory = data,
                WalProgram = request.WalProgram,
                Start = true,
                Port = port,
                PgBinDirectory = request.PgBinDirectory,
                ServerSettings = ScratchSettings(root, socket),
            }, progress, log, ct).ConfigureAwait(false);
            outcome.Steps.Add(new RestoreStep("Restore and recover to the backup's end", recovered.Success, recovered.Duration));
            outcome.Errors.AddRange(recovered.Errors);
            if (recovered.Success)
            {
                var checkClock = Stopwatch.StartNew();
                await CheckClusterAsync(manifest, socket, port, request.PgBinDirectory, outcome, log, ct).ConfigureAwait(false);
                outcome.Steps.Add(new RestoreStep("Check every database", outcome.Errors.Count == 0, checkClock.Elapsed));
            }
            outcome.Success = recovered.Success && outcome.Errors.Count == 0;
        }
        catch (Exception e) when (e is BackupToolsException or NpgsqlException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            outcome.Errors.Add(e.Message);
        }
        finally
        {
            outcome.RecoveryTime = clock.Elapsed;
            await RemoveScratchClusterAsync(root, data, user, info, request.PgBinDirectory, outcome, log).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// What the scratch copy runs with, after the production settings it was restored with: no archiving, no TCP, its own
    /// socket and trust-only-local authentication, the log to pg_ctl's file (so the recovery can be followed), modest memory.
    /// </summary>
    private static IReadOnlyList<string> ScratchSettings(string root, string socket) => new[]
    {
        "# Restore drill: a scratch copy that must never archive nor be reachable from the network",
        "archive_mode = off",
        "archive_command = ''",
        "listen_addresses = ''",
        $"unix_socket_directories = {ArchiveCommand.ConfigValue(socket)}",
        $"hba_file = {ArchiveCommand.ConfigValue(Path.Combine(root, HbaFileName))}",
        "ssl = off",
        "logging_collector = off",
        "shared_buffers = '128MB'",
    };

    /// <summary>The scratch root (0700), its socket folder and its pg_hba file, handed to the server's OS user.</summary>
    private static async Task PrepareRootAsync(string root, string socket, string user, CancellationToken ct)
    {
        foreach (var dir in new[] { root, socket })
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
            else Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        await File.WriteAllTextAsync(Path.Combine(root, HbaFileName), "# Restore drill: only the Unix socket in this folder\nlocal all all trust\n", ct).ConfigureAwait(false);
        await LocalServer.GiveToUserAsync(root, user, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Connects to every database that accepts connections (as the cluster's bootstrap superuser), counts its user tables,
    /// and runs <see cref="RestoredDatabaseCheck"/> (the manifest's per-table facts where it has them, invalid indexes, pg_amcheck).
    /// </summary>
    private static async Task CheckClusterAsync(Manifest manifest, string socket, int port, string? pgBinDirectory,
        RestoreDrillOutcome outcome, IBackupLog log, CancellationToken ct)
    {
        var component = manifest.Components.First(c => c.Type == "database");
        var login = component.Source.GetValueOrDefault("user") is { Length: > 0 } user ? user : "postgres";
        var server = PgConnectionInfo.FromParts(socket, port, "postgres", login, sslMode: "disable");
        List<string> databases;
        string superuser;
        await using (var conn = await ConnectAnyAsync(server, ct).ConfigureAwait(false))
        {
            superuser = await PgServer.ScalarAsync<string>(conn, "SELECT rolname::text FROM pg_roles WHERE oid = 10", ct).ConfigureAwait(false);
            databases = await ListDatabasesAsync(conn, ct).ConfigureAwait(false);
        }
        outcome.Checks.Add($"The scratch cluster accepts connections: {databases.Count} database(s) allow them.");
        var factsDatabase = component.Source.GetValueOrDefault("database");
        foreach (var database in databases)
        {
            var target = PgConnectionInfo.FromParts(socket, port, database, superuser, sslMode: "disable");
            try
            {
                long tables;
                await using (var conn = await PgServer.ConnectAsync(target, ct).ConfigureAwait(false))
                    tables = await PgServer.ScalarAsync<long>(conn, UserTablesSql, ct).ConfigureAwait(false);
                var problems = await RestoredDatabaseCheck.RunAsync(target, component, _ => database == factsDatabase, pgBinDirectory, log, ct).ConfigureAwait(false);
                outcome.Errors.AddRange(problems.Select(p => $"Database {database}: {p}"));
                outcome.Checks.Add($"Database {database}: connects, {tables.ToString(CultureInfo.InvariantCulture)} user table(s), " +
                                   (problems.Count == 0 ? "checks passed." : $"{problems.Count} problem(s)."));
            }
            catch (BackupToolsException e)
            {
                outcome.Errors.Add($"Database {database}: {e.Message}");
            }
        }
    }

    private const string UserTablesSql = """
        SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        """;

    /// <summary>Connects to the postgres database, or template1 when the cluster has no postgres database.</summary>
    private static async Task<NpgsqlConnection> ConnectAnyAsync(PgConnectionInfo server, CancellationToken ct)
    {
        try
        {
            return await PgServer.ConnectAsync(server, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException)
        {
            return await PgServer.ConnectAsync(server.WithDatabase("template1"), ct).ConfigureAwait(false);
        }
    }

    private static async Task<List<string>> ListDatabasesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var names = new List<string>();
        await using var cmd = new NpgsqlCommand("SELECT datname::text FROM pg_database WHERE datallowconn ORDER BY datname", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) names.Add(reader.GetString(0));
        return names;
    }

    /// <summary>
    /// Stops the scratch server (immediate: it is thrown away) if it runs, then deletes the scratch folder, WAL config
    /// (it holds the repository key) included. What cannot be removed is an error of the drill.
    /// </summary>
    private static async Task RemoveScratchClusterAsync(string root, string data, string user, BaseBackupInfo info, string? pgBinDirectory,
        RestoreDrillOutcome outcome, IBackupLog log)
    {
        var clock = Stopwatch.StartNew();
        var problems = new List<string>();
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                var pgCtl = await PgTools.FindAsync("pg_ctl", PgTools.MajorOf(info.ServerVersion), pgBinDirectory, CancellationToken.None).ConfigureAwait(false);
                var (code, output) = await LocalServer.RunAsUserAsync(user, pgCtl.Path, new[] { "stop", "-w", "-m", "immediate", "-D", data },
                    CancellationToken.None).ConfigureAwait(false);
                if (code != 0) problems.Add($"The scratch server in {data} did not stop (pg_ctl exit code {code}): {output}");
            }
            catch (BackupToolsException e)
            {
                problems.Add($"The scratch server in {data} could not be stopped: {e.Message}");
            }
        }
        try
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"The scratch folder {root} could not be deleted: {e.Message}");
        }
        foreach (var problem in problems) log.Write(LogLevel.Warning, problem);
        outcome.Errors.AddRange(problems);
        outcome.Success &= problems.Count == 0;
        outcome.Steps.Add(new RestoreStep("Stop and remove the scratch cluster", problems.Count == 0, clock.Elapsed));
    }

    /// <summary>A loopback TCP port free right now (the scratch server only names its socket after it).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

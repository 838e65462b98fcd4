using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Npgsql;

namespace BackupTools.Testing;

/// <summary>Everything needed to reach (and later stop) a running throwaway cluster; written to the harness state file.</summary>
public sealed record PostgresState(string Host, int Port, string User, string Password, string DataDirectory,
    string SocketDirectory, string BinDirectory, string RootDirectory);

/// <summary>
/// A throwaway PostgreSQL cluster for tests, the demo and benchmarks: initdb + pg_ctl in a fresh folder under
/// /tmp, listening on a free loopback port with a private socket folder, tuned for speed (no fsync). As root,
/// every server tool runs as the postgres user (runuser), because initdb refuses root.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string SuperUser = "postgres";

    private PostgresCluster(PostgresState state) => State = state;

    /// <summary>Settings for WAL archiving tests: archive_mode on from the start (no restart), nothing archived until archive_command is set.</summary>
    public static IReadOnlyList<string> ArchiveSettings { get; } = new[] { "wal_level = replica", "archive_mode = on", "full_page_writes = on" };

    /// <summary>Where the cluster is and how to log in.</summary>
    public PostgresState State { get; }

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Creates and starts a new cluster. The binaries come from BACKUPTOOLS_PG_BIN or /usr/lib/postgresql/15/bin.
    /// <paramref name="extraSettings"/> are postgresql.conf lines added after the defaults (e.g. "archive_mode = on").
    /// </summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken ct = default, IReadOnlyList<string>? extraSettings = null)
    {
        var bin = Environment.GetEnvironmentVariable("BACKUPTOOLS_PG_BIN") is { Length: > 0 } b ? b : "/usr/lib/postgresql/15/bin";
        DeleteStaleFolders();
        var root = Path.Combine(Path.GetTempPath(), FolderPrefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant());
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "sock");
        Directory.CreateDirectory(sockets);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        try
        {
            await InitDbAsync(bin, root, data, password, ct);
            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                await WriteConfigAsync(data, port, sockets, extraSettings ?? Array.Empty<string>(), ct);
                var (code, output) = await RunToolAsync(Path.Combine(bin, "pg_ctl"),
                    new[] { "start", "-w", "-t", "60", "-D", data, "-l", Path.Combine(root, "postgres.log") }, ct, asServerUser: true);
                if (code == 0)
                    return new PostgresCluster(new PostgresState("127.0.0.1", port, SuperUser, password, data, sockets, bin, root));
                if (attempt == 3)
                    throw new InvalidOperationException($"pg_ctl start failed: {output}\n{ReadLog(root)}");
            }
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    /// <summary>Takes charge of a cluster started elsewhere (e.g. by the harness program, from its state file).</summary>
    public static PostgresCluster Attach(PostgresState state) => new(state);

    /// <summary>Npgsql connection string for a database on this cluster.</summary>
    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = State.Host,
        Port = State.Port,
        Username = State.User,
        Password = State.Password,
        Database = database,
        Pooling = false,
    }.ConnectionString;

    /// <summary>postgresql://postgres:&lt;pw&gt;@127.0.0.1:&lt;port&gt;/&lt;db&gt;.</summary>
    public string Uri(string database) =>
        $"postgresql://{State.User}:{System.Uri.EscapeDataString(State.Password)}@{State.Host}:{State.Port}/{System.Uri.EscapeDataString(database)}";

    /// <summary>Creates a new, empty database with a unique name starting with <paramref name="prefix"/> and returns the name.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(4)).ToLowerInvariant()}";
        await ExecuteAsync("postgres", $"CREATE DATABASE \"{name}\"");
        return name;
    }

    /// <summary>Runs SQL (one or more statements) in <paramref name="database"/>.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Runs a query and returns the first column of its first row.</summary>
    public async Task<T?> ScalarAsync<T>(string database, string sql)
    {
        await using var conn = new NpgsqlConnection(ConnectionString(database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    /// <summary>Stops the server (fast shutdown) and deletes its folder.</summary>
    public async Task StopAsync()
    {
        // Immediate: the cluster is thrown away, so there is nothing to checkpoint for (fast mode spent most of a second on it).
        await StopServerAsync(State.DataDirectory);
        TryDelete(State.RootDirectory);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task InitDbAsync(string bin, string root, string data, string password, CancellationToken ct)
    {
        var pwFile = Path.Combine(root, "pwfile");
        await File.WriteAllTextAsync(pwFile, password + "\n", ct);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pwFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (IsRoot) await RunCheckedAsync("chown", new[] { "-R", $"{SuperUser}:{SuperUser}", root }, ct);
        try
        {
            await RunCheckedAsync(Path.Combine(bin, "initdb"), new[]
            {
                "-D", data, "-U", SuperUser, "--auth=scram-sha-256", "--pwfile", pwFile, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
            }, ct, asServerUser: true);
        }
        finally
        {
            File.Delete(pwFile);
        }
    }

    private static Task WriteConfigAsync(string data, int port, string sockets, IReadOnlyList<string> extraSettings, CancellationToken ct) =>
        File.WriteAllTextAsync(Path.Combine(data, "postgresql.auto.conf"), string.Join('\n', new[]
        {
            "listen_addresses = '127.0.0.1'",
            $"port = {port.ToString(CultureInfo.InvariantCulture)}",
            $"unix_socket_directories = '{sockets}'",
            "fsync = off",
            "synchronous_commit = off",
            "full_page_writes = off",
            "max_connections = 100",
            "shared_buffers = 128MB",
        }.Concat(extraSettings).Append("")), ct);

    /// <summary>Stops a server this cluster's binaries run in another data directory (e.g. a recovered copy); immediate shutdown.</summary>
    public async Task StopServerAsync(string dataDirectory)
    {
        if (File.Exists(Path.Combine(dataDirectory, "postmaster.pid")))
            await RunToolAsync(Path.Combine(State.BinDirectory, "pg_ctl"), new[] { "stop", "-w", "-m", "immediate", "-D", dataDirectory }, CancellationToken.None, asServerUser: true);
    }

    /// <summary>A connection string to another server on this host with this cluster's login (e.g. a recovered copy on <paramref name="port"/>).</summary>
    public string ConnectionStringForPort(int port, string database = "postgres") => new NpgsqlConnectionStringBuilder(ConnectionString(database)) { Port = port }.ConnectionString;

    /// <summary>A free loopback TCP port.</summary>
    public static int FreeTcpPort() => FreePort();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunCheckedAsync(string tool, IEnumerable<string> args, CancellationToken ct, bool asServerUser = false)
    {
        var (code, output) = await RunToolAsync(tool, args, ct, asServerUser);
        if (code != 0) throw new InvalidOperationException($"{Path.GetFileName(tool)} failed ({code}): {output}");
    }

    /// <summary>Runs a tool without a shell (as the postgres user when we are root and it is a server tool); returns exit code and output.</summary>
    private static async Task<(int, string)> RunToolAsync(string tool, IEnumerable<string> args, CancellationToken ct, bool asServerUser)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (IsRoot && asServerUser)
        {
            psi.FileName = "runuser";
            foreach (var a in new[] { "-u", SuperUser, "--", tool }) psi.ArgumentList.Add(a);
        }
        else psi.FileName = tool;
        foreach (var a in args) psi.ArgumentList.Add(a);
        // libpq/server variables of the caller (even empty ones, e.g. PGPORT="") must not steer initdb or the server.
        foreach (var name in new[] { "PGPORT", "PGHOST", "PGHOSTADDR", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGOPTIONS", "PGSERVICE", "PGDATA" })
            psi.Environment.Remove(name);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct);
        return (p.ExitCode, (await stdout + await stderr).Trim());
    }

    private static string ReadLog(string root)
    {
        var log = Path.Combine(root, "postgres.log");
        return File.Exists(log) ? File.ReadAllText(log) : "";
    }

    private const string FolderPrefix = "bt-pg-";

    /// <summary>
    /// Deletes the folders of earlier clusters that were stopped but not deleted: a bare `dotnet test` stops its cluster
    /// as the test host exits, and the host is killed soon after, often before the folder is gone. A folder counts as
    /// stale when no server runs in it (no postmaster.pid) and nothing in it changed for ten minutes (so a cluster that
    /// another run is still creating is left alone).
    /// </summary>
    private static void DeleteStaleFolders()
    {
        foreach (var folder in Directory.EnumerateDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var data = Path.Combine(folder, "data");
            if (File.Exists(Path.Combine(data, "postmaster.pid"))) continue;
            var changed = new[] { folder, data }.Where(Directory.Exists).Max(Directory.GetLastWriteTimeUtc);
            if (DateTime.UtcNow - changed > TimeSpan.FromMinutes(10)) TryDelete(folder);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a test tmp folder; leave it */ }
    }
}

using System.Globalization;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>
/// Proves a restored database is what was backed up before it is put in service (or before a drill passes): every
/// table the backup counted exactly has the same row count and content checksum, no index is left invalid, and
/// pg_amcheck (where the tools and rights allow) finds no corruption in heap or B-tree indexes. The tables are read by
/// several sessions at once, largest first, while pg_amcheck -j checks pages and indexes beside them.
/// </summary>
public static class RestoredDatabaseCheck
{
    /// <summary>
    /// Checks <paramref name="restored"/> against the backup's <paramref name="component"/>; returns the problems found
    /// (empty = passed): the tables' problems in the backup's order, then invalid indexes, then pg_amcheck's findings.
    /// <paramref name="only"/> limits the table checks to a selective restore's tables (schema.name).
    /// <paramref name="jobs"/> sessions read the tables (0: as many as the machine has processors, at least 2), and
    /// pg_amcheck runs with as many jobs.
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(PgConnectionInfo restored, ComponentEntry component, Func<TableInfo, bool>? only,
        string? pgBinDirectory, IBackupLog log, CancellationToken ct, int jobs = 0)
    {
        jobs = ParallelTasks.SessionsFor(jobs);
        var tables = (component.Tables ?? new List<TableInfo>()).Where(t => t.RowCountExact && (only?.Invoke(t) ?? true)).ToList();
        var found = await ParallelTasks.RunAllAsync(new Func<CancellationToken, Task<List<string>>>[]
        {
            token => CompareTablesAsync(restored, tables, jobs, token),
            async token =>
            {
                var problems = new List<string>();
                await using var conn = await PgServer.ConnectAsync(restored, token).ConfigureAwait(false);
                await FindInvalidIndexesAsync(conn, problems, token).ConfigureAwait(false);
                var serverMajor = await PgServer.ScalarAsync<int>(conn, "SELECT current_setting('server_version_num')::int", token).ConfigureAwait(false) / 10000;
                await RunAmcheckAsync(conn, restored, serverMajor, pgBinDirectory, jobs, problems, log, token).ConfigureAwait(false);
                return problems;
            },
        }, ct).ConfigureAwait(false);
        return found.SelectMany(problems => problems).ToList();
    }

    /// <summary>Row count and checksum of every table in <paramref name="tables"/>, read by up to <paramref name="jobs"/> sessions; the problems in the tables' order.</summary>
    private static async Task<List<string>> CompareTablesAsync(PgConnectionInfo restored, List<TableInfo> tables, int jobs, CancellationToken ct)
    {
        var found = new string?[tables.Count];
        var next = -1;
        // Largest first, so the last table a session starts is a small one.
        var order = Enumerable.Range(0, tables.Count).OrderByDescending(i => tables[i].Bytes).ToArray();
        await ParallelTasks.RunAllAsync(Enumerable.Range(0, Math.Min(jobs, tables.Count)).Select(_ => (Func<CancellationToken, Task>)(async token =>
        {
            await using var conn = await PgServer.ConnectAsync(restored, token).ConfigureAwait(false);
            await TableFingerprint.UseStableOutputAsync(conn, token).ConfigureAwait(false);
            for (var i = Interlocked.Increment(ref next); i < order.Length; i = Interlocked.Increment(ref next))
                found[order[i]] = await CompareAsync(conn, tables[order[i]], token).ConfigureAwait(false);
        })), ct).ConfigureAwait(false);
        return found.OfType<string>().ToList();
    }

    /// <summary>The problem with one restored table, or null.</summary>
    private static async Task<string?> CompareAsync(NpgsqlConnection conn, TableInfo table, CancellationToken ct)
    {
        var name = $"{table.Schema}.{table.Name}";
        var exists = await PgServer.ScalarAsync<bool>(conn,
            "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)",
            ct, table.Schema, table.Name).ConfigureAwait(false);
        if (!exists) return $"Table {name} is missing.";
        var (rows, checksum) = await TableFingerprint.ReadAsync(conn, table.Schema, table.Name, ct).ConfigureAwait(false);
        if (rows != table.Rows) return $"Table {name} has {rows:N0} rows; the backup recorded {table.Rows:N0}.";
        if (table.Checksum is { } expected && expected != checksum) return $"Table {name} differs in content from the backup (checksum).";
        return null;
    }

    private static async Task FindInvalidIndexesAsync(NpgsqlConnection conn, List<string> problems, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid ORDER BY 1", conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) problems.Add($"Index {reader.GetString(0)} is invalid.");
    }

    /// <summary>
    /// Runs pg_amcheck on the restored database when it is installed and the login may use amcheck; the extension is
    /// removed again when the check installed it. Not being able to run it is a warning, corruption it finds a problem.
    /// </summary>
    private static async Task RunAmcheckAsync(NpgsqlConnection conn, PgConnectionInfo restored, int serverMajor, string? pgBinDirectory, int jobs,
        List<string> problems, IBackupLog log, CancellationToken ct)
    {
        PgTool pgAmcheck;
        try
        {
            pgAmcheck = await PgTools.FindAsync("pg_amcheck", serverMajor, pgBinDirectory, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException)
        {
            log.Write(LogLevel.Verbose, "pg_amcheck not found; the restored database's pages and indexes were not checked with it.");
            return;
        }
        var hadAmcheck = await PgServer.ScalarAsync<bool>(conn, "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck')", ct).ConfigureAwait(false);
        await using (var process = ToolProcess.Start(pgAmcheck.Path, new[] { "--no-password", "--install-missing", "--jobs", jobs.ToString(CultureInfo.InvariantCulture), "-d", QuotePattern(restored.Database) }, restored.ToEnvironment()))
        {
            var output = await new StreamReader(process.StandardOutput).ReadToEndAsync(ct).ConfigureAwait(false);
            var exitCode = await process.WaitForExitAsync(ct).ConfigureAwait(false);
            if (exitCode == 2 && output.Length > 0)
                problems.Add("pg_amcheck found corruption: " + string.Join(" | ", output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(5)));
            else if (exitCode != 0)
                log.Write(LogLevel.Warning, $"pg_amcheck could not check the restored database (exit code {exitCode}): {process.StderrTail}");
        }
        if (!hadAmcheck) await PgServer.ExecuteAsync(conn, "DROP EXTENSION IF EXISTS amcheck", ct).ConfigureAwait(false);
    }

    /// <summary>A pg_amcheck database pattern matching exactly this name.</summary>
    private static string QuotePattern(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}

using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>
/// Proves a restored database is what was backed up before it is put in service (or before a drill passes): every
/// table the backup counted exactly has the same row count and content checksum, no index is left invalid, and
/// pg_amcheck (where the tools and rights allow) finds no corruption in heap or B-tree indexes.
/// </summary>
public static class RestoredDatabaseCheck
{
    /// <summary>
    /// Checks <paramref name="restored"/> against the backup's <paramref name="component"/>; returns the problems found
    /// (empty = passed). <paramref name="only"/> limits the table checks to a selective restore's tables (schema.name).
    /// </summary>
    public static async Task<IReadOnlyList<string>> RunAsync(PgConnectionInfo restored, ComponentEntry component, Func<TableInfo, bool>? only,
        string? pgBinDirectory, IBackupLog log, CancellationToken ct)
    {
        var problems = new List<string>();
        await using var conn = await PgServer.ConnectAsync(restored, ct).ConfigureAwait(false);
        await CompareTablesAsync(conn, component, only, problems, ct).ConfigureAwait(false);
        await FindInvalidIndexesAsync(conn, problems, ct).ConfigureAwait(false);
        var serverMajor = await PgServer.ScalarAsync<int>(conn, "SELECT current_setting('server_version_num')::int", ct).ConfigureAwait(false) / 10000;
        await RunAmcheckAsync(conn, restored, serverMajor, pgBinDirectory, problems, log, ct).ConfigureAwait(false);
        return problems;
    }

    private static async Task CompareTablesAsync(NpgsqlConnection conn, ComponentEntry component, Func<TableInfo, bool>? only, List<string> problems, CancellationToken ct)
    {
        await TableFingerprint.UseStableOutputAsync(conn, ct).ConfigureAwait(false);
        foreach (var table in (component.Tables ?? new List<TableInfo>()).Where(t => t.RowCountExact && (only?.Invoke(t) ?? true)))
        {
            var name = $"{table.Schema}.{table.Name}";
            var exists = await PgServer.ScalarAsync<bool>(conn,
                "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2)",
                ct, table.Schema, table.Name).ConfigureAwait(false);
            if (!exists)
            {
                problems.Add($"Table {name} is missing.");
                continue;
            }
            var (rows, checksum) = await TableFingerprint.ReadAsync(conn, table.Schema, table.Name, ct).ConfigureAwait(false);
            if (rows != table.Rows) problems.Add($"Table {name} has {rows:N0} rows; the backup recorded {table.Rows:N0}.");
            else if (table.Checksum is { } expected && expected != checksum) problems.Add($"Table {name} differs in content from the backup (checksum).");
        }
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
    private static async Task RunAmcheckAsync(NpgsqlConnection conn, PgConnectionInfo restored, int serverMajor, string? pgBinDirectory,
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
        await using (var process = ToolProcess.Start(pgAmcheck.Path, new[] { "--no-password", "--install-missing", "-d", QuotePattern(restored.Database) }, restored.ToEnvironment()))
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

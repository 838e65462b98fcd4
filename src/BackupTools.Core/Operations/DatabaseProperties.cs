using System.Text.RegularExpressions;
using BackupTools.Core.Postgres;

namespace BackupTools.Core.Operations;

/// <summary>
/// The database-level properties in a pg_dump archive: <c>ALTER DATABASE … SET</c> (and per-role settings in the
/// database), <c>COMMENT ON DATABASE</c>, <c>SECURITY LABEL ON DATABASE</c> and the database's grants. pg_dump always
/// writes them, but pg_restore applies them only with --create, so a restore into a database created beforehand (a
/// staging database swapped in, a new database on a new host) would silently lose e.g. a Supabase project's
/// <c>ALTER DATABASE postgres SET "app.settings.jwt_secret"</c> or <c>REVOKE CONNECT … FROM PUBLIC</c>. These entries name
/// the database, so they are applied once the restored database carries the dumped name: pg_restore --create writes
/// just these entries as SQL (-L; it needs only the archive's table of contents, at its start, so it stops reading
/// early), and their statements run on a maintenance database (not the CREATE DATABASE and psql commands around them).
/// </summary>
public static partial class DatabaseProperties
{
    /// <summary>
    /// Applies the archive's database-level entries through <paramref name="server"/> (a connection to a maintenance
    /// database of the server holding the restored database). <paramref name="feedArchive"/> writes the archive to a
    /// stream (it may be stopped early with an IOException); it runs twice, once to list the entries and once to write
    /// the chosen ones, each time only as far as the table of contents. Returns how many entries were applied; a
    /// pg_restore failure is ExternalToolFailed naming its error.
    /// </summary>
    public static async Task<int> ApplyAsync(PgTool pgRestore, Func<Stream, Task> feedArchive, PgConnectionInfo server,
        CancellationToken ct = default)
    {
        var listing = await PgRestoreRun.RunAsync(pgRestore, new[] { "--create", "--list" }, server, feedArchive, ct).ConfigureAwait(false);
        var entries = Select(listing);
        if (entries.Count == 0) return 0;

        var listFile = Path.Combine(Path.GetTempPath(), $"bt-dbprops-{Guid.NewGuid():N}.list");
        await File.WriteAllLinesAsync(listFile, entries, ct).ConfigureAwait(false);
        string script;
        try
        {
            script = await PgRestoreRun.RunAsync(pgRestore, new[] { "--create", "--use-list=" + listFile, "--file=-" }, server, feedArchive, ct)
                .ConfigureAwait(false);
        }
        finally
        {
            File.Delete(listFile);
        }
        var statements = Statements(script);
        await using var conn = await PgServer.ConnectAsync(server, ct).ConfigureAwait(false);
        foreach (var sql in statements) await PgServer.ExecuteAsync(conn, sql, ct).ConfigureAwait(false);
        return statements.Count;
    }

    /// <summary>The lines of a pg_restore --create --list that are database-level properties (not the DATABASE entry itself, which creates it).</summary>
    public static IReadOnlyList<string> Select(string listing)
        => listing.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => PropertyEntry().IsMatch(l)).ToList();

    /// <summary>
    /// The SQL of each property entry in a pg_restore script, one string per entry: the text under each
    /// "-- Name: …; Type: COMMENT|ACL|SECURITY LABEL|DATABASE PROPERTIES" header, without psql's backslash commands.
    /// The DATABASE entry (CREATE DATABASE) and the script's preamble are left out.
    /// </summary>
    public static IReadOnlyList<string> Statements(string script)
    {
        var result = new List<string>();
        System.Text.StringBuilder? current = null;
        void Flush()
        {
            if (current is not null && current.ToString().Trim() is { Length: > 0 } sql) result.Add(sql);
            current = null;
        }
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var header = EntryHeader().Match(line);
            if (header.Success)
            {
                Flush();
                if (header.Groups["type"].Value != "DATABASE") current = new System.Text.StringBuilder();
                continue;
            }
            if (line.StartsWith("-- PostgreSQL database dump complete", StringComparison.Ordinal)) { Flush(); continue; }
            if (current is null || line.StartsWith('\\') || line == "--") continue;
            current.Append(line).Append('\n');
        }
        Flush();
        return result;
    }

    /// <summary>e.g. "3345; 0 0 COMMENT - DATABASE app postgres", "3346; 0 0 ACL - DATABASE app postgres", "3347; 0 0 DATABASE PROPERTIES - app postgres".</summary>
    [GeneratedRegex(@"^\d+; \d+ \d+ (COMMENT - DATABASE |ACL - DATABASE |SECURITY LABEL - DATABASE |DATABASE PROPERTIES - )")]
    private static partial Regex PropertyEntry();

    /// <summary>e.g. "-- Name: DATABASE app; Type: ACL; Schema: -; Owner: postgres" (the entry's SQL follows).</summary>
    [GeneratedRegex(@"^-- (Data for )?Name: .*; Type: (?<type>[A-Z ]+); Schema: ")]
    private static partial Regex EntryHeader();
}

using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Postgres;

/// <summary>What a backup records about its source database: versions, size, identity and tables.</summary>
public sealed class DatabaseFacts
{
    /// <summary>
    /// Tables up to this size get an exact row count and a content checksum (inside the dump's snapshot); larger ones the
    /// planner's estimate. Materialized views only get the estimate: a restore refreshes them, so their stored rows are
    /// not what comes back.
    /// </summary>
    public const long ExactCountLimitBytes = 256L * 1024 * 1024;

    public string ServerVersion { get; private init; } = "";
    public int ServerMajor { get; private init; }
    public string Database { get; private init; } = "";
    public string User { get; private init; } = "";
    /// <summary>pg_database_size: an estimate of the dump's size.</summary>
    public long SizeBytes { get; private init; }
    /// <summary>The cluster's system identifier, when this login may read it.</summary>
    public string? SystemIdentifier { get; private init; }
    public List<TableInfo> Tables { get; private init; } = new();

    /// <summary>Reads the facts on <paramref name="conn"/> (table sizes and row estimates; see <see cref="FingerprintTablesAsync"/> for exact counts).</summary>
    public static async Task<DatabaseFacts> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        string version, database, user;
        int versionNum;
        long size;
        await using (var cmd = new NpgsqlCommand(
            "SELECT current_setting('server_version'), current_setting('server_version_num')::int, current_database(), current_user, pg_database_size(current_database())", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await r.ReadAsync(ct).ConfigureAwait(false);
            (version, versionNum, database, user, size) = (r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetInt64(4));
        }
        var tables = await ReadTablesAsync(conn, ct).ConfigureAwait(false);
        return new DatabaseFacts
        {
            ServerVersion = version.Split(' ')[0],
            ServerMajor = versionNum / 10000,
            Database = database,
            User = user,
            SizeBytes = size,
            SystemIdentifier = await ReadSystemIdentifierAsync(conn, ct).ConfigureAwait(false),
            Tables = tables.All,
            _countable = tables.Countable,
        };
    }

    private static async Task<string?> ReadSystemIdentifierAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        // pg_control_system() may be revoked for ordinary logins; ask first so a transaction is never aborted.
        const string sql = "SELECT CASE WHEN has_function_privilege('pg_control_system()', 'EXECUTE') THEN (SELECT system_identifier::text FROM pg_control_system()) END";
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false) as string;
    }

    /// <summary>The tables that get an exact row count and a checksum (see <see cref="FingerprintTablesAsync"/>).</summary>
    private List<TableInfo> _countable = new();

    /// <summary>
    /// Replaces the estimates with exact row counts and content checksums for every readable table up to
    /// <see cref="ExactCountLimitBytes"/>. Run it on a connection inside the dump's snapshot so they match the dump.
    /// </summary>
    public async Task FingerprintTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        await TableFingerprint.UseStableOutputAsync(conn, ct).ConfigureAwait(false);
        foreach (var t in _countable)
        {
            (var rows, var checksum) = await TableFingerprint.ReadAsync(conn, t.Schema, t.Name, ct).ConfigureAwait(false);
            (t.Rows, t.Checksum, t.RowCountExact) = (rows, checksum, true);
        }
    }

    private static async Task<(List<TableInfo> All, List<TableInfo> Countable)> ReadTablesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        const string sql = """
            SELECT n.nspname, c.relname, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid),
                   has_table_privilege(c.oid, 'SELECT') AND c.relkind = 'r'
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'm') AND c.relpersistence <> 't'
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
              AND (c.relkind <> 'm' OR c.relispopulated)
            ORDER BY 1, 2
            """;
        var tables = new List<(TableInfo Table, bool Countable)>();
        await using (var cmd = new NpgsqlCommand(sql, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                tables.Add((new TableInfo { Schema = r.GetString(0), Name = r.GetString(1), Rows = r.GetInt64(2), Bytes = r.GetInt64(3) }, r.GetBoolean(4)));
        }
        return (tables.Select(t => t.Table).ToList(), tables.Where(x => x.Countable && x.Table.Bytes <= ExactCountLimitBytes).Select(x => x.Table).ToList());
    }
}

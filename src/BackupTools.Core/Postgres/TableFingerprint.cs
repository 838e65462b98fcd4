using Npgsql;

namespace BackupTools.Core.Postgres;

/// <summary>
/// A table's row count and an order-independent checksum of its content, computed the same way at backup time (inside
/// the dump's snapshot) and after a restore, so a restored table can be proven equal to what was backed up.
/// The checksum is the sum over rows of the first 32 bits of md5(row as text), with the text output settings fixed
/// (ISO dates, UTC, full float precision, hex bytea) so it does not depend on the session.
/// </summary>
public static class TableFingerprint
{
    /// <summary>Fixes the settings that shape a row's text form; run once on the connection before <see cref="ReadAsync"/>.</summary>
    public static Task UseStableOutputAsync(NpgsqlConnection conn, CancellationToken ct) => PgServer.ExecuteAsync(conn,
        "SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET TimeZone = 'UTC'; SET extra_float_digits = 3; SET bytea_output = 'hex'", ct);

    /// <summary>Row count and content checksum of schema.table (one scan).</summary>
    public static async Task<(long Rows, long Checksum)> ReadAsync(NpgsqlConnection conn, string schema, string table, CancellationToken ct)
    {
        var sql = "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 8))::bit(32)::bigint), 0)::bigint FROM "
                  + $"{PgServer.QuoteIdentifier(schema)}.{PgServer.QuoteIdentifier(table)} t";
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}

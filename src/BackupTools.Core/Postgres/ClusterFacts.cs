using Npgsql;

namespace BackupTools.Core.Postgres;

/// <summary>What physical backup and WAL archiving need to know about a cluster (read as a superuser or pg_monitor member).</summary>
public sealed class ClusterFacts
{
    /// <summary>"15.18".</summary>
    public string ServerVersion { get; private init; } = "";
    /// <summary>15.</summary>
    public int ServerMajor { get; private init; }
    /// <summary>pg_control_system().system_identifier.</summary>
    public string SystemIdentifier { get; private init; } = "";
    /// <summary>wal_segment_size in bytes.</summary>
    public long SegmentSize { get; private init; }
    /// <summary>The server's data directory (as the server sees it).</summary>
    public string DataDirectory { get; private init; } = "";
    /// <summary>wal_level: minimal, replica or logical.</summary>
    public string WalLevel { get; private init; } = "";
    /// <summary>archive_mode: off, on or always.</summary>
    public string ArchiveMode { get; private init; } = "";
    /// <summary>archive_command as set now.</summary>
    public string ArchiveCommand { get; private init; } = "";
    /// <summary>The timeline the server writes.</summary>
    public uint Timeline { get; private init; }
    /// <summary>pg_stat_archiver: the last archived WAL file and when; the last failure and when.</summary>
    public ArchiverStatus Archiver { get; private init; } = new(null, null, null, null, 0);

    /// <summary>Reads the facts. PermissionDenied when the login may not read them.</summary>
    public static async Task<ClusterFacts> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        const string sql = """
            SELECT current_setting('server_version'), current_setting('server_version_num')::int,
                   (SELECT system_identifier::text FROM pg_control_system()),
                   current_setting('wal_segment_size')::text, current_setting('data_directory'),
                   current_setting('wal_level'), current_setting('archive_mode'), current_setting('archive_command'),
                   (SELECT timeline_id FROM pg_control_checkpoint())::bigint,
                   a.last_archived_wal, a.last_archived_time, a.last_failed_wal, a.last_failed_time, a.failed_count
            FROM pg_stat_archiver a
            """;
        try
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            return new ClusterFacts
            {
                ServerVersion = r.GetString(0).Split(' ')[0],
                ServerMajor = r.GetInt32(1) / 10000,
                SystemIdentifier = r.GetString(2),
                SegmentSize = ParseSize(r.GetString(3)),
                DataDirectory = r.GetString(4),
                WalLevel = r.GetString(5),
                ArchiveMode = r.GetString(6),
                ArchiveCommand = r.GetString(7),
                Timeline = (uint)r.GetInt64(8),
                Archiver = new ArchiverStatus(
                    r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : r.GetFieldValue<DateTimeOffset>(10),
                    r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetFieldValue<DateTimeOffset>(12), r.GetInt64(13)),
            };
        }
        catch (PostgresException e) when (e.SqlState == "42501")
        {
            throw new BackupToolsException(BackupErrorKind.PermissionDenied,
                $"Reading the cluster's WAL settings needs a superuser (or pg_monitor and pg_read_all_settings): {e.MessageText}", conn.Host, e);
        }
    }

    /// <summary>The current WAL insert position ("0/3000060").</summary>
    public static Task<string> CurrentLsnAsync(NpgsqlConnection conn, CancellationToken ct)
        => PgServer.ScalarAsync<string>(conn, "SELECT pg_current_wal_lsn()::text", ct);

    /// <summary>"16MB", "1GB" or a plain byte count → bytes.</summary>
    internal static long ParseSize(string text)
    {
        var digits = new string(text.TakeWhile(char.IsAsciiDigit).ToArray());
        var unit = text[digits.Length..].Trim().ToUpperInvariant();
        var n = long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        return unit switch
        {
            "" or "B" => n,
            "KB" => n << 10,
            "MB" => n << 20,
            "GB" => n << 30,
            _ => throw new FormatException($"Unknown size unit in '{text}'."),
        };
    }
}

/// <summary>pg_stat_archiver in brief.</summary>
public sealed record ArchiverStatus(string? LastArchivedWal, DateTimeOffset? LastArchivedTime, string? LastFailedWal, DateTimeOffset? LastFailedTime, long FailedCount)
{
    /// <summary>True when the latest attempt failed (a failure newer than the last success).</summary>
    public bool IsFailing => LastFailedTime is not null && (LastArchivedTime is null || LastFailedTime > LastArchivedTime);
}

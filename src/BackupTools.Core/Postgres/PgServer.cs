using System.Net.Sockets;
using Npgsql;
using Polly;
using Polly.Retry;

namespace BackupTools.Core.Postgres;

/// <summary>
/// Opens engine connections to PostgreSQL: transient failures (refused, reset, timeout) are retried a couple
/// of times with backoff; what still fails becomes a BackupToolsException naming host:port/database, never
/// the password.
/// </summary>
public static class PgServer
{
    private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(IsTransient),
            MaxRetryAttempts = 2,
            Delay = TimeSpan.FromMilliseconds(500),
            BackoffType = DelayBackoffType.Exponential,
        })
        .Build();

    /// <summary>Opens a connection to <paramref name="info"/>; ConnectionFailed, AuthenticationFailed, NotFound (no such database) or PermissionDenied.</summary>
    public static async Task<NpgsqlConnection> ConnectAsync(PgConnectionInfo info, CancellationToken ct = default)
    {
        var connectionString = info.ToNpgsql().ConnectionString;
        try
        {
            return await Retry.ExecuteAsync(async token =>
            {
                var conn = new NpgsqlConnection(connectionString);
                try
                {
                    await conn.OpenAsync(token).ConfigureAwait(false);
                    return conn;
                }
                catch
                {
                    await conn.DisposeAsync().ConfigureAwait(false);
                    throw;
                }
            }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw Translate(e, info);
        }
    }

    /// <summary>Turns a connection failure into the error a user reads.</summary>
    internal static BackupToolsException Translate(Exception e, PgConnectionInfo info)
    {
        var where = info.Description;
        if (e is PostgresException pg)
        {
            return pg.SqlState switch
            {
                "28P01" or "28000" => new BackupToolsException(BackupErrorKind.AuthenticationFailed,
                    $"PostgreSQL at {where} refused the login: {pg.MessageText}", where, e),
                "3D000" => new BackupToolsException(BackupErrorKind.NotFound, $"Database '{info.Database}' does not exist on {info.Server}.", info.Database, e),
                "42501" => new BackupToolsException(BackupErrorKind.PermissionDenied, $"Permission denied at {where}: {pg.MessageText}", where, e),
                _ => new BackupToolsException(BackupErrorKind.ConnectionFailed, $"Cannot connect to PostgreSQL at {where}: {pg.MessageText}", where, e),
            };
        }
        var reason = e.InnerException is SocketException se ? se.Message : e.Message;
        return new BackupToolsException(BackupErrorKind.ConnectionFailed, $"Cannot connect to PostgreSQL at {where}: {reason}", where, e);
    }

    private static bool IsTransient(NpgsqlException e) =>
        e is not PostgresException && (e.IsTransient || e.InnerException is SocketException or IOException or TimeoutException)
        || e is PostgresException { SqlState: "57P03" or "53300" }; // cannot_connect_now (starting up), too_many_connections

    /// <summary>Runs a query that returns one value.</summary>
    public static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct, params object[] parameters)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        return (T)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
    }

    /// <summary>Runs a statement.</summary>
    public static async Task ExecuteAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Quotes an identifier for SQL ("my ""db""").</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
}

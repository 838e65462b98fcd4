using System.Text.Json;

namespace BackupTools.Testing;

/// <summary>What a state file holds: the services a run started (either may be absent).</summary>
public sealed record TestServicesState(PostgresState? Postgres, S3State? S3);

/// <summary>
/// The run's shared services: a PostgreSQL cluster and an s3rver. When BACKUPTOOLS_TEST_SERVICES names a
/// state file (written by the harness program's start command) the services described there are used;
/// otherwise this process starts its own once and stops them when it exits.
/// </summary>
public sealed class TestServices
{
    /// <summary>The variable naming the state file to attach to.</summary>
    public const string StateFileVariable = "BACKUPTOOLS_TEST_SERVICES";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static TestServices? _shared;

    private readonly PostgresCluster? _postgres;
    private readonly S3Server? _s3;
    private readonly Exception? _postgresFailure;
    private readonly Exception? _s3Failure;

    private TestServices(PostgresCluster? postgres, Exception? postgresFailure, S3Server? s3, Exception? s3Failure)
    {
        _postgres = postgres;
        _postgresFailure = postgresFailure;
        _s3 = s3;
        _s3Failure = s3Failure;
    }

    /// <summary>The PostgreSQL cluster; throws (with the cause) when it was not started or failed to start.</summary>
    public PostgresCluster Postgres => _postgres ?? throw Unavailable("PostgreSQL", _postgresFailure);

    /// <summary>The s3rver; throws (with the cause) when it was not started or failed to start.</summary>
    public S3Server S3 => _s3 ?? throw Unavailable("s3rver", _s3Failure);

    /// <summary>Both services' state, for the state file.</summary>
    public TestServicesState State => new(_postgres?.State, _s3?.State);

    /// <summary>The shared services of this test run (see the class summary).</summary>
    public static async Task<TestServices> GetAsync()
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_shared is not null) return _shared;
            if (Environment.GetEnvironmentVariable(StateFileVariable) is { Length: > 0 } stateFile)
            {
                _shared = Attach(ReadState(stateFile));
            }
            else
            {
                _shared = await StartAsync(postgres: true, s3: true).ConfigureAwait(false);
                var started = _shared;
                AppDomain.CurrentDomain.ProcessExit += (_, _) => started.StopAsync().GetAwaiter().GetResult();
            }
            return _shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// Starts the chosen services side by side. A service that fails to start is recorded, not thrown, so
    /// tests that need only the other one still run; its property throws the cause.
    /// </summary>
    public static async Task<TestServices> StartAsync(bool postgres, bool s3, CancellationToken ct = default, IReadOnlyList<string>? postgresSettings = null)
    {
        var pg = postgres ? Capture(() => PostgresCluster.StartAsync(ct, postgresSettings)) : Task.FromResult<(PostgresCluster?, Exception?)>((null, null));
        var s3rver = s3 ? Capture(() => S3Server.StartAsync(ct)) : Task.FromResult<(S3Server?, Exception?)>((null, null));
        var (cluster, pgFailure) = await pg.ConfigureAwait(false);
        var (server, s3Failure) = await s3rver.ConfigureAwait(false);
        return new TestServices(cluster, pgFailure, server, s3Failure);
    }

    /// <summary>Uses services described by a state file's contents.</summary>
    public static TestServices Attach(TestServicesState state)
        => new(state.Postgres is { } pg ? PostgresCluster.Attach(pg) : null, NotInState("postgres"),
               state.S3 is { } s3 ? S3Server.Attach(s3) : null, NotInState("s3"));

    /// <summary>Stops every service this object holds and deletes their folders.</summary>
    public async Task StopAsync()
    {
        // Both servers first, their folders after: at the end of a bare `dotnet test` this runs in ProcessExit, and the
        // test host is killed soon after (one service stopped and deleted before the other left the other running).
        // A folder left behind is deleted by the next start (PostgresCluster.DeleteStaleFolders, S3Server's stale check).
        _s3?.Kill();
        if (_postgres is not null) await _postgres.StopServerAsync(_postgres.State.DataDirectory).ConfigureAwait(false);
        if (_s3 is not null) await _s3.StopAsync().ConfigureAwait(false);
        if (_postgres is not null) await _postgres.StopAsync().ConfigureAwait(false);
    }

    /// <summary>Reads a state file written by <see cref="WriteState"/>.</summary>
    public static TestServicesState ReadState(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TestServicesState>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException("The file is empty.");
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot read the test services state file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Writes the state to <paramref name="path"/> (it may hold the throwaway cluster's test password).</summary>
    public void WriteState(string path) => File.WriteAllText(path, ToJson(State));

    /// <summary>The state as JSON; <paramref name="hidePassword"/> masks the cluster's password for printing.</summary>
    public static string ToJson(TestServicesState state, bool hidePassword = false)
        => JsonSerializer.Serialize(hidePassword && state.Postgres is { } pg ? state with { Postgres = pg with { Password = "***" } } : state, Json);

    private static async Task<(T?, Exception?)> Capture<T>(Func<Task<T>> start) where T : class
    {
        try { return (await start().ConfigureAwait(false), null); }
        catch (Exception e) { return (null, e); }
    }

    private static InvalidOperationException NotInState(string service)
        => new($"The state file has no {service} service (started with --no-{service}).");

    private static InvalidOperationException Unavailable(string service, Exception? cause)
        => new($"{service} is not available in this test run: {cause?.Message ?? "it was not started."}", cause);
}

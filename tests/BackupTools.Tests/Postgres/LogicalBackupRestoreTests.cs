using System.Collections.Concurrent;
using System.Text.Json;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Postgres;

/// <summary>End to end: the Supabase-shaped sample through pg_dump, the encrypted repository and pg_restore, on a real PostgreSQL 15.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LogicalBackupRestoreTests(PostgresFixture fixture) : IAsyncLifetime
{
    private const string Passphrase = "correct horse battery staple";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bt-pgtest-" + Guid.NewGuid().ToString("N")[..8]);
    private BackupRepository _repository = null!;

    private PostgresCluster Cluster => fixture.Cluster;

    public async Task InitializeAsync() =>
        _repository = await BackupRepository.CreateAsync(new LocalBlobStore(_folder), Passphrase,
            new RepositoryCreateOptions { KdfMemoryKiB = 8 * 1024, KdfIterations = 1 });

    public Task DisposeAsync()
    {
        _repository.Dispose();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Backup_then_restore_as_new_database_and_in_place_reproduces_the_fingerprint()
    {
        var db = await NewSampleDatabaseAsync();
        var original = await FingerprintAsync(db);
        var progress = new Collector<ProgressInfo>();

        var manifest = await BackupAsync(db, progress, "nightly");

        var component = Assert.Single(manifest.Components);
        Assert.Equal(("logical", "database", db), (manifest.Kind, component.Type, component.Name));
        Assert.Equal(new[] { "nightly" }, manifest.Tags);
        Assert.Equal("127.0.0.1", component.Source["host"]);
        Assert.Equal(Cluster.State.Port.ToString(), component.Source["port"]);
        Assert.Equal(("postgres", db), (component.Source["user"], component.Source["database"]));
        Assert.StartsWith("15.", component.Source["serverVersion"]);
        Assert.StartsWith("15.", component.Source["pgDumpVersion"]);
        Assert.Contains("systemIdentifier", component.Source.Keys);
        Assert.Equal(new[] { LogicalBackup.DumpFileName, LogicalBackup.RolesFileName }, component.Files.Select(f => f.Name));
        var posts = Assert.Single(component.Tables!, t => t is { Schema: "public", Name: "posts" });
        Assert.Equal((3000L, true), (posts.Rows, posts.RowCountExact));
        Assert.Equal(4000, component.Tables!.Where(t => t.Name.StartsWith("events_")).Sum(t => t.Rows));
        Assert.True(manifest.Stats.BytesRead > 1_000_000 && manifest.Stats.ChunksTotal > 0);
        Assert.DoesNotContain(Cluster.State.Password, JsonSerializer.Serialize(manifest));
        Assert.Contains(progress.Items, p => p.BytesDone > 0 && p.BytesTotal > 0);
        Assert.Equal(manifest.Id, Assert.Single(await _repository.ListManifestsAsync()).Id);

        var copy = db + "_copy";
        var outcome = await RestoreAsync(manifest, new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri("postgres"), AsDatabase = copy });
        Assert.True(outcome.Success);
        Assert.Equal((copy, $"127.0.0.1:{Cluster.State.Port}"), (outcome.TargetDatabase, outcome.TargetServer));
        Assert.Equal(component.Files[0].Size, outcome.BytesRestored);
        Assert.Equal(original, await FingerprintAsync(copy));

        await Cluster.ExecuteAsync(db, """
            DELETE FROM public.posts WHERE id % 10 = 0;
            UPDATE public.profiles SET bio = 'vandalised';
            DROP POLICY "Public avatars" ON storage.objects;
            REVOKE SELECT ON public.posts FROM anon;
            SELECT setval('public.invoice_number_seq', 1);
            DROP TABLE public.events CASCADE;
            """);
        Assert.NotEqual(original, await FingerprintAsync(db));

        await RestoreAsync(manifest, new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri(db) });
        Assert.Equal(original, await FingerprintAsync(db));
    }

    [Fact]
    public async Task A_second_backup_of_the_same_database_names_the_first_as_parent()
    {
        var db = await NewSampleDatabaseAsync();
        var first = await BackupAsync(db);
        await Cluster.ExecuteAsync(db, "UPDATE public.posts SET title = title || '!' WHERE id < 50");

        var second = await BackupAsync(db);

        Assert.Null(first.Parent);
        Assert.Equal(first.Id, second.Parent);
    }

    [Fact]
    public async Task Roles_the_target_lacks_are_recreated_before_the_restore()
    {
        var db = await NewSampleDatabaseAsync();
        var role = "bt_auditor_" + Guid.NewGuid().ToString("N")[..6];
        await Cluster.ExecuteAsync(db, $"CREATE ROLE {role} NOLOGIN; GRANT authenticated TO {role}; GRANT SELECT ON public.posts TO {role};");
        var manifest = await BackupAsync(db);
        await Cluster.ExecuteAsync(db, $"DROP OWNED BY {role}; DROP ROLE {role};");

        var copy = db + "_roles";
        var outcome = await RestoreAsync(manifest, new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri("postgres"), AsDatabase = copy });

        Assert.True(outcome.Success);
        Assert.True(await Cluster.ScalarAsync<bool>(copy, $"SELECT has_table_privilege('{role}', 'public.posts', 'SELECT')"));
        Assert.True(await Cluster.ScalarAsync<bool>(copy, $"SELECT pg_has_role('{role}', 'authenticated', 'MEMBER')"));
    }

    [Fact]
    public async Task Selected_tables_only_are_restored()
    {
        var db = await NewSampleDatabaseAsync();
        var manifest = await BackupAsync(db);

        var copy = db + "_posts";
        await RestoreAsync(manifest, new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri("postgres"), AsDatabase = copy, Tables = new[] { "public.posts" } });

        Assert.Equal(3000L, await Cluster.ScalarAsync<long>(copy, "SELECT count(*) FROM public.posts"));
        Assert.Null(await Cluster.ScalarAsync<string>(copy, "SELECT to_regclass('public.profiles')::text"));
    }

    [Fact]
    public async Task Restoring_as_an_existing_database_fails_naming_it()
    {
        var db = await NewSampleDatabaseAsync();
        var manifest = await BackupAsync(db);

        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            RestoreAsync(manifest, new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri("postgres"), AsDatabase = db }));

        Assert.Equal(BackupErrorKind.InvalidOperation, e.Kind);
        Assert.Contains($"'{db}'", e.Message);
    }

    [Fact]
    public async Task A_corrupt_backup_fails_before_the_target_is_touched()
    {
        var db = await NewSampleDatabaseAsync();
        var manifest = await BackupAsync(db);
        await foreach (var blob in _repository.Store.ListAsync("data/"))
        {
            var bytes = await _repository.Store.GetAsync(blob.Key);
            bytes[bytes.Length / 2] ^= 0x55;
            await _repository.Store.PutAsync(blob.Key, bytes);
        }

        var copy = db + "_corrupt";
        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            RestoreAsync(manifest, new DatabaseRestoreRequest { TargetConnectionString = Cluster.Uri("postgres"), AsDatabase = copy }));

        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
        Assert.False(await Cluster.ScalarAsync<bool>("postgres", $"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{copy}')"));
        Assert.Empty(Directory.EnumerateFiles(Path.GetTempPath(), $"bt-restore-{manifest.Id}-*"));
    }

    [Fact]
    public async Task A_failing_pg_dump_is_ExternalToolFailed_with_its_stderr_and_writes_no_manifest()
    {
        var db = await NewSampleDatabaseAsync();
        var user = "bt_limited_" + Guid.NewGuid().ToString("N")[..6];
        await Cluster.ExecuteAsync(db, $"CREATE ROLE {user} LOGIN PASSWORD 'Limited-Pw-1'; GRANT CONNECT ON DATABASE {db} TO {user};");
        var connectionString = $"host=127.0.0.1 port={Cluster.State.Port} dbname={db} user={user} password=Limited-Pw-1";

        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            LogicalBackup.RunAsync(_repository, new DatabaseBackupRequest { ConnectionString = connectionString }, null, NullBackupLog.Instance));

        Assert.Equal(BackupErrorKind.ExternalToolFailed, e.Kind);
        Assert.Contains("permission denied", e.Message);
        Assert.DoesNotContain("Limited-Pw-1", e.Message);
        Assert.Empty(await _repository.ListManifestsAsync());
    }

    [Fact]
    public async Task A_cancelled_backup_stops_pg_dump_and_writes_no_manifest()
    {
        var db = await NewSampleDatabaseAsync();
        using var cts = new CancellationTokenSource();
        var cancelOnFirstReport = new Collector<ProgressInfo>(_ => cts.Cancel());

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            LogicalBackup.RunAsync(_repository, new DatabaseBackupRequest { ConnectionString = Cluster.Uri(db) }, cancelOnFirstReport, NullBackupLog.Instance, cts.Token));

        Assert.Empty(await _repository.ListManifestsAsync());
        await Task.Delay(500);
        Assert.Equal(0L, await Cluster.ScalarAsync<long>("postgres",
            $"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}' AND application_name = 'BackupTools'"));
    }

    [Theory]
    [InlineData("wrong-password", BackupErrorKind.AuthenticationFailed)]
    [InlineData("unreachable", BackupErrorKind.ConnectionFailed)]
    [InlineData("garbage", BackupErrorKind.InvalidArgument)]
    public async Task A_failed_connection_is_the_right_error_and_writes_no_manifest(string problem, BackupErrorKind kind)
    {
        var connectionString = problem switch
        {
            "wrong-password" => $"postgresql://postgres:Not-The-Pw@127.0.0.1:{Cluster.State.Port}/postgres",
            "unreachable" => "host=127.0.0.1 port=1 dbname=postgres user=postgres password=Not-The-Pw",
            _ => "Not-The-Pw is not a connection string",
        };

        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            LogicalBackup.RunAsync(_repository, new DatabaseBackupRequest { ConnectionString = connectionString }, null, NullBackupLog.Instance));

        Assert.Equal(kind, e.Kind);
        if (problem != "garbage") Assert.DoesNotContain("Not-The-Pw", e.Message);
        Assert.Empty(await _repository.ListManifestsAsync());
    }

    private async Task<string> NewSampleDatabaseAsync()
    {
        var db = await Cluster.CreateDatabaseAsync("bt");
        await SupabaseSample.LoadAsync(Cluster, db);
        return db;
    }

    private Task<Manifest> BackupAsync(string db, IProgress<ProgressInfo>? progress = null, params string[] tags) =>
        LogicalBackup.RunAsync(_repository, new DatabaseBackupRequest { ConnectionString = Cluster.Uri(db), PgBinDirectory = Cluster.State.BinDirectory },
            progress, NullBackupLog.Instance, tags: tags);

    private Task<DatabaseRestoreOutcome> RestoreAsync(Manifest manifest, DatabaseRestoreRequest request) =>
        LogicalRestore.RunAsync(_repository, manifest, request, null, NullBackupLog.Instance);

    private Task<IReadOnlyList<FingerprintRow>> FingerprintAsync(string db) => SupabaseSample.FingerprintAsync(Cluster.ConnectionString(db));

    /// <summary>A synchronous IProgress (Progress&lt;T&gt; would post to a thread pool and race the assertions).</summary>
    private sealed class Collector<T>(Action<T>? onReport = null) : IProgress<T>
    {
        private readonly ConcurrentQueue<T> _items = new();
        public IEnumerable<T> Items => _items;
        public void Report(T value)
        {
            _items.Enqueue(value);
            onReport?.Invoke(value);
        }
    }
}

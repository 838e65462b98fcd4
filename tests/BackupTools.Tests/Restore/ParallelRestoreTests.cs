using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.Restore;

/// <summary>
/// Restores into a new database with parallel COPY sessions (the default, and Jobs &gt; 1) and streamed into one
/// pg_restore (Jobs = 1), on a real PostgreSQL 15, from a repository with small chunks so the dump has many.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ParallelRestoreTests(PostgresFixture fixture) : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "bt-partest-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _spoolFolder = Path.Combine(Path.GetTempPath(), "bt-parspool-" + Guid.NewGuid().ToString("N")[..8]);
    private BackupRepository _repository = null!;

    private PostgresCluster Cluster => fixture.Cluster;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_spoolFolder);
        _repository = await BackupRepository.CreateAsync(new LocalBlobStore(_folder), "parallel restore test",
            new RepositoryCreateOptions { KdfMemoryKiB = 8 * 1024, KdfIterations = 1, ChunkMinSize = 16 * 1024, ChunkAverageSize = 64 * 1024, ChunkMaxSize = 256 * 1024 });
    }

    public Task DisposeAsync()
    {
        _repository.Dispose();
        Directory.Delete(_folder, recursive: true);
        Directory.Delete(_spoolFolder, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Any_number_of_jobs_restores_policies_grants_sequences_and_content_and_leaves_no_file(int jobs)
    {
        var (db, manifest) = await BackupSampleAsync();
        var copy = $"{db}_j{jobs}";

        var outcome = await LogicalRestore.RunAsync(_repository, manifest, Request(copy, jobs), null, NullBackupLog.Instance);

        Assert.True(outcome.Success, string.Join(" ", outcome.Errors));
        Assert.Contains(outcome.Steps, s => s.Name.StartsWith("Check ") && s.Success);
        Assert.Equal(await FingerprintAsync(db), await FingerprintAsync(copy));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_spoolFolder));
    }

    [Fact]
    public async Task Rows_cut_into_small_segments_are_spread_over_every_session_and_every_table_comes_back_equal()
    {
        var (db, dump, copy, pgRestore) = await BackupSampleAndEmptyCopyAsync("_segments");
        var log = new ListLog();
        var head = Path.Combine(_spoolFolder, "head.dump");

        // 4 KiB segments: every table larger than that is loaded by all three sessions at once, in many COPY runs.
        var done = await ParallelCopyRestore.TryRunAsync(_repository, dump, pgRestore, PgConnectionInfo.Parse(Cluster.Uri(copy)), 3, head, null, log,
            CancellationToken.None, segmentBytes: 4096);

        Assert.True(done);
        Assert.Equal(await FingerprintAsync(db), await FingerprintAsync(copy));
        var perSession = Assert.Single(log.Lines, l => l.StartsWith("Rows per session: "));
        Assert.Equal(3, perSession.Split(", ").Length);
        Assert.DoesNotContain(" 0 bytes", perSession);
        Assert.True(File.Exists(head), "the table of contents is left for the caller");
        Assert.False(File.Exists(head + ".list"));
    }

    [Fact]
    public async Task A_row_the_server_refuses_fails_the_load_naming_the_table_and_the_reason()
    {
        var (_, dump, copy, pgRestore) = await BackupSampleAndEmptyCopyAsync("_refused");
        // The schema restores as usual, but public.posts gets a check no row passes the moment it is created, so the
        // COPY of its rows is refused by the server.
        await Cluster.ExecuteAsync(copy, """
            CREATE FUNCTION public.refuse_posts() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE r record;
            BEGIN
              FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND object_identity = 'public.posts' LOOP
                EXECUTE 'ALTER TABLE public.posts ADD CONSTRAINT refuse_rows CHECK (false) NOT VALID';
              END LOOP;
            END $$;
            CREATE EVENT TRIGGER refuse_posts ON ddl_command_end EXECUTE FUNCTION public.refuse_posts();
            """);
        var head = Path.Combine(_spoolFolder, "refused.dump");

        var e = await Assert.ThrowsAsync<BackupToolsException>(() => ParallelCopyRestore.TryRunAsync(_repository, dump, pgRestore,
            PgConnectionInfo.Parse(Cluster.Uri(copy)), 2, head, null, NullBackupLog.Instance, CancellationToken.None));

        Assert.Equal(BackupErrorKind.ExternalToolFailed, e.Kind);
        Assert.Contains("public.posts", e.Message);
        Assert.Contains("refuse_rows", e.Message);
        File.Delete(head);
    }

    [Fact]
    public async Task A_corrupt_last_chunk_fails_the_parallel_restore_drops_the_new_database_and_removes_the_spool()
    {
        var (db, manifest) = await BackupSampleAsync();
        var dump = manifest.Components[0].Files.Single(f => f.Name == LogicalBackup.DumpFileName);
        Assert.True(dump.Chunks.Count > 4, $"the dump has {dump.Chunks.Count} chunks");
        // The end of the dump: the data processes are already loading when it is read.
        var key = $"data/{dump.Chunks[^1].Id[..2]}/{dump.Chunks[^1].Id}";
        var bytes = await _repository.Store.GetAsync(key);
        bytes[bytes.Length / 2] ^= 0x55;
        await _repository.Store.PutAsync(key, bytes);
        var copy = db + "_late_corrupt";

        var e = await Assert.ThrowsAsync<BackupToolsException>(() =>
            LogicalRestore.RunAsync(_repository, manifest, Request(copy, 2), null, NullBackupLog.Instance));

        Assert.Equal(BackupErrorKind.Corrupt, e.Kind);
        Assert.Contains(dump.Chunks[^1].Id, e.Message);
        Assert.False(await Cluster.ScalarAsync<bool>("postgres", $"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = '{copy}')"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(_spoolFolder));
    }

    private DatabaseRestoreRequest Request(string asDatabase, int jobs) => new()
    {
        TargetConnectionString = Cluster.Uri("postgres"),
        AsDatabase = asDatabase,
        Jobs = jobs,
        TempDirectory = _spoolFolder,
        PgBinDirectory = Cluster.State.BinDirectory,
    };

    /// <summary>For ParallelCopyRestore itself: the sample backed up, its dump, an empty database to load it into, and pg_restore.</summary>
    private async Task<(string Db, FileEntry Dump, string Copy, PgTool PgRestore)> BackupSampleAndEmptyCopyAsync(string suffix)
    {
        var (db, manifest) = await BackupSampleAsync();
        var copy = db + suffix;
        await Cluster.ExecuteAsync("postgres", $"CREATE DATABASE {copy} TEMPLATE template0");
        return (db, manifest.Components[0].Files.Single(f => f.Name == LogicalBackup.DumpFileName), copy,
            await PgTools.FindAsync("pg_restore", 15, Cluster.State.BinDirectory));
    }

    private async Task<(string Db, Manifest Manifest)> BackupSampleAsync()
    {
        var db = await Cluster.CreateDatabaseAsync("bt");
        await SupabaseSample.LoadAsync(Cluster, db);
        var manifest = await LogicalBackup.RunAsync(_repository,
            new DatabaseBackupRequest { ConnectionString = Cluster.Uri(db), PgBinDirectory = Cluster.State.BinDirectory }, null, NullBackupLog.Instance);
        return (db, manifest);
    }

    private Task<IReadOnlyList<FingerprintRow>> FingerprintAsync(string db) => SupabaseSample.FingerprintAsync(Cluster.ConnectionString(db));

    private sealed class ListLog : IBackupLog
    {
        public List<string> Lines { get; } = new();
        public void Write(LogLevel level, string message) { lock (Lines) Lines.Add(message); }
    }
}

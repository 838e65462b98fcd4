using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.EndToEnd;

/// <summary>
/// Restore over a live database the safe way (restore point, restore beside it, check, swap) and restore drills,
/// on the run's real PostgreSQL 15.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SafeRestoreTests(PostgresFixture fixture) : IAsyncLifetime
{
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);
    private readonly TempFolder _folder = new("safe-restore");
    private BackupRepository _repository = null!;

    public async Task InitializeAsync() =>
        _repository = await BackupRepository.CreateAsync(new LocalBlobStore(_folder.Path), EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());

    public Task DisposeAsync()
    {
        _repository.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Backup_records_a_content_checksum_per_table_that_changes_with_the_content()
    {
        var db = await _e2e.NewSampleDatabaseAsync("checksum");
        var first = await _e2e.BackupAsync(_repository, db);
        await _e2e.Cluster.ExecuteAsync(db, "UPDATE public.posts SET title = title || '!' WHERE id = 7");
        var second = await _e2e.BackupAsync(_repository, db);

        TableInfo Posts(Manifest m) => m.Components[0].Tables!.Single(t => t is { Schema: "public", Name: "posts" });
        Assert.NotNull(Posts(first).Checksum);
        Assert.Equal(Posts(first).Rows, Posts(second).Rows);
        Assert.NotEqual(Posts(first).Checksum, Posts(second).Checksum);
        var profiles = (Manifest m) => m.Components[0].Tables!.Single(t => t is { Schema: "public", Name: "profiles" }).Checksum;
        Assert.Equal(profiles(first), profiles(second));
    }

    [Fact]
    public async Task Database_settings_comment_and_grants_come_back_with_the_swapped_in_database_and_stay_off_a_copy_beside_it()
    {
        var db = await _e2e.NewSampleDatabaseAsync("dbprops");
        var q = '"' + db + '"';
        await _e2e.Cluster.ExecuteAsync("postgres", $"""
            ALTER DATABASE {q} SET search_path TO app, public;
            ALTER DATABASE {q} SET "app.settings.jwt_exp" TO '3600';
            COMMENT ON DATABASE {q} IS 'the project database';
            REVOKE CONNECT ON DATABASE {q} FROM PUBLIC;
            GRANT CONNECT ON DATABASE {q} TO anon;
            """);
        async Task<string> PropertiesAsync(string name) => await _e2e.Cluster.ScalarAsync<string>("postgres", $"""
            SELECT concat_ws(' | ',
                (SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
                 WHERE d.datname = '{name}' AND s.setrole = 0),
                shobj_description((SELECT oid FROM pg_database WHERE datname = '{name}'), 'pg_database'),
                (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM pg_database, unnest(datacl) a WHERE datname = '{name}'))
            """) ?? "";
        var expected = await PropertiesAsync(db);
        Assert.Contains("jwt_exp=3600", expected);
        Assert.Contains("anon=c/", expected);
        var backup = await _e2e.BackupAsync(_repository, db);

        // Whatever the live database has now is replaced by what the backup holds.
        await _e2e.Cluster.ExecuteAsync("postgres", $"ALTER DATABASE {q} RESET ALL; COMMENT ON DATABASE {q} IS NULL; GRANT CONNECT ON DATABASE {q} TO PUBLIC;");
        var outcome = await _e2e.RestoreInPlaceAsync(_repository, backup, db);
        Assert.True(outcome.Success, string.Join("; ", outcome.Errors));
        Assert.True(outcome.Warnings.Count == 0, string.Join("; ", outcome.Warnings));
        Assert.Equal(expected, await PropertiesAsync(db));

        // A copy beside it (another name) gets none of them, and the original keeps its own.
        var beside = db + "_copy";
        var copy = await _e2e.RestoreAsNewAsync(_repository, backup, beside);
        Assert.True(copy.Success, string.Join("; ", copy.Errors));
        Assert.DoesNotContain(copy.Steps, s => s.Name.StartsWith("Apply the database", StringComparison.Ordinal));
        Assert.DoesNotContain("jwt_exp", await PropertiesAsync(beside));
        Assert.Equal(expected, await PropertiesAsync(db));
    }

    [Fact]
    public async Task In_place_restore_takes_a_restore_point_checks_the_copy_and_swaps_it_in()
    {
        var db = await _e2e.NewSampleDatabaseAsync("safe");
        var original = await _e2e.FingerprintAsync(db);
        var backup = await _e2e.BackupAsync(_repository, db);
        await _e2e.DamageSampleAsync(db);
        // pg_restore refreshes materialized views; refresh now so "as it was" is comparable.
        await _e2e.Cluster.ExecuteAsync(db, "REFRESH MATERIALIZED VIEW public.post_stats");
        var damaged = await _e2e.FingerprintAsync(db);

        var log = new CollectingLog();
        var outcome = await LogicalRestore.RunAsync(_repository, backup,
            new DatabaseRestoreRequest { TargetConnectionString = _e2e.Cluster.Uri(db), PgBinDirectory = _e2e.Cluster.State.BinDirectory }, null, log);

        Assert.True(outcome.Success, string.Join("; ", outcome.Errors));
        Assert.Equal(original, await _e2e.FingerprintAsync(db));
        // pg_amcheck ran on the copy (superuser here) and the amcheck extension it installed is gone again.
        Assert.DoesNotContain(log.Messages, m => m.Contains("pg_amcheck"));
        Assert.Equal(0L, await _e2e.Cluster.ScalarAsync<long>(db, "SELECT count(*) FROM pg_extension WHERE extname = 'amcheck'"));
        Assert.Collection(outcome.Steps.Select(s => s.Name),
            s => Assert.Equal("Take a restore point", s),
            s => Assert.Equal("Create missing roles", s),
            s => Assert.StartsWith("pg_restore into staging database", s),
            s => Assert.StartsWith("Check ", s),
            s => Assert.Equal($"Swap the restored database in for {db}", s),
            s => Assert.Equal("Apply the database's settings, comment and grants", s));
        Assert.All(outcome.Steps, s => Assert.True(s.Success));
        // The restore point holds the database as it was just before (damaged), and restores as such.
        var restorePoint = await _repository.LoadManifestAsync(outcome.RestorePointId!);
        Assert.Equal(new[] { LogicalRestore.RestorePointTag }, restorePoint.Tags);
        var before = db + "_before";
        var fromRestorePoint = await _e2e.RestoreAsNewAsync(_repository, restorePoint, before);
        Assert.True(fromRestorePoint.Success, string.Join("; ", fromRestorePoint.Errors));
        Assert.Equal(damaged, await _e2e.FingerprintAsync(before));
        Assert.Empty(await LeftoverDatabasesAsync(db));
    }

    [Fact]
    public async Task A_restored_copy_that_fails_its_check_is_never_swapped_in()
    {
        var db = await _e2e.NewSampleDatabaseAsync("nocheck");
        var backup = await _e2e.BackupAsync(_repository, db);
        await _e2e.Cluster.ExecuteAsync(db, "INSERT INTO public.posts (author_id, title) SELECT author_id, 'after the backup' FROM public.posts LIMIT 1");
        var live = await _e2e.FingerprintAsync(db);
        // What the backup recorded no longer matches what it restores: as if the dump were wrong.
        var tables = backup.Components[0].Tables!;
        tables.Single(t => t is { Schema: "public", Name: "posts" }).Checksum += 1;
        var last = tables.Last(t => t.RowCountExact && t.Rows > 0 && t is not { Schema: "public", Name: "posts" });
        last.Rows += 1;

        var outcome = await _e2e.RestoreInPlaceAsync(_repository, backup, db);

        Assert.False(outcome.Success);
        Assert.Contains(outcome.Errors, e => e.Contains("public.posts") && e.Contains("checksum"));
        // The tables are checked by several sessions at once; their problems still come in the backup's order.
        var expected = tables.Where(t => t == last || t is { Schema: "public", Name: "posts" }).Select(t => $"Table {t.Schema}.{t.Name} ").ToList();
        Assert.Equal(expected, outcome.Errors.Where(e => e.StartsWith("Table ")).Select(e => e[..(e.IndexOf(' ', 6) + 1)]).ToList());
        Assert.Contains(outcome.Errors, e => e.Contains("Nothing was swapped"));
        Assert.False(outcome.Steps.Last().Success);
        Assert.DoesNotContain(outcome.Steps, s => s.Name.StartsWith("Swap"));
        Assert.Equal(live, await _e2e.FingerprintAsync(db)); // the original is still in service, untouched
        Assert.Empty(await LeftoverDatabasesAsync(db));
    }

    [Fact]
    public async Task A_restore_drill_restores_checks_drops_and_records_the_result()
    {
        var db = await _e2e.NewSampleDatabaseAsync("drill");
        var backup = await _e2e.BackupAsync(_repository, db);
        var request = new RestoreDrillRequest { TargetServer = _e2e.Cluster.Uri("postgres"), PgBinDirectory = _e2e.Cluster.State.BinDirectory };

        var drill = await RestoreDrill.RunAsync(_repository, backup, request, null, NullBackupLog.Instance);

        Assert.True(drill.Success, string.Join("; ", drill.Errors));
        Assert.True(drill.WithinRto);
        Assert.True(drill.RecoveryTime > TimeSpan.Zero);
        Assert.False(await _e2e.DatabaseExistsAsync(drill.ScratchDatabase));
        var recorded = (await _repository.LoadManifestAsync(backup.Id)).Verifications.Last();
        Assert.Equal(("Restore", true), (recorded.Level, recorded.Success));
        Assert.Equal(drill.RecoveryTime.TotalSeconds, recorded.DurationSeconds!.Value, 3);

        // An objective the restore cannot meet fails the drill, and that is recorded too.
        var tooTight = await RestoreDrill.RunAsync(_repository, backup, new RestoreDrillRequest
        {
            TargetServer = request.TargetServer, PgBinDirectory = request.PgBinDirectory, RtoTarget = TimeSpan.FromMilliseconds(1),
        }, null, NullBackupLog.Instance);
        Assert.False(tooTight.Success);
        Assert.Contains(tooTight.Errors, e => e.Contains("recovery-time objective"));
        Assert.False((await _repository.LoadManifestAsync(backup.Id)).Verifications.Last().Success);
    }

    private sealed class CollectingLog : IBackupLog
    {
        public List<string> Messages { get; } = new();
        public void Write(LogLevel level, string message)
        {
            lock (Messages) Messages.Add(message);
        }
    }

    [Fact]
    public async Task A_drill_of_a_200k_row_database_passes_and_leaves_no_scratch_database_or_temp_file_behind()
    {
        var db = await _e2e.Cluster.CreateDatabaseAsync("drill200k");
        await _e2e.Cluster.ExecuteAsync(db, """
            CREATE TABLE public.orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric(12,2), placed timestamptz);
            INSERT INTO public.orders SELECT g, 'customer ' || (g % 997), (g % 10000) / 100.0, '2026-01-01'::timestamptz + g * interval '1 minute'
            FROM generate_series(1, 200000) g;
            """);
        var backup = await _e2e.BackupAsync(_repository, db);
        var orders = backup.Components[0].Tables!.Single(t => t.Name == "orders");
        Assert.Equal(200000L, orders.Rows);
        Assert.NotNull(orders.Checksum);
        var tempBefore = Directory.GetFiles(Path.GetTempPath(), "bt-restore-*");

        var drill = await RestoreDrill.RunAsync(_repository, backup,
            new RestoreDrillRequest { TargetServer = _e2e.Cluster.Uri("postgres"), PgBinDirectory = _e2e.Cluster.State.BinDirectory }, null, NullBackupLog.Instance);

        Assert.True(drill.Success, string.Join("; ", drill.Errors));
        Assert.Contains(drill.Steps, s => s.Name.StartsWith("Check ") && s.Success);
        Assert.True(drill.RecoveryTime > TimeSpan.Zero);
        Assert.Empty(await LeftoverDatabasesAsync(db));
        Assert.Equal(tempBefore, Directory.GetFiles(Path.GetTempPath(), "bt-restore-*"));
    }

    /// <summary>Staging, aside or drill databases a restore of <paramref name="db"/> may have left behind.</summary>
    private async Task<List<string>> LeftoverDatabasesAsync(string db)
    {
        var names = await _e2e.Cluster.ScalarAsync<string>("postgres",
            $"SELECT string_agg(datname, ',') FROM pg_database WHERE datname LIKE '{db}\\_bt\\_%'");
        return names is null ? new List<string>() : names.Split(',').ToList();
    }
}

using BackupTools.Core.Configuration;
using BackupTools.Core.Repository;
using BackupTools.Core.Schedules;
using BackupTools.Core.Storage;
using BackupTools.Tests.EndToEnd;
using BackupTools.Tests.Postgres;
using Xunit;

namespace BackupTools.Tests.Schedules;

/// <summary>A scheduled backup job and a scheduled cold copy run for real: PostgreSQL 15, local repositories registered with key files.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ScheduledRunEndToEndTests(PostgresFixture fixture) : IDisposable
{
    private const string ColdPassphrase = "cold passphrase for the schedule test";
    private static readonly DateTimeOffset Registered = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly EndToEndHelpers _e2e = new(fixture.Cluster);
    private readonly TempFolder _folder = new("bt-schedule-e2e");
    private readonly TempSchedule _schedule = new();

    public void Dispose()
    {
        _schedule.Dispose();
        _folder.Dispose();
    }

    /// <summary>Creates a local repository and registers it under <paramref name="name"/> with a key file holding its passphrase.</summary>
    private async Task<string> CreateRegisteredAsync(RepositoryRegistry registry, string name, string passphrase)
    {
        var path = Path.Combine(_folder.Path, name);
        using (var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(path)))
        using (await BackupRepository.CreateAsync(store, passphrase, EndToEndHelpers.FastOptions())) { }
        var keyFile = Path.Combine(_folder.Path, name + ".key");
        await File.WriteAllTextAsync(keyFile, passphrase + "\n");
        registry.Register(new RepositoryRegistration { Name = name, Repository = path, KeyFile = keyFile, Registered = Registered }, replace: false);
        return path;
    }

    /// <summary>
    /// Registers "main" and <paramref name="job"/> (daily at 02:00 UTC) backing up a new database with a 1,000-row table into it;
    /// returns an invoker, its clock (at 03:00 the day after registration: the job is due) and main's path.
    /// </summary>
    private async Task<(ScheduleInvoker Invoker, ManualClock Clock, string MainPath)> NightlyOfNewDatabaseAsync(string prefix, ScheduleJob job)
    {
        Directory.CreateDirectory(_folder.Path);
        var registry = new RepositoryRegistry(Path.Combine(_folder.Path, "repositories.json"));
        var mainPath = await CreateRegisteredAsync(registry, "main", EndToEndHelpers.Passphrase);
        var db = await fixture.Cluster.CreateDatabaseAsync(prefix);
        await fixture.Cluster.ExecuteAsync(db, "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS note FROM generate_series(1, 1000) g");
        (job.Cron, job.TimeZone, job.Registered, job.Database) = ("0 2 * * *", "UTC", Registered, UriWithoutPassword(db));
        (job.PgBinDirectory, job.Repositories) = (fixture.Cluster.State.BinDirectory, ["main"]);
        _schedule.File.Register(job, replace: false);
        var clock = new ManualClock(Registered.AddDays(1).AddHours(-9));
        return (new ScheduleInvoker(_schedule.File, new ScheduledJobRunner(new RepositoryOpener(registry)), clock), clock, mainPath);
    }

    /// <summary>
    /// Invokes the schedule <paramref name="nights"/> times, moving <paramref name="clock"/> a day on in between, with the database password in PGPASSWORD as under
    /// cron or systemd (only the Postgres collection's tests use the cluster, one at a time, so this disturbs none of them).
    /// </summary>
    private async Task<List<JobRun>> InvokeWithPasswordAsync(ScheduleInvoker invoker, ManualClock clock, int nights)
    {
        var runs = new List<JobRun>();
        Environment.SetEnvironmentVariable("PGPASSWORD", fixture.Cluster.State.Password);
        try
        {
            for (var night = 0; night < nights; night++)
            {
                if (night > 0) clock.Now = clock.Now.AddDays(1);
                runs.AddRange((await invoker.InvokeAsync(null, null, Core.NullBackupLog.Instance)).Runs);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }
        return runs;
    }

    private string UriWithoutPassword(string db)
        => $"postgresql://{fixture.Cluster.State.User}@{fixture.Cluster.State.Host}:{fixture.Cluster.State.Port}/{db}";

    [Fact]
    public async Task A_due_backup_job_and_a_cold_copy_run_against_real_postgres_and_record_their_results()
    {
        Directory.CreateDirectory(_folder.Path);
        var registry = new RepositoryRegistry(Path.Combine(_folder.Path, "repositories.json"));
        var mainPath = await CreateRegisteredAsync(registry, "main", EndToEndHelpers.Passphrase);
        await CreateRegisteredAsync(registry, "cold", ColdPassphrase);
        var db = await _e2e.NewSampleDatabaseAsync("sched");
        var original = await _e2e.FingerprintAsync(db);
        var configFolder = Path.Combine(_folder.Path, "supabase");
        Directory.CreateDirectory(configFolder);
        await File.WriteAllTextAsync(Path.Combine(configFolder, "kong.yml"), "_format_version: '2.1'\n");

        _schedule.File.Register(new ScheduleJob
        {
            Name = "nightly", Cron = "0 2 * * *", TimeZone = "UTC", Registered = Registered, Database = UriWithoutPassword(db),
            PgBinDirectory = fixture.Cluster.State.BinDirectory, ConfigPaths = [configFolder], Repositories = ["main"], Tags = ["nightly"], Verify = "Full",
        }, replace: false);
        _schedule.File.Register(new ScheduleJob
        {
            Name = "monthly-cold-copy", Cron = "0 5 1 * *", TimeZone = "UTC", Registered = Registered, Action = ScheduleAction.Copy,
            Repositories = ["main"], CopyTo = "cold", Verify = "Quick",
        }, replace: false);
        var clock = new ManualClock(Registered.AddDays(1).AddHours(-9)); // 2026-03-02 03:00: the nightly is due, the monthly not
        var invoker = new ScheduleInvoker(_schedule.File, new ScheduledJobRunner(new RepositoryOpener(registry)), clock);

        // As under cron or systemd: the password comes from the environment, not the schedule file. (Only the
        // Postgres collection's tests use the cluster, one at a time, so setting it here disturbs none of them.)
        ScheduleInvocation night, month;
        Environment.SetEnvironmentVariable("PGPASSWORD", fixture.Cluster.State.Password);
        try
        {
            night = await invoker.InvokeAsync(null, null, Core.NullBackupLog.Instance);
            clock.Now = new DateTimeOffset(2026, 4, 1, 6, 0, 0, TimeSpan.Zero);  // both due: the nightly catches up once, then the copy
            month = await invoker.InvokeAsync(null, null, Core.NullBackupLog.Instance);
        }
        finally
        {
            Environment.SetEnvironmentVariable("PGPASSWORD", null);
        }
        Assert.DoesNotContain(fixture.Cluster.State.Password, File.ReadAllText(_schedule.File.FilePath));

        var nightRun = Assert.Single(night.Runs);
        Assert.True(nightRun.Outcome.Success, nightRun.Outcome.Message);
        Assert.Equal(new[] { "monthly-cold-copy", "nightly" }, month.Runs.Select(r => r.Job));
        Assert.All(month.Runs, r => Assert.True(r.Outcome.Success, r.Outcome.Message));
        var state = _schedule.File.LoadState();
        using var mainStore = BlobStoreFactory.Open(BlobStoreFactory.Parse(mainPath));
        using var main = await BackupRepository.OpenAsync(mainStore, EndToEndHelpers.Passphrase);
        var backups = await main.ListManifestsAsync();
        Assert.Equal(2, backups.Count);
        Assert.All(backups, m => Assert.Equal(new[] { "nightly" }, m.Tags));
        Assert.All(backups, m => Assert.Equal(new[] { "database", "config" }, m.Components.OrderBy(c => c.Order).Select(c => c.Type)));
        Assert.All(backups, m => Assert.True(m.Verifications.Single().Success));
        // Two backups may start within the same second, so they are told apart by the ids the runs reported.
        var first = backups.Single(m => m.Id == nightRun.Outcome.BackupId);
        Assert.Single(backups, m => m.Id == state["nightly"].LastBackupId && m.Id != first.Id);

        // The copy ran before the second nightly (jobs run in name order), so it copied the first backup, and it restores.
        Assert.Equal(first.Id, state["monthly-cold-copy"].LastBackupId);
        using var coldStore = BlobStoreFactory.Open(BlobStoreFactory.Parse(Path.Combine(_folder.Path, "cold")));
        using var cold = await BackupRepository.OpenAsync(coldStore, ColdPassphrase);
        var copy = await cold.LoadManifestAsync(first.Id);
        Assert.Equal(first.Components.SelectMany(c => c.Files).Select(f => (f.Name, f.Sha256, f.Fs?.Type)),
            copy.Components.SelectMany(c => c.Files).Select(f => (f.Name, f.Sha256, f.Fs?.Type))); // folders and files, metadata kept
        Assert.All(await cold.VerifyAsync(copy, VerifyLevel.Full), c => Assert.True(c.Success, string.Join("; ", c.Errors)));
        var restored = await _e2e.RestoreAsNewAsync(cold, copy, db + "_cold");
        Assert.True(restored.Success, string.Join("; ", restored.Errors));
        Assert.Equal(original, await _e2e.FingerprintAsync(db + "_cold"));
    }

    [Fact]
    public async Task A_job_with_Verify_Restore_backs_up_then_drills_the_new_backup_and_the_status_sees_the_drill()
    {
        var (invoker, clock, mainPath) = await NightlyOfNewDatabaseAsync("scheddrill", new ScheduleJob { Name = "drilled", Verify = "Restore" });

        var runs = await InvokeWithPasswordAsync(invoker, clock, 1);

        var run = Assert.Single(runs);
        Assert.True(run.Outcome.Success, run.Outcome.Message);
        Assert.Contains("Restore drill passed", run.Outcome.Message);
        using var mainStore = BlobStoreFactory.Open(BlobStoreFactory.Parse(mainPath));
        using var main = await BackupRepository.OpenAsync(mainStore, EndToEndHelpers.Passphrase);
        var backup = Assert.Single(await main.ListManifestsAsync());
        Assert.Equal(run.Outcome.BackupId, backup.Id);
        Assert.Equal(new[] { ("Quick", true), ("Restore", true) }, backup.Verifications.Select(v => (v.Level, v.Success)));
        Assert.True(backup.Verifications[1].DurationSeconds > 0);
        var status = await Core.Reports.StatusReader.ReadAsync(main, "main", new Core.Reports.StatusPolicy(), clock.Now);
        var drill = Assert.Single(status.Sources).LastDrill;
        Assert.NotNull(drill);
        Assert.True(drill!.Success);
        // The scratch database is gone.
        Assert.Equal(0L, await fixture.Cluster.ScalarAsync<long>("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_bt\\_drill%'"));
    }

    [Fact]
    public async Task A_failed_scheduled_drill_fails_the_run_and_the_status_shows_it()
    {
        var (invoker, clock, mainPath) = await NightlyOfNewDatabaseAsync("scheddrillrto",
            new ScheduleJob { Name = "drilled", Verify = "Restore", RtoTarget = TimeSpan.FromMilliseconds(1) });

        var run = Assert.Single(await InvokeWithPasswordAsync(invoker, clock, 1));

        Assert.False(run.Outcome.Success);
        Assert.Contains($"restore drill of backup {run.Outcome.BackupId}", run.Outcome.Message);
        Assert.Contains("recovery-time objective", run.Outcome.Message);
        Assert.Equal(ScheduleRunResult.Failed, _schedule.File.LoadState()["drilled"].LastResult);
        using var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(mainPath));
        using var main = await BackupRepository.OpenAsync(store, EndToEndHelpers.Passphrase);
        var status = await Core.Reports.StatusReader.ReadAsync(main, "main", new Core.Reports.StatusPolicy(), clock.Now);
        Assert.False(Assert.Single(status.Sources).LastDrill!.Success);
        Assert.Equal(Core.Reports.HealthState.Critical, status.State);
    }

    [Fact]
    public async Task The_retention_policy_is_applied_after_each_scheduled_backup()
    {
        var (invoker, clock, mainPath) = await NightlyOfNewDatabaseAsync("schedkeep",
            new ScheduleJob { Name = "nightly", Verify = "Quick", Retention = new RetentionSettings { KeepLast = 1 } });

        var runs = await InvokeWithPasswordAsync(invoker, clock, 2);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.True(r.Outcome.Success, r.Outcome.Message));
        Assert.Contains("1 kept, 1 removed", runs[1].Outcome.Message);
        using var store = BlobStoreFactory.Open(BlobStoreFactory.Parse(mainPath));
        using var main = await BackupRepository.OpenAsync(store, EndToEndHelpers.Passphrase);
        Assert.Equal(runs[1].Outcome.BackupId, Assert.Single(await main.ListManifestsAsync()).Id);
    }

    [Fact]
    public async Task A_job_whose_database_is_unreachable_is_recorded_as_failed()
    {
        Directory.CreateDirectory(_folder.Path);
        var registry = new RepositoryRegistry(Path.Combine(_folder.Path, "repositories.json"));
        await CreateRegisteredAsync(registry, "main", EndToEndHelpers.Passphrase);
        _schedule.File.Register(new ScheduleJob
        {
            Name = "broken", Cron = "@hourly", Registered = Registered, Repositories = ["main"],
            Database = $"postgresql://postgres@127.0.0.1:{EndToEndHelpers.ClosedLoopbackPort()}/nowhere?connect_timeout=2",
        }, replace: false);
        var clock = new ManualClock(Registered.AddHours(2));

        var invocation = await new ScheduleInvoker(_schedule.File, new ScheduledJobRunner(new RepositoryOpener(registry)), clock)
            .InvokeAsync(null, null, Core.NullBackupLog.Instance);

        Assert.True(invocation.AnyFailed);
        var state = _schedule.File.LoadState()["broken"];
        Assert.Equal(ScheduleRunResult.Failed, state.LastResult);
        Assert.Contains("127.0.0.1", state.LastMessage);
    }
}

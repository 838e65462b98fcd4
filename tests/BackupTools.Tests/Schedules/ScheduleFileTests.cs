using BackupTools.Core;
using BackupTools.Core.Schedules;
using Xunit;

namespace BackupTools.Tests.Schedules;

/// <summary>The schedule file: validation at registration, no secrets, state kept apart.</summary>
public sealed class ScheduleFileTests : IDisposable
{
    private static readonly DateTimeOffset Registered = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempSchedule _schedule = new();

    public void Dispose() => _schedule.Dispose();

    [Fact]
    public void A_connection_string_with_a_password_is_refused_and_the_password_not_repeated()
    {
        var job = TempSchedule.Job("daily", "0 2 * * *", Registered);
        job.Database = "postgresql://postgres:Sup3rSecret@db.example.com:5432/app";

        var error = Assert.Throws<BackupToolsException>(() => _schedule.File.Register(job, replace: false));

        Assert.Equal(BackupErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("PGPASSWORD", error.Message);
        Assert.DoesNotContain("Sup3rSecret", error.Message);
        Assert.DoesNotContain("Sup3rSecret", error.Target?.ToString() ?? "");
        Assert.False(File.Exists(_schedule.File.FilePath));
    }

    [Fact]
    public void Jobs_are_validated_before_they_are_written()
    {
        var noRepository = TempSchedule.Job("a", "0 2 * * *", Registered);
        noRepository.Repositories.Clear();
        var nothing = TempSchedule.Job("b", "0 2 * * *", Registered);
        nothing.Database = null;
        var badCron = TempSchedule.Job("c", "0 2 * *", Registered);
        var copyWithoutDestination = TempSchedule.Job("d", "0 2 * * *", Registered);
        copyWithoutDestination.Action = ScheduleAction.Copy;

        foreach (var job in new[] { noRepository, nothing, badCron, copyWithoutDestination })
            Assert.Equal(BackupErrorKind.InvalidArgument, Assert.Throws<BackupToolsException>(() => _schedule.File.Register(job, false)).Kind);
        Assert.Empty(_schedule.File.LoadJobs());
    }

    [Fact]
    public void Verify_Restore_is_a_backup_jobs_choice_and_refused_for_a_copy_job()
    {
        var drilled = TempSchedule.Job("drilled", "0 2 * * *", Registered);
        drilled.Verify = "restore";
        _schedule.File.Register(drilled, replace: false);
        Assert.Equal("restore", Assert.Single(_schedule.File.LoadJobs()).Verify);

        var copy = TempSchedule.Job("copy", "0 5 1 * *", Registered);
        (copy.Action, copy.CopyTo, copy.Verify) = (ScheduleAction.Copy, "cold", "Restore");
        var refused = Assert.Throws<BackupToolsException>(() => _schedule.File.Register(copy, false));
        Assert.Equal((BackupErrorKind.InvalidArgument, "Restore"), (refused.Kind, refused.Target));
        Assert.Contains("Copy job 'copy'", refused.Message);

        var unknown = TempSchedule.Job("unknown", "0 2 * * *", Registered);
        unknown.Verify = "Drill";
        var error = Assert.Throws<BackupToolsException>(() => _schedule.File.Register(unknown, false));
        Assert.Contains("None, Quick, Full or Restore", error.Message);

        var rtoWithoutDrill = TempSchedule.Job("rto", "0 2 * * *", Registered);
        rtoWithoutDrill.RtoTarget = TimeSpan.FromMinutes(5);
        Assert.Contains("needs Verify Restore", Assert.Throws<BackupToolsException>(() => _schedule.File.Register(rtoWithoutDrill, false)).Message);
        Assert.Single(_schedule.File.LoadJobs());
    }

    [Fact]
    public void A_taken_name_needs_replace_and_a_new_timing_forgets_the_old_state()
    {
        _schedule.File.Register(TempSchedule.Job("daily", "0 2 * * *", Registered), replace: false);
        _schedule.File.SaveState("daily", new ScheduleJobState { LastRun = Registered, LastResult = ScheduleRunResult.Succeeded });

        var taken = Assert.Throws<BackupToolsException>(() => _schedule.File.Register(TempSchedule.Job("DAILY", "0 2 * * *", Registered), false));
        Assert.Equal(BackupErrorKind.InvalidOperation, taken.Kind);

        var sameTiming = TempSchedule.Job("daily", "0 2 * * *", Registered);
        sameTiming.Tags = ["changed"];
        _schedule.File.Register(sameTiming, replace: true);
        Assert.True(_schedule.File.LoadState().ContainsKey("daily"));
        Assert.Equal(new[] { "changed" }, Assert.Single(_schedule.File.LoadJobs()).Tags);

        _schedule.File.Register(TempSchedule.Job("daily", "0 3 * * *", Registered), replace: true);
        Assert.False(_schedule.File.LoadState().ContainsKey("daily"));
    }

    [Fact]
    public void Unregister_removes_the_job_and_its_state_and_the_files_hold_no_secret()
    {
        _schedule.File.Register(TempSchedule.Job("daily", "0 2 * * *", Registered), replace: false);
        _schedule.File.Register(TempSchedule.Job("weekly", "0 2 * * 0", Registered), replace: false);
        _schedule.File.SaveState("daily", new ScheduleJobState { LastRun = Registered });

        Assert.True(_schedule.File.Unregister("Daily"));
        Assert.False(_schedule.File.Unregister("daily"));

        Assert.Equal(new[] { "weekly" }, _schedule.File.LoadJobs().Select(j => j.Name));
        Assert.Empty(_schedule.File.LoadState());
        Assert.Contains("\"cron\": \"0 2 * * 0\"", File.ReadAllText(_schedule.File.FilePath));
    }

    [Fact]
    public void A_damaged_schedule_file_is_Corrupt_naming_the_file()
    {
        Directory.CreateDirectory(_schedule.Folder);
        File.WriteAllText(_schedule.File.FilePath, "{ not json");
        var error = Assert.Throws<BackupToolsException>(() => _schedule.File.LoadJobs());
        Assert.Equal(BackupErrorKind.Corrupt, error.Kind);
        Assert.Contains(_schedule.File.FilePath, error.Message);
    }

    [Fact]
    public void The_default_plan_is_daily_weekly_and_a_monthly_cold_copy_with_7_4_12_retention()
    {
        var jobs = DefaultPlan.Create(new DefaultPlanOptions
        {
            Database = "postgresql://postgres@db/app", Storage = "https://ref.storage.supabase.co/storage/v1/s3", ConfigPaths = ["/srv/supabase/.env"],
            Repositories = ["main", "offsite"], ColdRepository = "cold", TimeZone = "Europe/Berlin", Registered = Registered,
        });
        foreach (var job in jobs) _schedule.File.Register(job, replace: false); // every job is valid

        var daily = jobs.Single(j => j.Name == DefaultPlan.Daily);
        var weekly = jobs.Single(j => j.Name == DefaultPlan.Weekly);
        var monthly = jobs.Single(j => j.Name == DefaultPlan.Monthly);
        Assert.Equal(("0 2 * * 1-6", false, 0), (daily.Cron, daily.FullStorageRead, daily.ConfigPaths.Count));
        Assert.Equal(("0 2 * * 0", true, "Full"), (weekly.Cron, weekly.FullStorageRead, weekly.Verify));
        Assert.Equal(new[] { "/srv/supabase/.env" }, weekly.ConfigPaths);
        Assert.Equal((ScheduleAction.Copy, "cold", "main", "0 5 1 * *"), (monthly.Action, monthly.CopyTo, monthly.Repositories.Single(), monthly.Cron));
        Assert.All(new[] { daily, weekly }, j => Assert.Equal((7, 4, 12), (j.Retention!.KeepDaily, j.Retention.KeepWeekly, j.Retention.KeepMonthly)));
        Assert.All(jobs, j => Assert.Equal("Europe/Berlin", j.TimeZone));
        Assert.Equal(2, DefaultPlan.Create(new DefaultPlanOptions { Database = "postgresql://postgres@db/app", Repositories = ["main"] }).Count);
    }
}

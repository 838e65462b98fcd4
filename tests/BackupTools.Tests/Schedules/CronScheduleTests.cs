using BackupTools.Core;
using BackupTools.Core.Schedules;
using Xunit;

namespace BackupTools.Tests.Schedules;

/// <summary>The due rule over Cronos: (last run, now], catch-up once, time zones and daylight saving.</summary>
public sealed class CronScheduleTests
{
    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public void A_new_job_counts_from_its_registration()
    {
        var daily = CronSchedule.Parse("0 2 * * *", null);
        var registered = Utc(3, 10, 1);
        Assert.Null(daily.DueOccurrence(registered, Utc(3, 10, 1, 59)));
        Assert.Equal(Utc(3, 10, 2), daily.DueOccurrence(registered, Utc(3, 10, 2)));
        // Registered after today's slot: nothing until tomorrow.
        Assert.Null(daily.DueOccurrence(Utc(3, 10, 2, 30), Utc(3, 10, 23)));
    }

    [Fact]
    public void Missed_slots_make_one_due_occurrence_and_the_run_consumes_them_all()
    {
        var daily = CronSchedule.Parse("0 2 * * *", null);
        var lastRun = Utc(3, 1, 2, 0);
        var now = Utc(3, 5, 10);
        Assert.Equal(Utc(3, 2, 2), daily.DueOccurrence(lastRun, now)); // four slots missed, one occurrence reported
        Assert.Null(daily.DueOccurrence(now, Utc(3, 6, 1, 59)));       // after the catch-up run at "now"
        Assert.Equal(Utc(3, 6, 2), daily.DueOccurrence(now, Utc(3, 6, 2, 1)));
    }

    [Fact]
    public void Times_are_read_in_the_job_time_zone_across_daylight_saving()
    {
        var berlin = CronSchedule.Parse("0 2 * * *", "Europe/Berlin");
        // 2026-03-29: clocks jump from 02:00 to 03:00 CEST; the 02:00 slot runs at 03:00 CEST = 01:00 UTC.
        Assert.Equal(Utc(3, 29, 1), berlin.NextAfter(Utc(3, 28, 12)));
        Assert.Equal(Utc(3, 30, 0), berlin.NextAfter(Utc(3, 29, 1)));  // 02:00 CEST
        Assert.Equal(Utc(3, 28, 1), berlin.NextAfter(Utc(3, 27, 12))); // 02:00 CET
        // 2026-10-25: 02:00 happens twice (CEST, then CET); the job runs once.
        var october = berlin.NextAfter(Utc(10, 24, 12))!.Value;
        Assert.Equal(Utc(10, 25, 0), october);
        Assert.Equal(Utc(10, 26, 1), berlin.NextAfter(october));
    }

    [Fact]
    public void Weekly_monthly_and_seconds_forms_parse()
    {
        Assert.Equal(Utc(3, 1, 2), CronSchedule.Parse("0 2 * * 0", null).NextAfter(Utc(2, 26, 0)));  // 2026-03-01 is a Sunday
        Assert.Equal(Utc(4, 1, 5), CronSchedule.Parse("0 5 1 * *", null).NextAfter(Utc(3, 1, 6)));
        Assert.Equal(Utc(3, 1, 0, 0).AddSeconds(30), CronSchedule.Parse("30 * * * * *", null).NextAfter(Utc(3, 1, 0)));
        Assert.Equal(Utc(3, 2, 0), CronSchedule.Parse("@daily", null).NextAfter(Utc(3, 1, 0)));
    }

    [Theory]
    [InlineData("0 25 * * *")]
    [InlineData("every day")]
    [InlineData("")]
    public void A_bad_cron_expression_is_InvalidArgument_naming_it(string cron)
    {
        var error = Assert.Throws<BackupToolsException>(() => CronSchedule.Parse(cron, null));
        Assert.Equal(BackupErrorKind.InvalidArgument, error.Kind);
        Assert.Contains($"'{cron}'", error.Message);
    }

    [Fact]
    public void An_unknown_time_zone_is_InvalidArgument_naming_it()
    {
        var error = Assert.Throws<BackupToolsException>(() => CronSchedule.Parse("0 2 * * *", "Mars/Olympus_Mons"));
        Assert.Equal(BackupErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("Mars/Olympus_Mons", error.Message);
    }
}

using System.Globalization;
using BackupTools.Core;
using BackupTools.Core.Retention;
using Xunit;

namespace BackupTools.Tests.Retention;

/// <summary>The retention policy as a pure function: tables of backups in, the exact kept set out.</summary>
public class RetentionEvaluatorTests
{
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static RetentionCandidate Backup(string utc, string kind = "logical", bool verified = false, params string[] tags)
    {
        var time = DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return new RetentionCandidate(time.ToString("yyyyMMdd'T'HHmm", CultureInfo.InvariantCulture), time, tags, kind, verified);
    }

    /// <summary>One backup a day at 22:30 UTC: 00:30 the next day in Berlin in summer, 23:30 the same day in winter.</summary>
    private static List<RetentionCandidate> Daily(DateOnly first, int days)
        => Enumerable.Range(0, days).Select(d => Backup(first.AddDays(d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T22:30:00Z")).ToList();

    private static string[] KeptUtcDates(IEnumerable<RetentionDecision> decisions)
        => decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Backup.Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToArray();

    private static readonly RetentionPolicy Gfs = new() { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, TimeZone = Berlin };

    [Fact]
    public void Four_hundred_daily_backups_keep_the_newest_of_7_days_4_iso_weeks_and_12_months_in_Berlin_across_the_DST_change()
    {
        // 2025-09-24 .. 2026-10-28; summer time ended on 2026-10-25 at 01:00 UTC, so the backups of 10-24 and 10-25
        // (UTC) both fall on Sunday 10-25 in Berlin and the older of them is not a daily.
        var backups = Daily(new DateOnly(2025, 9, 24), 400);
        Assert.Equal("2026-10-28", backups[^1].Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        var decisions = RetentionEvaluator.Evaluate(backups, Gfs);

        Assert.Equal(400, decisions.Count);
        Assert.Equal(new[]
        {
            "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-30", "2026-04-29", "2026-05-30", "2026-06-29",
            "2026-07-30", "2026-08-30", "2026-09-29", "2026-10-10", "2026-10-17", "2026-10-21", "2026-10-22", "2026-10-23",
            "2026-10-25", "2026-10-26", "2026-10-27", "2026-10-28",
        }, KeptUtcDates(decisions));
        Assert.All(decisions.Where(d => d.Action == RetentionAction.Remove), d => Assert.Empty(d.Reasons));

        RetentionRule[] ReasonsOf(string utcDate) => decisions.Single(d => d.Backup.Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) == utcDate).Reasons.ToArray();
        Assert.Equal(new[] { RetentionRule.Daily, RetentionRule.Weekly, RetentionRule.Monthly }, ReasonsOf("2026-10-28"));
        Assert.Equal(new[] { RetentionRule.Daily, RetentionRule.Weekly }, ReasonsOf("2026-10-25"));
        Assert.Equal(new[] { RetentionRule.Weekly }, ReasonsOf("2026-10-17"));
        Assert.Equal(new[] { RetentionRule.Monthly }, ReasonsOf("2026-09-29"));
        Assert.Equal(new[] { RetentionRule.Monthly }, ReasonsOf("2026-03-30")); // 00:30 on March 31 in Berlin (summer time)
    }

    [Fact]
    public void The_same_backups_bucketed_in_UTC_keep_calendar_days_of_UTC()
    {
        var decisions = RetentionEvaluator.Evaluate(Daily(new DateOnly(2025, 9, 24), 400),
            new RetentionPolicy { KeepDaily = 7, KeepWeekly = 4, KeepMonthly = 12, TimeZone = TimeZoneInfo.Utc });

        Assert.Equal(new[]
        {
            "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30",
            "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-11", "2026-10-18", "2026-10-22", "2026-10-23", "2026-10-24",
            "2026-10-25", "2026-10-26", "2026-10-27", "2026-10-28",
        }, KeptUtcDates(decisions));
    }

    [Fact]
    public void Several_backups_a_day_keep_only_the_newest_of_each_day()
    {
        var backups = new[]
        {
            Backup("2026-01-01T08:00:00Z"), Backup("2026-01-01T12:00:00Z"), Backup("2026-01-01T20:00:00Z"),
            Backup("2026-01-02T08:00:00Z"), Backup("2026-01-02T20:00:00Z"),
            Backup("2026-01-03T08:00:00Z"), Backup("2026-01-03T09:00:00Z"),
        };
        var decisions = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepDaily = 2 });
        Assert.Equal(new[] { "20260102T2000", "20260103T0900" },
            decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Backup.Id));
    }

    [Fact]
    public void Days_without_a_backup_do_not_use_up_daily_slots_and_hourly_counts_hours()
    {
        var backups = new[] { Backup("2026-01-01T10:00:00Z"), Backup("2026-01-05T10:00:00Z"), Backup("2026-01-05T10:40:00Z"), Backup("2026-01-10T10:00:00Z") };
        var daily = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepDaily = 2 });
        Assert.Equal(new[] { "20260105T1040", "20260110T1000" }, daily.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Backup.Id));

        var hourly = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepHourly = 3, KeepYearly = 1 });
        Assert.Equal(new[] { RetentionAction.Keep, RetentionAction.Remove, RetentionAction.Keep, RetentionAction.Keep }, hourly.Select(d => d.Action));
        Assert.Equal(new[] { RetentionRule.Hourly, RetentionRule.Yearly }, hourly[3].Reasons);
    }

    [Fact]
    public void KeepLast_and_KeepWithin_count_from_the_newest_backup_not_from_now()
    {
        var backups = Enumerable.Range(1, 10).Select(d => Backup($"2020-03-{d:00}T06:00:00Z")).ToList();
        var last = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepLast = 3 });
        Assert.Equal(new[] { "20200308T0600", "20200309T0600", "20200310T0600" }, last.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Backup.Id));
        Assert.All(last.Where(d => d.Action == RetentionAction.Keep), d => Assert.Equal(new[] { RetentionRule.Last }, d.Reasons));

        var within = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepWithin = TimeSpan.FromDays(2) });
        Assert.Equal(new[] { "20200308T0600", "20200309T0600", "20200310T0600" }, within.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Backup.Id));
        Assert.All(within.Where(d => d.Action == RetentionAction.Keep), d => Assert.Equal(new[] { RetentionRule.Within }, d.Reasons));
    }

    [Fact]
    public void A_tag_filter_applies_the_policy_only_to_tagged_backups_and_keeps_the_others()
    {
        var backups = new[]
        {
            Backup("2026-02-01T02:00:00Z", tags: "daily"), Backup("2026-02-01T09:00:00Z", tags: "manual"),
            Backup("2026-02-02T02:00:00Z", tags: "DAILY"), Backup("2026-02-03T02:00:00Z", tags: "daily"),
        };
        var decisions = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepLast = 1, Tags = ["daily"] });
        Assert.Equal(new[] { RetentionAction.Remove, RetentionAction.Keep, RetentionAction.Remove, RetentionAction.Keep }, decisions.Select(d => d.Action));
        Assert.Equal(new[] { RetentionRule.NotSelected }, decisions[1].Reasons);
        Assert.Equal(new[] { RetentionRule.Last }, decisions[3].Reasons);
    }

    public static TheoryData<string> Policies => new() { "last1", "daily1", "weekly1", "monthly1", "yearly1", "within1h", "tag" };

    [Theory]
    [MemberData(nameof(Policies))]
    public void The_newest_verified_backup_survives_every_policy(string name)
    {
        var policy = name switch
        {
            "last1" => new RetentionPolicy { KeepLast = 1 },
            "daily1" => new RetentionPolicy { KeepDaily = 1 },
            "weekly1" => new RetentionPolicy { KeepWeekly = 1 },
            "monthly1" => new RetentionPolicy { KeepMonthly = 1 },
            "yearly1" => new RetentionPolicy { KeepYearly = 1 },
            "within1h" => new RetentionPolicy { KeepWithin = TimeSpan.FromHours(1) },
            _ => new RetentionPolicy { KeepLast = 1, Tags = ["nightly"] },
        };
        var backups = new[]
        {
            Backup("2024-06-01T02:00:00Z", verified: true, tags: "nightly"), // older verified: may go
            Backup("2025-06-01T02:00:00Z", verified: true, tags: "nightly"), // the newest verified
            Backup("2026-06-01T02:00:00Z", tags: "nightly"), Backup("2026-06-02T02:00:00Z", tags: "nightly"),
        };
        var decisions = RetentionEvaluator.Evaluate(backups, policy);
        Assert.Equal(RetentionAction.Keep, decisions[1].Action);
        Assert.Contains(RetentionRule.NewestVerified, decisions[1].Reasons);
        Assert.Equal(RetentionAction.Remove, decisions[0].Action);
    }

    [Fact]
    public void KeepWithin_keeps_the_physical_base_backup_the_window_starts_from()
    {
        var backups = new List<RetentionCandidate>
        {
            Backup("2026-05-01T00:00:00Z", "physical"), Backup("2026-05-04T00:00:00Z", "physical"),
            Backup("2026-05-07T00:00:00Z", "physical"),
        };
        backups.AddRange(Enumerable.Range(1, 9).Select(d => Backup($"2026-05-{d:00}T12:00:00Z")));
        // Window: 2026-05-06T00:00 .. 2026-05-09T12:00. Replaying to 05-06T01:00 needs the base backup of 05-04.
        var decisions = RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepWithin = TimeSpan.FromHours(84) });
        var kept = decisions.Where(d => d.Action == RetentionAction.Keep).ToList();
        Assert.Equal(new[] { "20260504T0000", "20260506T1200", "20260507T0000", "20260507T1200", "20260508T1200", "20260509T1200" },
            kept.Select(d => d.Backup.Id));
        Assert.Equal(new[] { RetentionRule.PitrWindow }, kept[0].Reasons);
    }

    [Fact]
    public void An_empty_or_negative_policy_is_refused_naming_the_problem()
    {
        var backups = new[] { Backup("2026-01-01T00:00:00Z") };
        var empty = Assert.Throws<BackupToolsException>(() => RetentionEvaluator.Evaluate(backups, new RetentionPolicy { Tags = ["x"] }));
        Assert.Equal(BackupErrorKind.InvalidArgument, empty.Kind);
        Assert.Contains("empty", empty.Message);
        var negative = Assert.Throws<BackupToolsException>(() => RetentionEvaluator.Evaluate(backups, new RetentionPolicy { KeepWeekly = -2 }));
        Assert.Equal(BackupErrorKind.InvalidArgument, negative.Kind);
        Assert.Contains("KeepWeekly -2", negative.Message);
        Assert.Empty(RetentionEvaluator.Evaluate([], new RetentionPolicy { KeepLast = 1 }));
    }
}

using BackupTools.Core;
using BackupTools.Core.Reports;
using BackupTools.Core.Repository;
using Xunit;
using static BackupTools.Tests.Reports.ReportFixtures;

namespace BackupTools.Tests.Reports;

public class StatusCalculatorTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public void A_recent_verified_backup_is_healthy()
    {
        var status = Status(Backup(2 * Hour, verified: true));
        var source = Assert.Single(status.Sources);
        Assert.Equal(HealthState.Healthy, source.State);
        Assert.Empty(source.Reasons);
        Assert.Equal(HealthState.Healthy, status.State);
        Assert.Equal(2 * Hour, source.Age);
    }

    [Fact]
    public void A_backup_older_than_the_rpo_target_is_critical()
    {
        var status = Status(Backup(25 * Hour, verified: true, verifiedAgo: Hour));
        var source = Assert.Single(status.Sources);
        Assert.Equal(HealthState.Critical, source.State);
        Assert.Contains(source.Reasons, r => r.Contains("older than the RPO target 24h"));
        Assert.Equal(HealthState.Critical, status.State);
    }

    [Theory]
    [InlineData(19, HealthState.Healthy)]   // below 0.8 × 24h = 19.2h
    [InlineData(20, HealthState.Warning)]   // past 0.8 × RPO
    [InlineData(24, HealthState.Warning)]   // exactly the RPO is still within it
    [InlineData(25, HealthState.Critical)]
    public void Age_is_judged_against_the_rpo_target(int hours, HealthState expected)
        => Assert.Equal(expected, Assert.Single(Status(Backup(hours * Hour, verified: true, verifiedAgo: Hour)).Sources).State);

    [Fact]
    public void The_rpo_target_comes_from_the_policy()
    {
        var status = Status(new StatusPolicy { RpoTarget = 4 * Hour }, Backup(5 * Hour, verified: true));
        Assert.Equal(HealthState.Critical, status.State);
        Assert.Equal(4 * Hour, status.RpoTarget);
    }

    [Fact]
    public void A_failed_last_verification_is_critical_even_when_the_backup_is_fresh()
    {
        var older = Backup(10 * Hour, verified: true, verifiedAgo: 9 * Hour);
        var newer = Backup(Hour, verified: false, verifiedAgo: TimeSpan.FromMinutes(30), level: "Full");
        var source = Assert.Single(Status(older, newer).Sources);
        Assert.Equal(HealthState.Critical, source.State);
        Assert.Contains(source.Reasons, r => r.Contains("verification (Full, backup " + newer.Id + ") failed"));
        Assert.False(source.LastVerification!.Success);
    }

    [Fact]
    public void A_later_passed_verification_clears_an_earlier_failure()
    {
        var failed = Backup(10 * Hour, verified: false, verifiedAgo: 9 * Hour);
        var passed = Backup(Hour, verified: true);
        Assert.Equal(HealthState.Healthy, Assert.Single(Status(failed, passed).Sources).State);
    }

    [Fact]
    public void Never_verified_and_not_verified_lately_are_warnings()
    {
        var never = Assert.Single(Status(Backup(Hour)).Sources);
        Assert.Equal(HealthState.Warning, never.State);
        Assert.Contains("never verified", never.Reasons);

        var stale = Assert.Single(Status(Backup(Hour, verified: true, verifiedAgo: TimeSpan.FromDays(8))).Sources);
        Assert.Equal(HealthState.Warning, stale.State);
        Assert.Contains(stale.Reasons, r => r.Contains("not verified in the last 7d"));
    }

    [Fact]
    public void Warnings_recorded_by_the_newest_backup_are_a_warning()
    {
        var component = Database();
        component.Warnings = new List<string> { "Roles not dumped: permission denied" };
        var source = Assert.Single(Status(Backup(Hour, component, verified: true)).Sources);
        Assert.Equal(HealthState.Warning, source.State);
        Assert.Contains(source.Reasons, r => r.Contains("Roles not dumped"));
    }

    [Fact]
    public void An_empty_repository_is_critical()
    {
        var status = Status();
        Assert.Equal(HealthState.Critical, status.State);
        Assert.Equal(HealthState.Critical, status.OwnState);
        Assert.Contains("no backups in the repository", status.Reasons);
        Assert.Empty(status.Sources);
    }

    [Fact]
    public void Unreadable_manifests_are_a_repository_warning()
    {
        var status = StatusCalculator.Compute(new StatusInput
        {
            Name = "main", Location = "/r", Manifests = new[] { Backup(Hour, verified: true) },
            UnreadableBackups = new[] { "20261101T000000Z-aaaaaa" },
        }, new StatusPolicy(), Now);
        Assert.Equal(HealthState.Warning, status.State);
        Assert.Equal(HealthState.Warning, status.OwnState);
        Assert.Contains(status.Reasons, r => r.Contains("20261101T000000Z-aaaaaa"));
    }

    [Fact]
    public void Sources_are_grouped_by_type_and_identity()
    {
        var storage = new ComponentEntry { Type = "storage", Name = "avatars", Source = { ["endpoint"] = "https://ref.storage.supabase.co/storage/v1/s3", ["bucket"] = "avatars" }, Files = { new FileEntry { Size = 7 } } };
        var config = new ComponentEntry { Type = "config", Name = "config", Source = { ["paths"] = "/etc/supabase/.env,/etc/supabase/kong.yml" } };
        var physical = new ComponentEntry { Type = "database", Source = { ["host"] = "db1", ["port"] = "5432", ["systemIdentifier"] = "7311" } };
        var status = Status(
            Backup(3 * Hour, Database(database: "app"), verified: true, more: [storage, config]),
            Backup(2 * Hour, Database(database: "auth"), verified: true),
            Backup(Hour, Database(database: "app", size: 2000), verified: true),
            Backup(Hour, physical, verified: true));

        Assert.Equal(
            new[] { "config /etc/supabase/.env,/etc/supabase/kong.yml", "database db1:5432", "database db1:5432/app", "database db1:5432/auth",
                "storage https://ref.storage.supabase.co/storage/v1/s3/avatars" },
            status.Sources.Select(s => s.Source.ToString()));
        var app = status.Sources.Single(s => s.Source.Identity == "db1:5432/app");
        Assert.Equal(2, app.BackupCount);
        Assert.Equal(2000, app.LastSuccess.Size);
        Assert.Equal(HealthState.Healthy, app.State);
        Assert.Equal(4, status.Backups.Count);
        Assert.Equal(3, status.Backups[0].Sources.Count);
    }

    [Fact]
    public void The_trend_holds_the_newest_backups_oldest_first()
    {
        var backups = Enumerable.Range(1, 5).Select(i => Backup(TimeSpan.FromHours(6 - i), Database(size: i * 100), verified: true, seconds: i)).ToArray();
        var source = Assert.Single(Status(new StatusPolicy { TrendLength = 3 }, backups).Sources);
        Assert.Equal(new long[] { 300, 400, 500 }, source.Trend.Select(p => p.Size));
        Assert.Equal(new double[] { 3, 4, 5 }, source.Trend.Select(p => p.Duration.TotalSeconds));
        Assert.Equal(5, source.BackupCount);
    }

    [Fact]
    public void Schedules_and_pitr_windows_plug_in_and_are_null_without_them()
    {
        var manifest = Backup(Hour, verified: true);
        var key = SourceKey.Of(manifest.Components[0]);
        var plain = Assert.Single(Status(manifest).Sources);
        Assert.Null(plain.NextScheduledRun);
        Assert.Null(plain.PitrWindow);
        Assert.Null(plain.LastDrill);

        var window = new PitrWindow(Now - TimeSpan.FromDays(3), Now - TimeSpan.FromMinutes(1));
        var status = StatusCalculator.Compute(new StatusInput
        {
            Name = "main", Location = "/r", Manifests = new[] { manifest },
            PitrWindows = new Dictionary<SourceKey, PitrWindow> { [key] = window },
            Schedules = new[]
            {
                new ScheduleStatus("daily", Now + 10 * Hour, Now - 14 * Hour, true),
                new ScheduleStatus("hourly-app", Now + Hour, Now - TimeSpan.FromMinutes(5), false, key),
                new ScheduleStatus("other", Now + TimeSpan.FromMinutes(1), null, null, new SourceKey("database", "elsewhere")),
            },
        }, new StatusPolicy(), Now);
        var source = Assert.Single(status.Sources);
        Assert.Equal(window, source.PitrWindow);
        Assert.Equal(Now + Hour, source.NextScheduledRun);
        Assert.Equal(HealthState.Critical, status.State);
        Assert.Contains("the last run of schedule 'hourly-app' failed", status.Reasons);
    }

    [Fact]
    public void A_restore_level_verification_is_the_last_drill_with_its_recovery_time()
    {
        var manifest = Backup(Hour, verified: true, level: StatusCalculator.DrillLevel);
        manifest.Verifications[0].DurationSeconds = 42;
        var source = Assert.Single(Status(manifest).Sources);
        Assert.NotNull(source.LastDrill);
        Assert.True(source.LastDrill!.Success);
        Assert.Equal(TimeSpan.FromSeconds(42), source.LastDrill.Duration);
        Assert.Contains("backuptools_last_drill_recovery_seconds{repository=\"main\",type=\"database\",source=\"db1:5432/app\"} 42\n",
            PrometheusReportWriter.Render(Report(Status(manifest))));
    }

    [Fact]
    public void A_backup_from_the_future_has_age_zero()
        => Assert.Equal(TimeSpan.Zero, Assert.Single(Status(Backup(-Hour, verified: true)).Sources).Age);

    [Fact]
    public void A_repository_that_cannot_be_read_is_critical_with_the_reason()
    {
        var status = StatusCalculator.Unavailable("main", "/r", "wrong passphrase", new StatusPolicy());
        Assert.Equal(HealthState.Critical, status.State);
        Assert.Contains("the repository cannot be read: wrong passphrase", status.Reasons);
    }

    [Theory]
    [InlineData(0, 0.8, 7, 10)]
    [InlineData(24, 0, 7, 10)]
    [InlineData(24, 1.5, 7, 10)]
    [InlineData(24, 0.8, 0, 10)]
    [InlineData(24, 0.8, 7, 0)]
    public void Invalid_policies_are_refused(int rpoHours, double fraction, int verifyDays, int trend)
    {
        var policy = new StatusPolicy
        {
            RpoTarget = TimeSpan.FromHours(rpoHours), WarningFraction = fraction,
            VerificationMaxAge = TimeSpan.FromDays(verifyDays), TrendLength = trend,
        };
        var e = Assert.Throws<BackupToolsException>(() => Status(policy, Backup(Hour)));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
    }

    [Theory]
    [InlineData(30, "30s")]
    [InlineData(45 * 60, "45m")]
    [InlineData(90 * 60, "1h 30m")]
    [InlineData(30 * 3600, "30h")]
    [InlineData(7 * 86400, "7d")]
    [InlineData(7 * 86400 + 2 * 3600, "7d 2h")]
    public void Durations_read_short(int seconds, string expected)
        => Assert.Equal(expected, StatusCalculator.Describe(TimeSpan.FromSeconds(seconds)));
}

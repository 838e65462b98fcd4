using BackupTools.Core;
using BackupTools.Core.Schedules;
using Xunit;

namespace BackupTools.Tests.Schedules;

/// <summary>What -Install writes: systemd units, a crontab line, a schtasks command (plans only; nothing is installed).</summary>
public sealed class SchedulerInstallerTests
{
    private static InstallOptions Options(bool systemWide = false, int interval = 5) => new()
    {
        PwshPath = "/opt/microsoft/powershell/7/pwsh", ModuleManifest = "/opt/modules/BackupTools/BackupTools.psd1",
        ScheduleFile = "/home/ops/.config/BackupTools/schedules.json", IntervalMinutes = interval, SystemWide = systemWide,
        UserUnitDirectory = "/home/ops/.config/systemd/user", EnvironmentFile = "/home/ops/.config/BackupTools/schedule.env",
    };

    [Fact]
    public void Systemd_user_units_run_the_schedule_every_interval_and_fail_the_unit_when_a_job_fails()
    {
        var plan = SchedulerInstaller.Plan(SchedulerKind.Systemd, Options());

        Assert.Equal(new[] { "/home/ops/.config/systemd/user/backuptools-schedule.service", "/home/ops/.config/systemd/user/backuptools-schedule.timer" },
            plan.Files.Select(f => f.Path));
        var service = plan.Files[0].Content;
        Assert.Contains("Type=oneshot", service);
        Assert.Contains("EnvironmentFile=-/home/ops/.config/BackupTools/schedule.env", service);
        Assert.Contains("ExecStart=\"/opt/microsoft/powershell/7/pwsh\" \"-NoProfile\" \"-NonInteractive\" \"-Command\" " +
                        "\"Import-Module '/opt/modules/BackupTools/BackupTools.psd1'; Invoke-BackupSchedule -Path '/home/ops/.config/BackupTools/schedules.json' -ErrorAction Stop\"", service);
        Assert.Contains("OnCalendar=*:0/5", plan.Files[1].Content);
        Assert.Contains("Persistent=true", plan.Files[1].Content);
        Assert.Equal(new[] { "systemctl", "--user", "enable", "--now", "backuptools-schedule.timer" }, plan.Commands[1]);
    }

    [Fact]
    public void As_root_the_units_go_to_the_system_folder_and_systemctl_has_no_user_flag()
    {
        var plan = SchedulerInstaller.Plan(SchedulerKind.Systemd, Options(systemWide: true));
        Assert.All(plan.Files, f => Assert.StartsWith("/etc/systemd/system/", f.Path));
        Assert.Equal(new[] { "systemctl", "daemon-reload" }, plan.Commands[0]);
    }

    [Fact]
    public void The_crontab_line_replaces_an_earlier_one_and_keeps_the_other_lines()
    {
        const string current = "MAILTO=ops@example.com\n0 4 * * * /usr/local/bin/rotate-logs\n*/10 * * * * 'old' # BackupTools: Invoke-BackupSchedule\n";

        var plan = SchedulerInstaller.Plan(SchedulerKind.Cron, Options(interval: 15), current);

        var lines = plan.Files.Single().Content.TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal("MAILTO=ops@example.com", lines[0]);
        Assert.Equal("0 4 * * * /usr/local/bin/rotate-logs", lines[1]);
        Assert.Equal("*/15 * * * * '/opt/microsoft/powershell/7/pwsh' '-NoProfile' '-NonInteractive' '-Command' " +
                     "'Import-Module '\\''/opt/modules/BackupTools/BackupTools.psd1'\\''; Invoke-BackupSchedule -Path '\\''/home/ops/.config/BackupTools/schedules.json'\\'' -ErrorAction Stop' " +
                     "# BackupTools: Invoke-BackupSchedule", lines[2]);
        Assert.Equal("crontab", plan.Commands.Single()[0]);
    }

    [Fact]
    public void The_windows_task_runs_every_interval_minutes()
    {
        var plan = SchedulerInstaller.Plan(SchedulerKind.WindowsTask, Options(interval: 10));
        var command = plan.Commands.Single();
        Assert.Equal(new[] { "schtasks", "/Create", "/F", "/TN", @"BackupTools\backuptools-schedule", "/SC", "MINUTE", "/MO", "10", "/TR" }, command.Take(10));
        Assert.StartsWith("\"/opt/microsoft/powershell/7/pwsh\" \"-NoProfile\"", command[10]);
        Assert.Empty(plan.Files);
    }

    [Fact]
    public void Quotes_and_percent_signs_in_paths_survive_each_quoting()
    {
        var odd = new InstallOptions { PwshPath = "pwsh", ModuleManifest = "/m/it's 100%/BackupTools.psd1", ScheduleFile = "/s.json" };
        Assert.Contains("Import-Module '/m/it''s 100%/BackupTools.psd1'", SchedulerInstaller.PowerShellCommand(odd));
        Assert.Contains("100\\%", SchedulerInstaller.Plan(SchedulerKind.Cron, odd).Files[0].Content);
        Assert.Contains("100%%", SchedulerInstaller.Plan(SchedulerKind.Systemd, odd).Files[0].Content);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(61)]
    public void An_interval_outside_1_to_60_minutes_is_InvalidArgument(int minutes)
        => Assert.Equal(BackupErrorKind.InvalidArgument,
            Assert.Throws<BackupToolsException>(() => SchedulerInstaller.Plan(SchedulerKind.Systemd, Options(interval: minutes))).Kind);
}

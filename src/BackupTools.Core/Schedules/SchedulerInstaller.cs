using System.Text;
using BackupTools.Core.Postgres;

namespace BackupTools.Core.Schedules;

/// <summary>What runs Invoke-BackupSchedule every few minutes.</summary>
public enum SchedulerKind
{
    /// <summary>A systemd service + timer (user units, or system units when root).</summary>
    Systemd,
    /// <summary>A line in the user's crontab.</summary>
    Cron,
    /// <summary>A Windows Scheduled Task (schtasks).</summary>
    WindowsTask,
}

/// <summary>Where and how the periodic run is installed.</summary>
public sealed class InstallOptions
{
    /// <summary>The pwsh executable the scheduler starts.</summary>
    public required string PwshPath { get; init; }
    /// <summary>The module manifest (BackupTools.psd1) to import.</summary>
    public required string ModuleManifest { get; init; }
    /// <summary>The schedule file Invoke-BackupSchedule reads.</summary>
    public required string ScheduleFile { get; init; }
    /// <summary>Minutes between runs (1-60).</summary>
    public int IntervalMinutes { get; init; } = 5;
    /// <summary>Install system-wide (systemd system units) instead of for the user.</summary>
    public bool SystemWide { get; init; }
    /// <summary>The user's systemd unit folder (~/.config/systemd/user).</summary>
    public string UserUnitDirectory { get; init; } = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "systemd", "user");
    /// <summary>An optional environment file the systemd service reads (PGPASSWORD, AWS_*, BACKUPTOOLS_PASSPHRASE), never written by us.</summary>
    public string? EnvironmentFile { get; init; }
}

/// <summary>A file the installation writes.</summary>
/// <param name="Path">Where.</param>
/// <param name="Content">What.</param>
public sealed record PlannedFile(string Path, string Content);

/// <summary>What an installation writes and runs; -WhatIf shows it, Install carries it out.</summary>
public sealed class InstallPlan
{
    /// <summary>The scheduler used.</summary>
    public SchedulerKind Kind { get; init; }
    /// <summary>The program and arguments the scheduler starts (exit code 0 = every due job passed, 1 = one failed).</summary>
    public IReadOnlyList<string> InvokeCommand { get; init; } = Array.Empty<string>();
    /// <summary>Files written (units; for cron the whole new crontab).</summary>
    public IReadOnlyList<PlannedFile> Files { get; init; } = Array.Empty<PlannedFile>();
    /// <summary>Commands run afterwards, each as program + arguments (no shell).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Commands { get; init; } = Array.Empty<IReadOnlyList<string>>();
}

/// <summary>
/// Builds and carries out the installation of the periodic Invoke-BackupSchedule run. The run is
/// <c>pwsh -NoProfile -NonInteractive -Command "Import-Module …; Invoke-BackupSchedule -Path … -ErrorAction Stop"</c>:
/// Invoke-BackupSchedule ends with an error when a job failed, which -ErrorAction Stop makes terminating, so pwsh
/// exits 1 (and 0 when every due job passed) — what systemd, cron and Task Scheduler record.
/// </summary>
public static class SchedulerInstaller
{
    /// <summary>The name of the units / task / crontab marker.</summary>
    public const string UnitName = "backuptools-schedule";
    private const string CronMarker = "# BackupTools: Invoke-BackupSchedule";

    /// <summary>The scheduler this machine offers: a Scheduled Task on Windows, systemd when it runs, else cron.</summary>
    public static SchedulerKind Detect()
        => OperatingSystem.IsWindows() ? SchedulerKind.WindowsTask
            : Directory.Exists("/run/systemd/system") ? SchedulerKind.Systemd : SchedulerKind.Cron;

    /// <summary>The command pwsh runs (PowerShell single-quoted literals, so any path is safe).</summary>
    public static string PowerShellCommand(InstallOptions o)
        => $"Import-Module {PsQuote(o.ModuleManifest)}; Invoke-BackupSchedule -Path {PsQuote(o.ScheduleFile)} -ErrorAction Stop";

    /// <summary>The plan for <paramref name="kind"/>. InvalidArgument for an interval outside 1-60 minutes.</summary>
    public static InstallPlan Plan(SchedulerKind kind, InstallOptions o, string? currentCrontab = null)
    {
        if (o.IntervalMinutes is < 1 or > 60)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"The interval {o.IntervalMinutes} minutes is outside 1-60.", o.IntervalMinutes);
        IReadOnlyList<string> invoke = [o.PwshPath, "-NoProfile", "-NonInteractive", "-Command", PowerShellCommand(o)];
        return kind switch
        {
            SchedulerKind.Systemd => SystemdPlan(o, invoke),
            SchedulerKind.Cron => new InstallPlan
            {
                Kind = kind, InvokeCommand = invoke,
                Files = [new PlannedFile(CrontabFile(), MergeCrontab(currentCrontab ?? "", $"*/{o.IntervalMinutes} * * * * {string.Join(' ', invoke.Select(ShQuote))} {CronMarker}"))],
                Commands = [["crontab", CrontabFile()]],
            },
            _ => new InstallPlan
            {
                Kind = kind, InvokeCommand = invoke,
                Commands = [["schtasks", "/Create", "/F", "/TN", @"BackupTools\" + UnitName, "/SC", "MINUTE", "/MO", o.IntervalMinutes.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    "/TR", string.Join(' ', invoke.Select(WindowsQuote))]],
            },
        };
    }

    /// <summary>Writes the plan's files and runs its commands; ExternalToolFailed naming the command that failed.</summary>
    public static async Task InstallAsync(InstallPlan plan, CancellationToken ct = default)
    {
        foreach (var file in plan.Files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file.Path)!);
            await File.WriteAllTextAsync(file.Path, file.Content, ct).ConfigureAwait(false);
        }
        foreach (var command in plan.Commands)
        {
            var (code, _, stderr) = await ToolProcess.RunAsync(command[0], command.Skip(1), null, ct).ConfigureAwait(false);
            if (code != 0)
                throw new BackupToolsException(BackupErrorKind.ExternalToolFailed, $"'{string.Join(' ', command)}' failed (exit code {code}): {stderr}", command[0]);
        }
    }

    /// <summary>The user's current crontab ("" when there is none or no crontab program).</summary>
    public static async Task<string> ReadCrontabAsync(CancellationToken ct = default)
    {
        try
        {
            var (code, stdout, _) = await ToolProcess.RunAsync("crontab", ["-l"], null, ct).ConfigureAwait(false);
            return code == 0 ? stdout : "";
        }
        catch (BackupToolsException e) when (e.Kind == BackupErrorKind.NotFound)
        {
            return "";
        }
    }

    /// <summary>The crontab with our line (found by its marker) replaced or added; every other line kept.</summary>
    public static string MergeCrontab(string current, string line)
    {
        var lines = current.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.EndsWith(CronMarker, StringComparison.Ordinal)).ToList();
        lines.Add(line);
        return string.Join('\n', lines) + "\n";
    }

    private static InstallPlan SystemdPlan(InstallOptions o, IReadOnlyList<string> invoke)
    {
        var directory = o.SystemWide ? "/etc/systemd/system" : o.UserUnitDirectory;
        var service = new StringBuilder()
            .AppendLine("[Unit]")
            .AppendLine("Description=BackupTools: run the backup jobs that are due (Invoke-BackupSchedule)")
            .AppendLine()
            .AppendLine("[Service]")
            .AppendLine("Type=oneshot");
        if (o.EnvironmentFile is not null) service.AppendLine("EnvironmentFile=-" + SystemdEscape(o.EnvironmentFile));
        service.AppendLine("ExecStart=" + string.Join(' ', invoke.Select(a => "\"" + SystemdEscape(a).Replace("\"", "\\\"") + "\"")));
        var timer = new StringBuilder()
            .AppendLine("[Unit]")
            .AppendLine($"Description=BackupTools: Invoke-BackupSchedule every {o.IntervalMinutes} minutes")
            .AppendLine()
            .AppendLine("[Timer]")
            .AppendLine($"OnCalendar=*:0/{o.IntervalMinutes}")
            .AppendLine("Persistent=true")
            .AppendLine()
            .AppendLine("[Install]")
            .AppendLine("WantedBy=timers.target");
        IReadOnlyList<string> systemctl = o.SystemWide ? ["systemctl"] : ["systemctl", "--user"];
        return new InstallPlan
        {
            Kind = SchedulerKind.Systemd, InvokeCommand = invoke,
            Files = [new PlannedFile(Path.Combine(directory, UnitName + ".service"), service.ToString()),
                     new PlannedFile(Path.Combine(directory, UnitName + ".timer"), timer.ToString())],
            Commands = [[.. systemctl, "daemon-reload"], [.. systemctl, "enable", "--now", UnitName + ".timer"]],
        };
    }

    private static string CrontabFile() => Path.Combine(Path.GetTempPath(), $"{UnitName}-{Environment.ProcessId}.crontab");

    private static string PsQuote(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>A POSIX shell word (cron runs its lines with sh); % is special to cron.</summary>
    private static string ShQuote(string value) => "'" + value.Replace("'", "'\\''").Replace("%", "\\%") + "'";

    /// <summary>systemd expands % specifiers and $ variables in ExecStart: double them.</summary>
    private static string SystemdEscape(string value) => value.Replace("%", "%%").Replace("$", "$$");

    /// <summary>A Windows command-line word (schtasks /TR): quoted, inner quotes backslash-escaped.</summary>
    private static string WindowsQuote(string value) => "\"" + value.Replace("\"", "\\\"") + "\"";
}

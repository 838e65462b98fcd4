using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Configuration;
using BackupTools.Core.Schedules;
using BackupTools.Infrastructure;

namespace BackupTools.Cmdlets;

/// <summary>
/// Invoke-BackupSchedule: runs every scheduled job that is due, once (missed runs are caught up once), never two at a
/// time (a second invocation while one runs exits without running anything). Ends with an error when a job failed,
/// so `-ErrorAction Stop` turns it into pwsh's exit code 1 for cron, systemd or Task Scheduler.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "BackupSchedule")]
[OutputType(typeof(ScheduleRunInfo))]
public sealed class InvokeBackupScheduleCommand : ScheduleCmdletBase
{
    /// <summary>Run only this job (when it is due).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>Act as if the time were this (drills and tests); by default the current time.</summary>
    [Parameter]
    public DateTimeOffset? Now { get; set; }

    /// <summary>An incoming-webhook URL (Slack, Teams, …) that gets one message per failed job run (and per successful one with -NotifyOnSuccess).</summary>
    [Parameter]
    public Uri? NotifyWebhook { get; set; }

    /// <summary>Also report successful job runs to -NotifyWebhook.</summary>
    [Parameter]
    public SwitchParameter NotifyOnSuccess { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        var schedule = OpenSchedule();
        var clock = Now is { } fixedTime ? new FixedClock(fixedTime) : TimeProvider.System;
        var invoker = new ScheduleInvoker(schedule, new ScheduledJobRunner(new RepositoryOpener(RepositoryRegistry.OpenDefault())), clock);
        var invocation = RunEngine((progress, log, ct) => invoker.InvokeAsync(Name, progress, log, ct));
        WriteObject(invocation.Runs.Select(OutputMapper.ToScheduleRunInfo), enumerateCollection: true);
        RunEngine((_, log, ct) => BackupNotifications.ReportScheduledRunsAsync(NotifyWebhook, NotifyOnSuccess, invocation.Runs, log, ct));
        var failed = invocation.Runs.Where(r => !r.Outcome.Success).Select(r => r.Job).ToList();
        if (failed.Count > 0)
            WriteEngineError(new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"{failed.Count} of {invocation.Runs.Count} scheduled jobs failed: {string.Join(", ", failed)}. See Get-BackupSchedule for their messages.",
                string.Join(",", failed)));
    }

    /// <summary>A clock stopped at one time.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now.ToUniversalTime();
    }
}

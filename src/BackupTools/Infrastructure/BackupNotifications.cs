using BackupTools.Core;
using BackupTools.Core.Notifications;
using BackupTools.Core.Operations;

namespace BackupTools.Infrastructure;

/// <summary>New-Backup's -NotifyWebhook: runs a backup job through a <see cref="WebhookNotifier"/> when a webhook is given.</summary>
internal static class BackupNotifications
{
    /// <summary>
    /// Runs <paramref name="job"/>; with a webhook, posts one message per run: a failure (the job failed, a destination
    /// could not be opened (<paramref name="unopened"/>: "location: why") or was left out, or a verification failed) always, a success when asked. The message names the database (never its
    /// password) and the repositories. A webhook that cannot be reached only warns.
    /// </summary>
    public static Task<IReadOnlyList<BackupJobOutcome>> RunAsync(Uri? webhook, bool notifyOnSuccess, string source,
        IReadOnlyList<string> repositories, IReadOnlyList<string> unopened, Func<Task<IReadOnlyList<BackupJobOutcome>>> job, IBackupLog log, CancellationToken ct)
    {
        if (webhook is null) return job();
        return new WebhookNotifier(webhook, notifyOnSuccess).RunAsync("New-Backup", source, string.Join(", ", repositories), job,
            outcomes => Summarize(outcomes, unopened), log, ct);
    }

    /// <summary>One error line per repository left out (not opened, failed, or its verification failed); none = success.</summary>
    private static RunSummary Summarize(IReadOnlyList<BackupJobOutcome> outcomes, IReadOnlyList<string> unopened)
    {
        var errors = unopened.Concat(outcomes.Where(o => !o.Success)
            .Select(o => $"{o.Repository.Location}: {o.Error?.Message ?? "verification failed: " + string.Join("; ", o.Manifest!.Verifications.Last().Errors)}"))
            .ToList();
        var id = outcomes.Select(o => o.Manifest?.Id).FirstOrDefault(i => i is not null);
        return new RunSummary(id, errors.Count == 0 ? null : string.Join(" | ", errors));
    }

    /// <summary>
    /// Posts one message per scheduled job run (Invoke-BackupSchedule -NotifyWebhook): a failed one always, a successful
    /// one when asked. Nothing when no webhook is given.
    /// </summary>
    public static async Task<bool> ReportScheduledRunsAsync(Uri? webhook, bool notifyOnSuccess, IEnumerable<Core.Schedules.JobRun> runs, IBackupLog log, CancellationToken ct)
    {
        if (webhook is null) return true;
        var notifier = new WebhookNotifier(webhook, notifyOnSuccess);
        foreach (var run in runs.Where(r => !r.Outcome.Success || notifyOnSuccess))
        {
            await notifier.SendAsync(new BackupNotification
            {
                Status = run.Outcome.Success ? "success" : "failure",
                Operation = "Invoke-BackupSchedule",
                Source = "scheduled job " + run.Job,
                BackupId = run.Outcome.BackupId,
                Error = run.Outcome.Success ? null : run.Outcome.Message,
                DurationSeconds = run.Duration.TotalSeconds,
            }, log, ct).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>Runs a restore drill and reports it (Test-Backup -Level Restore -NotifyWebhook): a failed drill always, a passed one when asked.</summary>
    public static Task<RestoreDrillOutcome> RunDrillAsync(Uri? webhook, bool notifyOnSuccess, string backupId, string repository,
        Func<Task<RestoreDrillOutcome>> drill, IBackupLog log, CancellationToken ct)
    {
        if (webhook is null) return drill();
        return new WebhookNotifier(webhook, notifyOnSuccess).RunAsync("Restore drill", "backup " + backupId, repository, drill,
            d => new RunSummary(backupId, d.Success ? null : string.Join(" ", d.Errors)), log, ct);
    }
}

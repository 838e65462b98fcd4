using BackupTools.Core;
using BackupTools.Core.Notifications;
using BackupTools.Core.Operations;

namespace BackupTools.Infrastructure;

/// <summary>New-Backup's -NotifyWebhook: runs a backup job through a <see cref="WebhookNotifier"/> when a webhook is given.</summary>
internal static class BackupNotifications
{
    /// <summary>
    /// Runs <paramref name="job"/>; with a webhook, posts one message per run: a failure (the job failed, a destination
    /// was left out, or a verification failed) always, a success when asked. The message names the database (never its
    /// password) and the repositories. A webhook that cannot be reached only warns.
    /// </summary>
    public static Task<IReadOnlyList<BackupJobOutcome>> RunAsync(Uri? webhook, bool notifyOnSuccess, string connectionString,
        IReadOnlyList<string> repositories, Func<Task<IReadOnlyList<BackupJobOutcome>>> job, IBackupLog log, CancellationToken ct)
    {
        if (webhook is null) return job();
        var source = DatabaseTarget.FromConnectionString(connectionString).ToString();
        return new WebhookNotifier(webhook, notifyOnSuccess).RunAsync("New-Backup", source, string.Join(", ", repositories), job, Summarize, log, ct);
    }

    private static RunSummary Summarize(IReadOnlyList<BackupJobOutcome> outcomes)
    {
        var errors = outcomes.Where(o => !o.Success)
            .Select(o => $"{o.Repository.Location}: {o.Error?.Message ?? "verification failed: " + string.Join("; ", o.Manifest!.Verifications.Last().Errors)}")
            .ToList();
        var id = outcomes.Select(o => o.Manifest?.Id).FirstOrDefault(i => i is not null);
        return new RunSummary(id, errors.Count == 0 ? null : string.Join(" | ", errors));
    }
}

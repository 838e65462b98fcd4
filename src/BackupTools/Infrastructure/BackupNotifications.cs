using BackupTools.Core;
using BackupTools.Core.Notifications;
using BackupTools.Core.Repository;

namespace BackupTools.Infrastructure;

/// <summary>New-Backup's -NotifyWebhook: runs a backup through a <see cref="WebhookNotifier"/> when a webhook is given.</summary>
internal static class BackupNotifications
{
    /// <summary>
    /// Runs <paramref name="backup"/>; with a webhook, posts a failure (always) or a success (when asked) naming the
    /// database (never its password) and the repository. A webhook that cannot be reached only warns.
    /// </summary>
    public static Task<Manifest> RunAsync(Uri? webhook, bool notifyOnSuccess, string connectionString, string repository,
        Func<Task<Manifest>> backup, IBackupLog log, CancellationToken ct)
    {
        if (webhook is null) return backup();
        var source = DatabaseTarget.FromConnectionString(connectionString).ToString();
        return new WebhookNotifier(webhook, notifyOnSuccess).RunAsync("New-Backup", source, repository, backup, m => m.Id, log, ct);
    }
}

using System.Diagnostics;
using System.Text;

namespace BackupTools.Core.Notifications;

/// <summary>What a finished run amounts to for a notification: the backup id, and an error when it (partly) failed.</summary>
/// <param name="BackupId">The backup taken, if any.</param>
/// <param name="Error">Why the run counts as failed, or null when it succeeded.</param>
public sealed record RunSummary(string? BackupId, string? Error);

/// <summary>
/// Posts <see cref="BackupNotification"/>s to an incoming webhook (Slack, Teams, or anything that takes JSON):
/// one attempt and one retry after a short pause; a notification that cannot be delivered is a warning in the log and
/// never an exception, so a dead webhook never fails a backup. The URL holds a token: it is never logged or shown —
/// messages name only its host.
/// </summary>
public sealed class WebhookNotifier
{
    private static readonly HttpClient SharedClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Uri _url;
    private readonly HttpClient _client;
    private readonly TimeSpan _retryDelay;

    /// <summary>A notifier for <paramref name="url"/>; <paramref name="notifyOnSuccess"/> also reports successful runs.</summary>
    public WebhookNotifier(Uri url, bool notifyOnSuccess, TimeSpan? retryDelay = null, HttpClient? client = null)
    {
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"The webhook URL must be an absolute http or https URL (host '{(url.IsAbsoluteUri ? url.Host : "?")}').", "NotifyWebhook");
        _url = url;
        NotifyOnSuccess = notifyOnSuccess;
        _retryDelay = retryDelay ?? TimeSpan.FromSeconds(2);
        _client = client ?? SharedClient;
    }

    /// <summary>Whether successful runs are reported too (failures always are).</summary>
    public bool NotifyOnSuccess { get; }

    /// <summary>
    /// Runs a backup and reports it: a failure always (an exception, which then goes on to the caller, or a result
    /// <paramref name="summarize"/> gives an error), a success when <see cref="NotifyOnSuccess"/> is set. A run
    /// cancelled through <paramref name="ct"/> is not reported.
    /// </summary>
    public async Task<T> RunAsync<T>(string operation, string source, string? repository, Func<Task<T>> run,
        Func<T, RunSummary> summarize, IBackupLog log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        T result;
        try
        {
            result = await run().ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            var error = e is BackupToolsException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            await SendAsync(Notification(operation, source, repository, new RunSummary(null, error), clock.Elapsed), log, CancellationToken.None)
                .ConfigureAwait(false);
            throw;
        }
        var summary = summarize(result);
        if (summary.Error is not null || NotifyOnSuccess)
            await SendAsync(Notification(operation, source, repository, summary, clock.Elapsed), log, ct).ConfigureAwait(false);
        return result;
    }

    private static BackupNotification Notification(string operation, string source, string? repository, RunSummary summary, TimeSpan duration) => new()
    {
        Status = summary.Error is null ? "success" : "failure",
        Operation = operation,
        Source = source,
        Repository = repository,
        BackupId = summary.BackupId,
        Error = summary.Error,
        DurationSeconds = duration.TotalSeconds,
    };

    /// <summary>Posts one notification (one retry); true when the webhook answered 2xx, else a warning is logged.</summary>
    public async Task<bool> SendAsync(BackupNotification notification, IBackupLog log, CancellationToken ct)
    {
        var payload = notification.ToJson();
        string? problem = null;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            if (attempt == 2) await Task.Delay(_retryDelay, ct).ConfigureAwait(false);
            try
            {
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var response = await _client.PostAsync(_url, content, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode) return true;
                problem = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                problem = Scrub(e.Message);
            }
        }
        log.Write(LogLevel.Warning, $"The {notification.Status} notification could not be delivered to the webhook on {_url.Host}: {problem}");
        return false;
    }

    /// <summary>Removes the URL (and its path, which holds the token) from a message.</summary>
    private string Scrub(string message)
        => message.Replace(_url.OriginalString, _url.Host, StringComparison.OrdinalIgnoreCase)
            .Replace(_url.PathAndQuery, "", StringComparison.Ordinal);
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using BackupTools.Core;
using BackupTools.Core.Notifications;
using Xunit;

namespace BackupTools.Tests.Reports;

/// <summary>WebhookNotifier against a real HTTP listener on loopback.</summary>
public sealed class NotificationTests : IDisposable
{
    private const string Token = "T000/B000/XXXXsecretXXXX";
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<string> _bodies = new();
    private readonly ConcurrentQueue<int> _answers = new();
    private readonly Uri _url;

    public NotificationTests()
    {
        var port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _url = new Uri($"http://127.0.0.1:{port}/services/{Token}");
        _ = Task.Run(ServeAsync);
    }

    public void Dispose() => _listener.Close();

    [Fact]
    public async Task A_failed_run_posts_exactly_one_message_with_the_error_and_the_source_and_rethrows()
    {
        var log = new ListLog();
        var notifier = new WebhookNotifier(_url, notifyOnSuccess: false, TimeSpan.FromMilliseconds(50));
        var error = await Assert.ThrowsAsync<BackupToolsException>(() => notifier.RunAsync<string>("New-Backup", "database 'app' on db1:5432", "main",
            () => throw new BackupToolsException(BackupErrorKind.ConnectionFailed, "Cannot connect to db1:5432/app: refused", "db1"), id => id, log, default));
        Assert.Equal(BackupErrorKind.ConnectionFailed, error.Kind);
        await Task.Delay(200);
        var body = Assert.Single(_bodies);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("failure", root.GetProperty("status").GetString());
        Assert.Equal("database 'app' on db1:5432", root.GetProperty("source").GetString());
        Assert.Equal("Cannot connect to db1:5432/app: refused", root.GetProperty("error").GetString());
        Assert.Equal(Environment.MachineName, root.GetProperty("host").GetString());
        Assert.Contains("FAILED", root.GetProperty("text").GetString());
        Assert.Contains("Cannot connect to db1:5432/app", root.GetProperty("text").GetString());
        Assert.True(root.TryGetProperty("durationSeconds", out _));
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task Success_is_posted_only_when_asked()
    {
        var quiet = new WebhookNotifier(_url, notifyOnSuccess: false);
        Assert.Equal("20261125T000000Z-abcdef", await quiet.RunAsync("New-Backup", "db", "main", () => Task.FromResult("20261125T000000Z-abcdef"), id => id, new ListLog(), default));
        await Task.Delay(200);
        Assert.Empty(_bodies);

        var loud = new WebhookNotifier(_url, notifyOnSuccess: true);
        await loud.RunAsync("New-Backup", "db", "main", () => Task.FromResult("20261125T000000Z-abcdef"), id => id, new ListLog(), default);
        using var json = JsonDocument.Parse(Assert.Single(_bodies));
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("20261125T000000Z-abcdef", json.RootElement.GetProperty("backupId").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_server_error_is_retried_once()
    {
        _answers.Enqueue(500);
        var log = new ListLog();
        Assert.True(await new WebhookNotifier(_url, false, TimeSpan.FromMilliseconds(50)).SendAsync(Notification(), log, default));
        Assert.Equal(2, _bodies.Count);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task A_dead_webhook_only_warns_without_the_token_and_the_run_still_succeeds()
    {
        var dead = new Uri($"http://127.0.0.1:{FreePort()}/services/{Token}");
        var log = new ListLog();
        var notifier = new WebhookNotifier(dead, notifyOnSuccess: true, TimeSpan.FromMilliseconds(50));
        Assert.Equal("id-1", await notifier.RunAsync("New-Backup", "db", "main", () => Task.FromResult("id-1"), id => id, log, default));
        var (level, message) = Assert.Single(log.Messages);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("127.0.0.1", message);
        Assert.DoesNotContain("secret", message);
        Assert.DoesNotContain("services", message);
    }

    [Fact]
    public async Task A_webhook_that_keeps_failing_is_tried_twice_then_warns_with_the_status()
    {
        _answers.Enqueue(503);
        _answers.Enqueue(503);
        var log = new ListLog();
        Assert.False(await new WebhookNotifier(_url, false, TimeSpan.FromMilliseconds(50)).SendAsync(Notification(), log, default));
        Assert.Equal(2, _bodies.Count);
        Assert.Contains("HTTP 503", Assert.Single(log.Messages).Message);
        Assert.DoesNotContain(Token, Assert.Single(log.Messages).Message);
    }

    [Fact]
    public void Only_absolute_http_urls_are_accepted()
    {
        var e = Assert.Throws<BackupToolsException>(() => new WebhookNotifier(new Uri("ftp://example.com/hook/" + Token), false));
        Assert.Equal(BackupErrorKind.InvalidArgument, e.Kind);
        Assert.DoesNotContain(Token, e.Message);
    }

    private static BackupNotification Notification() => new() { Status = "failure", Operation = "New-Backup", Source = "db", Error = "boom" };

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
            using (var reader = new StreamReader(context.Request.InputStream)) _bodies.Enqueue(await reader.ReadToEndAsync());
            context.Response.StatusCode = _answers.TryDequeue(out var status) ? status : 200;
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try { return ((IPEndPoint)listener.LocalEndpoint).Port; } finally { listener.Stop(); }
    }

    private sealed class ListLog : IBackupLog
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Messages { get; } = new();
        public void Write(LogLevel level, string message) => Messages.Enqueue((level, message));
    }
}

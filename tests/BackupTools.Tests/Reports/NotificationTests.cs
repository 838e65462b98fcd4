using System.Collections.Concurrent;
using System.Text.Json;
using BackupTools.Core;
using BackupTools.Core.Notifications;
using BackupTools.Testing;
using Xunit;

namespace BackupTools.Tests.Reports;

/// <summary>WebhookNotifier against a real HTTP listener on loopback.</summary>
public sealed class NotificationTests : IDisposable
{
    private const string Token = WebhookSink.Token;
    private readonly WebhookSink _sink = new(LoopbackPort.Free());

    public void Dispose() => _sink.Dispose();

    [Fact]
    public async Task A_failed_run_posts_exactly_one_message_with_the_error_and_the_source_and_rethrows()
    {
        var log = new ListLog();
        var notifier = new WebhookNotifier(_sink.Url, notifyOnSuccess: false, TimeSpan.FromMilliseconds(50));
        var error = await Assert.ThrowsAsync<BackupToolsException>(() => notifier.RunAsync<string>("New-Backup", "database 'app' on db1:5432", "main",
            () => throw new BackupToolsException(BackupErrorKind.ConnectionFailed, "Cannot connect to db1:5432/app: refused", "db1"), id => new RunSummary(id, null), log, default));
        Assert.Equal(BackupErrorKind.ConnectionFailed, error.Kind);
        await Task.Delay(200);
        var body = Assert.Single(_sink.Bodies);
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
        var quiet = new WebhookNotifier(_sink.Url, notifyOnSuccess: false);
        Assert.Equal("20261125T000000Z-abcdef", await quiet.RunAsync("New-Backup", "db", "main", () => Task.FromResult("20261125T000000Z-abcdef"), id => new RunSummary(id, null), new ListLog(), default));
        await Task.Delay(200);
        Assert.Empty(_sink.Bodies);

        var loud = new WebhookNotifier(_sink.Url, notifyOnSuccess: true);
        await loud.RunAsync("New-Backup", "db", "main", () => Task.FromResult("20261125T000000Z-abcdef"), id => new RunSummary(id, null), new ListLog(), default);
        using var json = JsonDocument.Parse(Assert.Single(_sink.Bodies));
        Assert.Equal("success", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("20261125T000000Z-abcdef", json.RootElement.GetProperty("backupId").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task A_run_that_ends_with_an_error_posts_a_failure_without_throwing()
    {
        var notifier = new WebhookNotifier(_sink.Url, notifyOnSuccess: false);
        var result = await notifier.RunAsync("New-Backup", "db", "main, offsite", () => Task.FromResult("id-2"),
            id => new RunSummary(id, "s3://offsite: connection refused"), new ListLog(), default);
        Assert.Equal("id-2", result);
        using var json = JsonDocument.Parse(Assert.Single(_sink.Bodies));
        Assert.Equal("failure", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("id-2", json.RootElement.GetProperty("backupId").GetString());
        Assert.Equal("s3://offsite: connection refused", json.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_server_error_is_retried_once()
    {
        _sink.Answers.Enqueue(500);
        var log = new ListLog();
        Assert.True(await new WebhookNotifier(_sink.Url, false, TimeSpan.FromMilliseconds(50)).SendAsync(Notification(), log, default));
        Assert.Equal(2, _sink.Bodies.Count);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public async Task A_dead_webhook_only_warns_without_the_token_and_the_run_still_succeeds()
    {
        var dead = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/services/{Token}");
        var log = new ListLog();
        var notifier = new WebhookNotifier(dead, notifyOnSuccess: true, TimeSpan.FromMilliseconds(50));
        Assert.Equal("id-1", await notifier.RunAsync("New-Backup", "db", "main", () => Task.FromResult("id-1"), id => new RunSummary(id, null), log, default));
        var (level, message) = Assert.Single(log.Messages);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains("127.0.0.1", message);
        Assert.DoesNotContain("secret", message);
        Assert.DoesNotContain("services", message);
    }

    [Fact]
    public async Task A_webhook_that_keeps_failing_is_tried_twice_then_warns_with_the_status()
    {
        _sink.Answers.Enqueue(503);
        _sink.Answers.Enqueue(503);
        var log = new ListLog();
        Assert.False(await new WebhookNotifier(_sink.Url, false, TimeSpan.FromMilliseconds(50)).SendAsync(Notification(), log, default));
        Assert.Equal(2, _sink.Bodies.Count);
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

    private sealed class ListLog : IBackupLog
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Messages { get; } = new();
        public void Write(LogLevel level, string message) => Messages.Enqueue((level, message));
    }
}

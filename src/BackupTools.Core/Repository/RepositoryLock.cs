using System.Diagnostics;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Repository;

/// <summary>The sealed JSON of locks/&lt;lock id&gt;.</summary>
internal sealed class LockRecord
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    [JsonPropertyName("purpose")] public string Purpose { get; set; } = "";
    [JsonPropertyName("exclusive")] public bool Exclusive { get; set; }
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("expires")] public DateTimeOffset Expires { get; set; }

    /// <summary>Not expired, and not left by a process of this host that no longer runs.</summary>
    public bool IsLive(DateTimeOffset now)
    {
        if (Expires <= now) return false;
        if (!string.Equals(Host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)) return true;
        try
        {
            using var process = Process.GetProcessById(Pid);
            return !process.HasExited && !IsZombie(Pid);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// On Linux, a killed process whose parent has not reaped it yet still has a process id (state Z in
    /// /proc/&lt;pid&gt;/stat) but holds nothing: its lock is stale.
    /// </summary>
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')');
            return afterName > 0 && afterName + 2 < stat.Length && stat[afterName + 2] == 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Who holds it, for an error message.</summary>
    public string Describe() => $"{(Exclusive ? "an exclusive" : "a shared")} lock for '{Purpose}' held by {Host} (pid {Pid}) since {Created:u}, expiring {Expires:u}";
}

/// <summary>A held lock: refreshed in the background until disposed, then deleted.</summary>
internal sealed class RepositoryLock : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<CancellationToken, Task> _refresh;
    private readonly Func<Task> _release;
    private readonly Task _refreshLoop;
    private int _disposed;

    public RepositoryLock(TimeSpan refreshInterval, Func<CancellationToken, Task> refresh, Func<Task> release)
    {
        _refresh = refresh;
        _release = release;
        _refreshLoop = RefreshLoopAsync(refreshInterval);
    }

    private async Task RefreshLoopAsync(TimeSpan interval)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try { await _refresh(_stop.Token).ConfigureAwait(false); }
                catch (Exception e) when (e is not OperationCanceledException) { /* transient: the next tick retries well before expiry */ }
            }
        }
        catch (OperationCanceledException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stop.Cancel();
        await _refreshLoop.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            await _release().ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Best effort: when storage is down the release fails too, and that must not hide the error that
            // ended the operation. A lock left behind expires on its own (30 minutes, see BackupRepository.Locks).
            System.Diagnostics.Trace.TraceWarning($"A repository lock could not be released: {e.Message}");
        }
    }
}

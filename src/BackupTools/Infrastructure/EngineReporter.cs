using System.Collections.Concurrent;
using BackupTools.Core;

namespace BackupTools.Infrastructure;

/// <summary>
/// Collects progress and log messages from engine threads so the pipeline thread can write them
/// (PowerShell allows Write-* only on the pipeline thread). Only the latest progress per activity is kept.
/// </summary>
internal sealed class EngineReporter : IProgress<ProgressInfo>, IBackupLog
{
    private readonly ConcurrentDictionary<int, ProgressInfo> _latestProgress = new();
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _messages = new();
    private readonly SemaphoreSlim _signal = new(0);

    /// <inheritdoc />
    public void Report(ProgressInfo value)
    {
        _latestProgress[value.ActivityId] = value;
        _signal.Release();
    }

    /// <inheritdoc />
    public void Write(LogLevel level, string message)
    {
        _messages.Enqueue((level, message));
        _signal.Release();
    }

    /// <summary>Ends a <see cref="WaitForNews"/> early (the engine call finished).</summary>
    public void Wake() => _signal.Release();

    /// <summary>Waits up to <paramref name="timeout"/> for something to report.</summary>
    public void WaitForNews(TimeSpan timeout) => _signal.Wait(timeout);

    /// <summary>Takes the queued log messages.</summary>
    public IEnumerable<(LogLevel Level, string Message)> DrainMessages()
    {
        while (_messages.TryDequeue(out var message)) yield return message;
    }

    /// <summary>Takes the latest progress of each activity reported since the last call.</summary>
    public IEnumerable<ProgressInfo> DrainProgress()
    {
        foreach (var id in _latestProgress.Keys)
        {
            if (_latestProgress.TryRemove(id, out var info)) yield return info;
        }
    }
}

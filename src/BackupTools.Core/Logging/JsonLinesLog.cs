using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Logging;

/// <summary>
/// One line of a -LogPath file. Field names are the log's format: timestamp, level (verbose, information, warning,
/// error), event ("message", "backup.completed", "verify.completed", "restore.completed", "error"), backupId, bytes,
/// durationSeconds, message. Never holds a secret: messages come from the engine, which never writes one.
/// </summary>
public sealed record LogEvent(
    [property: JsonPropertyName("timestamp")] DateTimeOffset Timestamp,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("event")] string Event,
    [property: JsonPropertyName("backupId")] string? BackupId,
    [property: JsonPropertyName("bytes")] long? Bytes,
    [property: JsonPropertyName("durationSeconds")] double? DurationSeconds,
    [property: JsonPropertyName("message")] string? Message);

/// <summary>
/// Appends <see cref="LogEvent"/>s as JSON lines to a file (created when missing, shared with other writers), one
/// flushed line per event, for scheduled runs and log shippers. Also an <see cref="IBackupLog"/>: engine messages
/// become "message" events.
/// </summary>
public sealed class JsonLinesLog : IBackupLog, IDisposable
{
    private readonly FileStream _file;
    private readonly object _gate = new();
    private readonly TimeProvider _clock;

    /// <summary>Opens <paramref name="path"/> for appending. NotFound when its folder does not exist.</summary>
    public JsonLinesLog(string path, TimeProvider? clock = null)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(folder))
            throw new BackupToolsException(BackupErrorKind.NotFound, $"The folder '{folder}' of the log path does not exist.", folder);
        _file = new FileStream(fullPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _clock = clock ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public void Write(LogLevel level, string message)
        => Write("message", level.ToString().ToLowerInvariant(), message);

    /// <summary>Appends an event stamped with the current time.</summary>
    public void Write(string eventName, string level, string? message, string? backupId = null, long? bytes = null, double? durationSeconds = null)
        => Append(new LogEvent(_clock.GetUtcNow(), level, eventName, backupId, bytes,
            durationSeconds is { } d ? Math.Round(d, 3) : null, message));

    /// <summary>Closes the file.</summary>
    public void Dispose()
    {
        lock (_gate) _file.Dispose();
    }

    private void Append(LogEvent entry)
    {
        var line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry) + "\n");
        lock (_gate)
        {
            _file.Write(line);
            _file.Flush();
        }
    }
}

/// <summary>Writes every message to two logs (the console reporter and a log file).</summary>
public sealed class TeeLog(IBackupLog first, IBackupLog second) : IBackupLog
{
    /// <inheritdoc />
    public void Write(LogLevel level, string message)
    {
        first.Write(level, message);
        second.Write(level, message);
    }
}

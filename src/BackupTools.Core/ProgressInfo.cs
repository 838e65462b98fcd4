namespace BackupTools.Core;

/// <summary>
/// A progress report from a long operation. The engine reports through IProgress&lt;ProgressInfo&gt;;
/// the cmdlets turn it into Write-Progress on the pipeline thread.
/// </summary>
public sealed record ProgressInfo(
    string Activity,
    string Status,
    long BytesDone,
    long? BytesTotal = null,
    double BytesPerSecond = 0,
    int ActivityId = 1)
{
    public int? PercentComplete => BytesTotal is > 0 ? (int)Math.Min(100, BytesDone * 100 / BytesTotal.Value) : null;
}

/// <summary>A message for the user (warning/verbose) from deep in the engine.</summary>
public enum LogLevel { Verbose, Information, Warning }

public interface IBackupLog
{
    void Write(LogLevel level, string message);
}

public sealed class NullBackupLog : IBackupLog
{
    public static readonly NullBackupLog Instance = new();
    public void Write(LogLevel level, string message) { }
}

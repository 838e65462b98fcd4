using System.Management.Automation;
using BackupTools.Core;
using BackupTools.Core.Logging;

namespace BackupTools.Infrastructure;

/// <summary>
/// What every BackupTools cmdlet shares: running an engine task while writing its progress and log on the
/// pipeline thread, cancelling it on Ctrl+C (StopProcessing), and turning engine errors into ErrorRecords
/// with stable ids and the right category.
/// </summary>
public abstract class BackupCmdletBase : PSCmdlet, IDisposable
{
    private static readonly TimeSpan PumpInterval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stopping = new();
    private JsonLinesLog? _logFile;

    /// <summary>Cancelled when the user stops the pipeline.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <inheritdoc />
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Releases what the cmdlet holds (opened repositories, the log file, the cancellation source).</summary>
    public void Dispose()
    {
        ReleaseResources();
        _logFile?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// The JSON-lines log file engine runs append to, or null for none. <see cref="OperationCmdletBase"/> sets it from
    /// -LogPath; a cmdlet with its own base class overrides this to take part.
    /// </summary>
    protected virtual string? LogFilePath => null;

    /// <summary>The backup the current engine run is about, stamped on log events whose result does not name one.</summary>
    internal string? LogBackupId { get; set; }

    /// <summary>Releases resources a derived cmdlet holds; called once, when PowerShell disposes the cmdlet.</summary>
    protected virtual void ReleaseResources()
    {
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the thread pool and, until it ends, writes its progress (Write-Progress with
    /// bytes and rate) and log messages (Write-Verbose/Write-Warning). Engine errors become terminating errors.
    /// </summary>
    internal T RunEngine<T>(Func<IProgress<ProgressInfo>, IBackupLog, CancellationToken, Task<T>> work)
    {
        try
        {
            return Pump(work);
        }
        catch (BackupToolsException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw; // not reached: ThrowTerminatingError always throws
        }
    }

    /// <summary>As <see cref="RunEngine{T}"/>, but an engine error is written as a non-terminating error and false returned.</summary>
    internal bool TryRunEngine<T>(Func<IProgress<ProgressInfo>, IBackupLog, CancellationToken, Task<T>> work, out T result)
        => TryRunEngine(work, out result, out _);

    /// <summary>As <see cref="TryRunEngine{T}(Func{IProgress{ProgressInfo}, IBackupLog, CancellationToken, Task{T}}, out T)"/>, also handing back the error written.</summary>
    internal bool TryRunEngine<T>(Func<IProgress<ProgressInfo>, IBackupLog, CancellationToken, Task<T>> work, out T result, out BackupToolsException? error)
    {
        try
        {
            result = Pump(work);
            error = null;
            return true;
        }
        catch (BackupToolsException ex)
        {
            WriteEngineError(ex);
            result = default!;
            error = ex;
            return false;
        }
    }

    private T Pump<T>(Func<IProgress<ProgressInfo>, IBackupLog, CancellationToken, Task<T>> work)
    {
        var reporter = new EngineReporter();
        var logFile = OpenLogFile();
        IBackupLog log = logFile is null ? reporter : new TeeLog(reporter, logFile);
        var task = Task.Run(() => work(reporter, log, StopToken), StopToken);
        // The pipeline thread waits for news with a timeout (Ctrl+C, rate updates); the end of the call is news too, or
        // every engine call would end up to one interval late (a restore makes three: open, manifest, restore).
        _ = task.ContinueWith(static (_, state) => ((EngineReporter)state!).Wake(), reporter, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var activities = new Dictionary<int, ProgressInfo>();
        while (!task.IsCompleted)
        {
            reporter.WaitForNews(PumpInterval);
            WriteReports(reporter, activities);
        }
        WriteReports(reporter, activities);
        foreach (var info in activities.Values)
        {
            WriteProgress(new ProgressRecord(info.ActivityId, info.Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        try
        {
            var result = task.GetAwaiter().GetResult();
            if (logFile is not null) OperationEvents.Write(logFile, result, LogBackupId);
            return result;
        }
        catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
        {
            logFile?.Write("cancelled", "warning", "Stopped by the user.", LogBackupId);
            throw new PipelineStoppedException();
        }
        catch (Exception e) when (logFile is not null)
        {
            logFile.Write("error", "error", e.Message, LogBackupId);
            throw;
        }
    }

    /// <summary>The -LogPath file, opened on first use; null when the cmdlet writes no log.</summary>
    private JsonLinesLog? OpenLogFile()
    {
        if (_logFile is not null || LogFilePath is not { Length: > 0 } path) return _logFile;
        return _logFile = new JsonLinesLog(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
    }

    /// <summary>Runs an engine call that is quick and reports nothing, mapping its errors like <see cref="RunEngine{T}"/>.</summary>
    internal T RunQuick<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (BackupToolsException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw;
        }
    }

    /// <summary>Writes a non-terminating error for an engine failure (the pipeline goes on with the next input).</summary>
    internal void WriteEngineError(BackupToolsException ex) => WriteError(ToErrorRecord(ex));

    /// <summary>Throws a terminating error of the given kind, naming <paramref name="target"/>.</summary>
    internal void ThrowError(BackupErrorKind kind, string message, object? target)
        => ThrowTerminatingError(ToErrorRecord(new BackupToolsException(kind, message, target)));

    /// <summary>An ErrorRecord whose id is the engine's stable id and whose category follows the error kind.</summary>
    internal static ErrorRecord ToErrorRecord(BackupToolsException ex)
        => new(ex, ex.ErrorId, CategoryOf(ex.Kind), ex.Target);

    /// <summary>The PowerShell error category for an engine error kind.</summary>
    internal static ErrorCategory CategoryOf(BackupErrorKind kind) => kind switch
    {
        BackupErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        BackupErrorKind.NotFound => ErrorCategory.ObjectNotFound,
        BackupErrorKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
        BackupErrorKind.ConnectionFailed => ErrorCategory.ConnectionError,
        BackupErrorKind.Corrupt => ErrorCategory.InvalidData,
        BackupErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        BackupErrorKind.ResourceBusy => ErrorCategory.ResourceBusy,
        BackupErrorKind.InvalidOperation => ErrorCategory.InvalidOperation,
        _ => ErrorCategory.NotSpecified,
    };

    private void WriteReports(EngineReporter reporter, Dictionary<int, ProgressInfo> activities)
    {
        foreach (var (level, message) in reporter.DrainMessages())
        {
            if (level == LogLevel.Warning) WriteWarning(message);
            else WriteVerbose(message);
        }
        foreach (var info in reporter.DrainProgress())
        {
            activities[info.ActivityId] = info;
            WriteProgress(ToProgressRecord(info));
        }
    }

    /// <summary>"Status: 812 MB of ~1.1 GB, 350 MB/s" with a percentage when the total is known.</summary>
    internal static ProgressRecord ToProgressRecord(ProgressInfo info)
    {
        var amount = ByteFormat.Size(info.BytesDone);
        if (info.BytesTotal is > 0) amount += " of ~" + ByteFormat.Size(info.BytesTotal.Value);
        if (info.BytesPerSecond > 0) amount += ", " + ByteFormat.Rate(info.BytesPerSecond);
        var status = string.IsNullOrEmpty(info.Status) ? amount : info.Status + ": " + amount;
        return new ProgressRecord(info.ActivityId, info.Activity, status)
        {
            PercentComplete = info.PercentComplete ?? -1,
        };
    }
}

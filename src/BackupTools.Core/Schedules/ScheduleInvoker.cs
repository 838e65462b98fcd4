using System.Diagnostics;

namespace BackupTools.Core.Schedules;

/// <summary>Runs one job's work; the real one takes backups and copies (<see cref="ScheduledJobRunner"/>), tests use fakes.</summary>
public interface IScheduledJobRunner
{
    /// <summary>Runs <paramref name="job"/> once. Failures are returned, not thrown (except cancellation).</summary>
    Task<JobRunOutcome> RunAsync(ScheduleJob job, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct);
}

/// <summary>How one run of a job ended.</summary>
/// <param name="Success">True when everything the job did passed.</param>
/// <param name="Message">A one-line summary (errors included, never a secret).</param>
/// <param name="BackupId">The backup made or copied, if any.</param>
public sealed record JobRunOutcome(bool Success, string Message, string? BackupId = null);

/// <summary>One job's run in one invocation.</summary>
/// <param name="Job">The job's name.</param>
/// <param name="Occurrence">The cron occurrence that made it due (the latest missed one is caught up by this run).</param>
/// <param name="Started">When the run started (the invocation's clock).</param>
/// <param name="Outcome">How it ended.</param>
/// <param name="Duration">How long it took.</param>
public sealed record JobRun(string Job, DateTimeOffset Occurrence, DateTimeOffset Started, JobRunOutcome Outcome, TimeSpan Duration);

/// <summary>What one Invoke-BackupSchedule did.</summary>
public sealed class ScheduleInvocation
{
    /// <summary>False when another invocation held the lock, so nothing ran.</summary>
    public bool LockTaken { get; init; }
    /// <summary>The runs, in the order they ran.</summary>
    public IReadOnlyList<JobRun> Runs { get; init; } = Array.Empty<JobRun>();
    /// <summary>True when any run failed.</summary>
    public bool AnyFailed => Runs.Any(r => !r.Outcome.Success);
}

/// <summary>
/// Invoke-BackupSchedule's engine: under the schedule's exclusive lock, runs every enabled job that is due (see
/// <see cref="CronSchedule"/>) once, one after another, recording each result in the state file as it ends. The
/// clock is injected (<see cref="TimeProvider"/>), so tests move time instead of waiting for it.
/// </summary>
public sealed class ScheduleInvoker(ScheduleFile schedule, IScheduledJobRunner runner, TimeProvider clock)
{
    /// <summary>
    /// Runs the due jobs (only <paramref name="onlyJob"/> when given). Returns at once with LockTaken = false when
    /// another invocation is running. Corrupt when the schedule file does not parse.
    /// </summary>
    public async Task<ScheduleInvocation> InvokeAsync(string? onlyJob, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        using var held = ScheduleLock.TryAcquire(schedule.LockPath, clock.GetUtcNow());
        if (held is null)
        {
            log.Write(LogLevel.Warning, $"Another Invoke-BackupSchedule is running (lock {schedule.LockPath}); nothing was run.");
            return new ScheduleInvocation { LockTaken = false };
        }
        var runs = new List<JobRun>();
        var state = schedule.LoadState();
        foreach (var job in schedule.LoadJobs().Where(j => j.Enabled && (onlyJob is null || string.Equals(j.Name, onlyJob, StringComparison.OrdinalIgnoreCase))))
        {
            var now = clock.GetUtcNow();
            var jobState = state.GetValueOrDefault(job.Name) ?? new ScheduleJobState();
            if (DueOccurrence(job, jobState, now, log) is not { } occurrence) continue;
            runs.Add(await RunJobAsync(job, occurrence, now, progress, log, ct).ConfigureAwait(false));
        }
        return new ScheduleInvocation { LockTaken = true, Runs = runs };
    }

    /// <summary>The occurrence that makes <paramref name="job"/> due now, or null. A job whose timing no longer parses is reported and skipped.</summary>
    private static DateTimeOffset? DueOccurrence(ScheduleJob job, ScheduleJobState state, DateTimeOffset now, IBackupLog log)
    {
        try
        {
            return CronSchedule.Parse(job.Cron, job.TimeZone).DueOccurrence(state.LastRun ?? job.Registered, now);
        }
        catch (BackupToolsException e)
        {
            log.Write(LogLevel.Warning, $"Schedule job '{job.Name}' skipped: {e.Message}");
            return null;
        }
    }

    private async Task<JobRun> RunJobAsync(ScheduleJob job, DateTimeOffset occurrence, DateTimeOffset now,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        log.Write(LogLevel.Information, $"Running schedule job '{job.Name}' (due at {occurrence:u}).");
        var watch = Stopwatch.StartNew();
        JobRunOutcome outcome;
        try
        {
            outcome = await runner.RunAsync(job, progress, log, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            outcome = new JobRunOutcome(false, e.Message); // one job's failure never stops the others
        }
        var run = new JobRun(job.Name, occurrence, now, outcome, watch.Elapsed);
        schedule.SaveState(job.Name, new ScheduleJobState
        {
            LastRun = now, LastResult = outcome.Success ? ScheduleRunResult.Succeeded : ScheduleRunResult.Failed,
            LastMessage = outcome.Message, LastBackupId = outcome.BackupId, LastDuration = run.Duration,
        });
        log.Write(outcome.Success ? LogLevel.Information : LogLevel.Warning,
            $"Schedule job '{job.Name}' {(outcome.Success ? "succeeded" : "FAILED")}: {outcome.Message}");
        return run;
    }
}

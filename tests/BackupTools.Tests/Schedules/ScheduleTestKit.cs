using System.Collections.Concurrent;
using BackupTools.Core;
using BackupTools.Core.Schedules;

namespace BackupTools.Tests.Schedules;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A runner that records each run and answers as told; can hold a run open until released.</summary>
internal sealed class FakeRunner : IScheduledJobRunner
{
    public ConcurrentQueue<string> Ran { get; } = new();
    public Func<ScheduleJob, JobRunOutcome> Answer { get; set; } = job => new JobRunOutcome(true, "ok", "backup-" + job.Name);
    public TaskCompletionSource? Gate { get; set; }
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<JobRunOutcome> RunAsync(ScheduleJob job, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        Ran.Enqueue(job.Name);
        Started.TrySetResult();
        if (Gate is not null) await Gate.Task.WaitAsync(ct);
        return Answer(job);
    }
}

/// <summary>A schedule file in a throwaway folder.</summary>
internal sealed class TempSchedule : IDisposable
{
    public TempSchedule()
    {
        Folder = Path.Combine(Path.GetTempPath(), "bt-schedule-" + Guid.NewGuid().ToString("N"));
        File = new ScheduleFile(Path.Combine(Folder, "schedules.json"));
    }

    public string Folder { get; }
    public ScheduleFile File { get; }

    public static ScheduleJob Job(string name, string cron, DateTimeOffset registered, string? timeZone = null) => new()
    {
        Name = name, Cron = cron, TimeZone = timeZone, Registered = registered,
        Database = "postgresql://postgres@db.example.com:5432/app", Repositories = ["main"],
    };

    public void Dispose()
    {
        try { if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true); }
        catch (IOException) { /* best effort */ }
    }
}

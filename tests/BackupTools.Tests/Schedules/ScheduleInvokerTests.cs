using BackupTools.Core;
using BackupTools.Core.Schedules;
using Xunit;

namespace BackupTools.Tests.Schedules;

/// <summary>Invoke-BackupSchedule's engine with a hand-moved clock and a fake runner: due once, catch-up once, no overlap.</summary>
public sealed class ScheduleInvokerTests : IDisposable
{
    private static readonly DateTimeOffset Registered = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempSchedule _schedule = new();
    private readonly ManualClock _clock = new(Registered);
    private readonly FakeRunner _runner = new();

    public void Dispose() => _schedule.Dispose();

    private Task<ScheduleInvocation> InvokeAsync(FakeRunner? runner = null)
        => new ScheduleInvoker(_schedule.File, runner ?? _runner, _clock).InvokeAsync(null, null, NullBackupLog.Instance);

    [Fact]
    public async Task A_due_job_runs_once_and_not_again_until_its_next_slot()
    {
        _schedule.File.Register(TempSchedule.Job("daily", "0 2 * * *", Registered), replace: false);

        Assert.Empty((await InvokeAsync()).Runs);               // 12:00, next slot tomorrow 02:00
        _clock.Now = Registered.AddHours(14).AddMinutes(3);       // 02:03 the next day
        var first = await InvokeAsync();
        var again = await InvokeAsync();
        _clock.Now = _clock.Now.AddHours(23);                     // 01:03: still before the next slot
        var early = await InvokeAsync();

        var run = Assert.Single(first.Runs);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 2, 0, 0, TimeSpan.Zero), run.Occurrence);
        Assert.Empty(again.Runs);
        Assert.Empty(early.Runs);
        Assert.Equal(new[] { "daily" }, _runner.Ran);
        var state = _schedule.File.LoadState()["daily"];
        Assert.Equal(ScheduleRunResult.Succeeded, state.LastResult);
        Assert.Equal("backup-daily", state.LastBackupId);
        Assert.Equal(Registered.AddHours(14).AddMinutes(3), state.LastRun);
    }

    [Fact]
    public async Task Missed_runs_are_caught_up_once_not_once_per_missed_slot()
    {
        _schedule.File.Register(TempSchedule.Job("hourly", "0 * * * *", Registered), replace: false);
        _schedule.File.Register(TempSchedule.Job("daily", "0 2 * * *", Registered), replace: false);
        _clock.Now = Registered.AddDays(6);                       // the machine was off for six days

        var catchUp = await InvokeAsync();
        var after = await InvokeAsync();

        Assert.Equal(new[] { "daily", "hourly" }, catchUp.Runs.Select(r => r.Job));
        Assert.Empty(after.Runs);
        Assert.Equal(2, _runner.Ran.Count);
    }

    [Fact]
    public async Task Disabled_jobs_do_not_run_and_a_failure_is_recorded_without_stopping_the_others()
    {
        var disabled = TempSchedule.Job("disabled", "0 2 * * *", Registered);
        disabled.Enabled = false;
        _schedule.File.Register(disabled, replace: false);
        _schedule.File.Register(TempSchedule.Job("a-fails", "0 2 * * *", Registered), replace: false);
        _schedule.File.Register(TempSchedule.Job("b-throws", "0 2 * * *", Registered), replace: false);
        _schedule.File.Register(TempSchedule.Job("c-passes", "0 2 * * *", Registered), replace: false);
        _runner.Answer = job => job.Name switch
        {
            "a-fails" => new JobRunOutcome(false, "pg_dump failed (exit code 1)"),
            "b-throws" => throw new IOException("disk full"),
            _ => new JobRunOutcome(true, "ok"),
        };
        _clock.Now = Registered.AddDays(1);

        var invocation = await InvokeAsync();

        Assert.True(invocation.AnyFailed);
        Assert.Equal(new[] { "a-fails", "b-throws", "c-passes" }, invocation.Runs.Select(r => r.Job));
        var state = _schedule.File.LoadState();
        Assert.Equal(ScheduleRunResult.Failed, state["a-fails"].LastResult);
        Assert.Equal("pg_dump failed (exit code 1)", state["a-fails"].LastMessage);
        Assert.Equal("disk full", state["b-throws"].LastMessage);
        Assert.Equal(ScheduleRunResult.Succeeded, state["c-passes"].LastResult);
        Assert.False(state.ContainsKey("disabled"));
    }

    [Fact]
    public async Task A_second_invocation_while_one_runs_exits_without_running_anything()
    {
        _schedule.File.Register(TempSchedule.Job("daily", "0 2 * * *", Registered), replace: false);
        _clock.Now = Registered.AddDays(1);
        _runner.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = Task.Run(() => InvokeAsync());
        await _runner.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var secondRunner = new FakeRunner();
        var second = await Task.Run(() => InvokeAsync(secondRunner));
        _runner.Gate.SetResult();
        var firstResult = await first;
        var third = await InvokeAsync();

        Assert.False(second.LockTaken);
        Assert.Empty(second.Runs);
        Assert.Empty(secondRunner.Ran);
        Assert.True(firstResult.LockTaken);
        Assert.Single(firstResult.Runs);
        Assert.True(third.LockTaken);     // the lock was released
        Assert.Empty(third.Runs);         // and the job is not due again
        Assert.Single(_runner.Ran);
    }

    [Fact]
    public async Task Only_the_named_job_runs_when_one_is_named()
    {
        _schedule.File.Register(TempSchedule.Job("daily", "0 2 * * *", Registered), replace: false);
        _schedule.File.Register(TempSchedule.Job("weekly", "0 2 * * *", Registered), replace: false);
        _clock.Now = Registered.AddDays(1);

        var invocation = await new ScheduleInvoker(_schedule.File, _runner, _clock).InvokeAsync("WEEKLY", null, NullBackupLog.Instance);

        Assert.Equal(new[] { "weekly" }, invocation.Runs.Select(r => r.Job));
    }
}

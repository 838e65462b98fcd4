using System.Diagnostics;

namespace BackupTools.Core.Operations;

/// <summary>Runs the steps of a restore one by one, recording each one's name, result and duration in the outcome.</summary>
internal sealed class StepTimer(DatabaseRestoreOutcome outcome, IBackupLog log)
{
    /// <summary>Runs a step; a failure is recorded and rethrown.</summary>
    public async Task RunAsync(string name, Func<Task> step) => await RunAsync(name, async () =>
    {
        await step().ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);

    /// <summary>Runs a step that returns a value; a failure is recorded and rethrown.</summary>
    public async Task<T> RunAsync<T>(string name, Func<Task<T>> step)
    {
        log.Write(LogLevel.Verbose, name + ".");
        var clock = Stopwatch.StartNew();
        try
        {
            var result = await step().ConfigureAwait(false);
            outcome.Steps.Add(new RestoreStep(name, true, clock.Elapsed));
            return result;
        }
        catch
        {
            outcome.Steps.Add(new RestoreStep(name, false, clock.Elapsed));
            throw;
        }
    }
}

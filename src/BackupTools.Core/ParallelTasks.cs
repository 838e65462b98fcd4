using System.IO.Pipelines;

namespace BackupTools.Core;

/// <summary>
/// Running work side by side: tasks where the first failure cancels the others and is the one thrown (not the
/// cancellations it caused), blocking work on a thread of its own, and a producer feeding a pipe.
/// </summary>
internal static class ParallelTasks
{
    /// <summary>Starts every task with a shared token that is cancelled when any fails (or <paramref name="ct"/> is); returns their results in order.</summary>
    public static async Task<T[]> RunAllAsync<T>(IEnumerable<Func<CancellationToken, Task<T>>> tasks, CancellationToken ct)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var all = Task.WhenAll(tasks.Select(async task =>
        {
            try { return await task(failed.Token).ConfigureAwait(false); }
            catch { failed.Cancel(); throw; }
        }));
        try
        {
            return await all.ConfigureAwait(false);
        }
        catch
        {
            ct.ThrowIfCancellationRequested();
            var cause = all.Exception?.InnerExceptions.FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }

    /// <summary><see cref="RunAllAsync{T}"/> for tasks without a result.</summary>
    public static Task RunAllAsync(IEnumerable<Func<CancellationToken, Task>> tasks, CancellationToken ct)
        => RunAllAsync(tasks.Select(task => (Func<CancellationToken, Task<bool>>)(async token =>
        {
            await task(token).ConfigureAwait(false);
            return true;
        })), ct);

    /// <summary>How many database sessions work side by side: <paramref name="requested"/> (e.g. -Jobs), else as many as the machine has processors, at least 2.</summary>
    public static int SessionsFor(int requested) => requested > 0 ? requested : Math.Max(2, Environment.ProcessorCount);

    /// <summary>Runs blocking work (synchronous reads of a pipe, a parser) on a thread of its own instead of a pool thread.</summary>
    public static Task OnOwnThread(Action action)
        => Task.Factory.StartNew(action, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <inheritdoc cref="OnOwnThread(Action)"/>
    public static Task<T> OnOwnThread<T>(Func<T> func)
        => Task.Factory.StartNew(func, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Starts <paramref name="produce"/> writing into <paramref name="writer"/> (as a stream) and completes the pipe when it
    /// ends: with its failure, so the reader of the pipe throws that very exception. The returned task never faults.
    /// </summary>
    public static Task FeedPipe(PipeWriter writer, Func<Stream, Task> produce) => Task.Run(async () =>
    {
        Exception? error = null;
        try
        {
            await using var output = writer.AsStream(leaveOpen: true);
            await produce(output).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            error = e;
        }
        await writer.CompleteAsync(error).ConfigureAwait(false);
    }, CancellationToken.None);
}

namespace BackupTools.Core.Operations;

/// <summary>Runs tasks side by side where the first failure cancels the others and is the one thrown (not the cancellations it caused).</summary>
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
}

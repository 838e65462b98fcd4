using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>
/// A whole restore into a new database with parallel pg_restore, overlapped with reading the backup. <see cref="Start"/>
/// begins reading the dump (every chunk authenticated and hash-checked) into a private spool file at once, while the
/// target is still being prepared; <see cref="RestoreAsync"/> then, while that file grows, restores the pre-data section
/// (tables, types, functions) from its table of contents, splits the data section across N pg_restore processes that
/// each follow the spool through their stdin at their own pace (so a large table does not hold up the others), and once
/// all data is in runs the post-data section (indexes, constraints, policies) with pg_restore -j N. A corrupt chunk ends
/// the spool with that error, which ends every pg_restore; the caller then drops the new database. (A dump written by
/// pg_dump to a pipe has no data offsets in its table of contents, which is why the data processes read a stream.)
/// Disposing stops the reading and removes the spool and list files.
/// </summary>
internal sealed class OverlappedRestore : IAsyncDisposable
{
    /// <summary>How much of the dump is awaited before its table of contents is first listed (eight times more at each retry).</summary>
    private const long FirstTocHeadBytes = 64 << 10;

    private readonly CancellationTokenSource _stop;
    private readonly FollowedSpool _spool;
    private readonly Task _reading;
    private readonly List<string> _listFiles = new();

    private OverlappedRestore(BackupRepository repository, FileEntry dump, string spoolPath, IProgress<long> progress, CancellationToken ct)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _spool = FollowedSpool.Create(spoolPath);
        _reading = Task.Run(() => ReadIntoSpoolAsync(repository, dump, progress, _stop.Token), CancellationToken.None);
    }

    /// <summary>Creates the spool file at <paramref name="spoolPath"/> and starts reading the dump into it.</summary>
    public static OverlappedRestore Start(BackupRepository repository, FileEntry dump, string spoolPath, IProgress<long> progress, CancellationToken ct)
        => new(repository, dump, spoolPath, progress, ct);

    /// <summary>Restores the dump into <paramref name="target"/> (an empty, new database) with <paramref name="jobs"/> parallel processes.</summary>
    public async Task RestoreAsync(PgTool pgRestore, PgConnectionInfo target, int jobs, IReadOnlyCollection<TableInfo> tables, IBackupLog log, CancellationToken ct)
    {
        var spoolPath = _spool.SpoolPath;
        var entries = await ListDataSectionAsync(pgRestore, target, ct).ConfigureAwait(false);
        await PgRestoreRun.RunAsync(pgRestore, PgRestoreRun.ArgumentsFor(target).Append("--section=pre-data").Append(spoolPath), target, null, ct).ConfigureAwait(false);
        log.Write(LogLevel.Verbose, "Schema restored (pre-data).");
        var lists = DataSectionPlan.Split(entries, tables, jobs);
        log.Write(LogLevel.Verbose, $"Loading the data with {lists.Count} pg_restore processes following the verified spool.");
        using var stopLoads = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var loads = new List<Task>();
        try
        {
            foreach (var list in lists)
            {
                var listPath = $"{spoolPath}.{_listFiles.Count}.list";
                _listFiles.Add(listPath);
                await File.WriteAllLinesAsync(listPath, list, ct).ConfigureAwait(false);
                var args = PgRestoreRun.ArgumentsFor(target).Append("-L").Append(listPath);
                loads.Add(PgRestoreRun.RunAsync(pgRestore, args, target, stdin => _spool.FollowAsync(stdin, stopLoads.Token), stopLoads.Token));
            }
            // A corrupt chunk surfaces here first, whatever the pg_restore processes then said.
            await _reading.ConfigureAwait(false);
            await Task.WhenAll(loads).ConfigureAwait(false);
        }
        finally
        {
            // Every process is gone before the caller drops the database.
            stopLoads.Cancel();
            foreach (var load in loads)
            {
                try { await load.ConfigureAwait(false); } catch (Exception) { /* the error that counts was thrown above */ }
            }
        }
        log.Write(LogLevel.Verbose, $"Data loaded; indexes, constraints and policies with pg_restore -j {jobs}.");
        await PgRestoreRun.RunAsync(pgRestore, PgRestoreRun.ArgumentsFor(target).Append("--section=post-data").Concat(PgRestoreRun.Jobs(jobs)).Append(spoolPath),
            target, null, ct).ConfigureAwait(false);
    }

    private async Task ReadIntoSpoolAsync(BackupRepository repository, FileEntry dump, IProgress<long> progress, CancellationToken ct)
    {
        try
        {
            await repository.ReadFileAsync(dump, _spool, progress, ct).ConfigureAwait(false);
            _spool.Complete(null);
        }
        catch (Exception e)
        {
            _spool.Complete(e);
            throw;
        }
    }

    /// <summary>
    /// The data-section entries of the dump's table of contents, listed from the spool as soon as enough of its head
    /// is written: pg_restore -l is tried on a growing head until the whole table of contents is in it.
    /// </summary>
    private async Task<IReadOnlyList<string>> ListDataSectionAsync(PgTool pgRestore, PgConnectionInfo target, CancellationToken ct)
    {
        string[] args = { "-l", "--section=data", _spool.SpoolPath };
        for (var head = FirstTocHeadBytes; ; head *= 8)
        {
            await _spool.WaitForAsync(head, ct).ConfigureAwait(false);
            var whole = _spool.IsComplete;
            try
            {
                var listing = await PgRestoreRun.RunAsync(pgRestore, args, target, null, ct).ConfigureAwait(false);
                return listing.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith(';')).ToList();
            }
            catch (BackupToolsException e) when (e.Kind == BackupErrorKind.ExternalToolFailed && !whole)
            {
                // The table of contents goes on beyond what is written so far.
            }
        }
    }

    /// <summary>Stops the reading if it still runs, closes the spool and deletes it and the list files.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await _reading.ConfigureAwait(false); } catch (Exception) { /* cancelled, or its error was thrown by RestoreAsync */ }
        _spool.Dispose();
        File.Delete(_spool.SpoolPath);
        foreach (var path in _listFiles) File.Delete(path);
        _stop.Dispose();
    }
}

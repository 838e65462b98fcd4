using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Operations;

/// <summary>
/// A whole restore into a new database with parallel pg_restore, overlapped with reading the backup. The dump is read
/// (every chunk authenticated and hash-checked) into a private spool file, and while that file grows: the pre-data
/// section (tables, types, functions) is restored from its table of contents; the data section is split across N
/// pg_restore processes that each follow the spool through their stdin at their own pace (so a large table does not
/// hold up the others); and once all data is in, the post-data section (indexes, constraints, policies) runs with
/// pg_restore -j N. A corrupt chunk ends the spool with that error, which ends every pg_restore; the caller then drops
/// the new database. A dump written by pg_dump to a pipe has no data offsets in its table of contents, which is why
/// the data processes read a stream rather than the file.
/// </summary>
internal static class OverlappedRestore
{
    /// <summary>How much of the dump is awaited before listing its table of contents (the whole dump when that fails).</summary>
    private const long TocHeadBytes = 32L << 20;

    /// <summary>Restores <paramref name="dump"/> into <paramref name="target"/> (an empty, new database) with <paramref name="jobs"/> parallel processes.</summary>
    public static async Task RunAsync(BackupRepository repository, FileEntry dump, string spoolPath, PgTool pgRestore, PgConnectionInfo target,
        int jobs, IReadOnlyCollection<TableInfo> tables, IProgress<long> progress, IBackupLog log, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var spool = FollowedSpool.Create(spoolPath);
        var reading = Task.Run(() => ReadIntoAsync(repository, dump, spool, progress, stop.Token), CancellationToken.None);
        var loads = new List<Task>();
        try
        {
            var entries = await ListDataSectionAsync(pgRestore, spool, target, ct).ConfigureAwait(false);
            await PgRestoreRun.RunAsync(pgRestore, PgRestoreRun.ArgumentsFor(target).Append("--section=pre-data").Append(spoolPath), target, null, ct).ConfigureAwait(false);
            var lists = DataSectionPlan.Split(entries, tables, jobs);
            log.Write(LogLevel.Verbose, $"Loading the data with {lists.Count} pg_restore processes following the verified spool.");
            for (var i = 0; i < lists.Count; i++)
            {
                var listPath = $"{spoolPath}.{i}.list";
                await File.WriteAllLinesAsync(listPath, lists[i], ct).ConfigureAwait(false);
                var args = PgRestoreRun.ArgumentsFor(target).Append("-L").Append(listPath);
                loads.Add(PgRestoreRun.RunAsync(pgRestore, args, target, stdin => spool.FollowAsync(stdin, stop.Token), stop.Token));
            }
            // A corrupt chunk surfaces here first, whatever the pg_restore processes then said.
            await reading.ConfigureAwait(false);
            await Task.WhenAll(loads).ConfigureAwait(false);
            await PgRestoreRun.RunAsync(pgRestore, PgRestoreRun.ArgumentsFor(target).Append("--section=post-data").Concat(PgRestoreRun.Jobs(jobs)).Append(spoolPath),
                target, null, ct).ConfigureAwait(false);
        }
        finally
        {
            stop.Cancel();
            // Every process is gone and the file closed before the caller drops the database or deletes the spool.
            foreach (var task in loads.Append(reading))
            {
                try { await task.ConfigureAwait(false); } catch (Exception) { /* the error that counts was thrown above */ }
            }
            spool.Dispose();
            for (var i = 0; i < loads.Count; i++) File.Delete($"{spoolPath}.{i}.list");
        }
    }

    private static async Task ReadIntoAsync(BackupRepository repository, FileEntry dump, FollowedSpool spool, IProgress<long> progress, CancellationToken ct)
    {
        try
        {
            await repository.ReadFileAsync(dump, spool, progress, ct).ConfigureAwait(false);
            spool.Complete(null);
        }
        catch (Exception e)
        {
            spool.Complete(e);
            throw;
        }
    }

    /// <summary>The data-section entries of the dump's table of contents, listed from the spool once its head is written.</summary>
    private static async Task<IReadOnlyList<string>> ListDataSectionAsync(PgTool pgRestore, FollowedSpool spool, PgConnectionInfo target, CancellationToken ct)
    {
        string[] args = { "-l", "--section=data", spool.SpoolPath };
        await spool.WaitForAsync(TocHeadBytes, ct).ConfigureAwait(false);
        string listing;
        try
        {
            listing = await PgRestoreRun.RunAsync(pgRestore, args, target, null, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException e) when (e.Kind == BackupErrorKind.ExternalToolFailed)
        {
            // A table of contents larger than the head: list it from the whole file.
            await spool.WaitForAsync(long.MaxValue, ct).ConfigureAwait(false);
            listing = await PgRestoreRun.RunAsync(pgRestore, args, target, null, ct).ConfigureAwait(false);
        }
        return listing.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !l.StartsWith(';')).ToList();
    }
}

using System.IO.Pipelines;
using System.Text;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using BackupTools.Core.Wal;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>
/// A base backup that reads the data directory directly, as pgBackRest does, when it is on this machine: on one SQL
/// session pg_backup_start (fast checkpoint), the files copied as <see cref="PhysicalBackup.TarPartName"/> tars in
/// parallel (one per processor, balanced by size, each through its own chunk pass), then pg_backup_stop, whose labelfile
/// is stored as backup_label (and tablespace_map when not empty). pg_backup_stop does not wait for the archive itself
/// (it polls once a second): <see cref="PhysicalBackup"/> then waits for the backup history file and every segment
/// from walStart to walStop in the repository, polling from 20 ms up to every 250 ms — the same guarantee, a second sooner.
/// </summary>
internal static class DirectBaseBackup
{
    /// <summary>The pipe between a part's tar writer and its chunk pass pauses the writer at this many bytes.</summary>
    private const long PipeBufferBytes = 4 << 20;

    /// <summary>
    /// The data directory reader when the server's data directory is readable here and is the connected cluster's;
    /// null otherwise (the reason is logged, and the backup streams through pg_basebackup).
    /// </summary>
    public static async Task<DataDirectoryReader?> TryOpenAsync(NpgsqlConnection conn, ClusterFacts facts, IBackupLog log, CancellationToken ct)
    {
        var reason = "";
        // A checkpoint may complete between the query and the file read: a second look settles it.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var checkpoint = Lsn.Parse(await PgServer.ScalarAsync<string>(conn, "SELECT checkpoint_lsn::text FROM pg_control_checkpoint()", ct).ConfigureAwait(false));
            if (DataDirectoryReader.TryOpen(facts.DataDirectory, facts.SystemIdentifier, checkpoint, out reason) is { } reader) return reader;
        }
        log.Write(LogLevel.Verbose, $"Streaming the base backup through pg_basebackup: {reason}.");
        return null;
    }

    /// <summary>Runs the backup into <paramref name="component"/>; returns START WAL LOCATION and START TIMELINE from the labelfile.</summary>
    public static async Task<(Lsn Start, uint Timeline)> RunAsync(ComponentWriter component, NpgsqlConnection conn, int serverMajor,
        DataDirectoryReader reader, IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct)
    {
        var (startFunction, startArguments, stopSql) = serverMajor >= 15
            ? ("pg_backup_start", "$1, true", "SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")
            : ("pg_start_backup", "$1, true, false", "SELECT labelfile, spcmapfile FROM pg_stop_backup(false, false)");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var start = new NpgsqlCommand($"SELECT {startFunction}({startArguments})::text", conn) { CommandTimeout = 0 })
        {
            start.Parameters.Add(new NpgsqlParameter { Value = "BackupTools " + DateTimeOffset.UtcNow.ToString("O") });
            object? lsn;
            try
            {
                lsn = await start.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }
            catch (PostgresException e) when (e.SqlState == "42501")
            {
                throw new BackupToolsException(BackupErrorKind.PermissionDenied,
                    $"Starting a base backup needs a superuser or EXECUTE on {startFunction}: {e.MessageText}", conn.Host, e);
            }
            log.Write(LogLevel.Verbose, $"Backup started at {lsn} (checkpoint took {clock.Elapsed.TotalSeconds:0.00} s); reading {reader.Root}.");
        }

        var entries = reader.List();
        var parts = DataDirectoryReader.Split(entries, Environment.ProcessorCount);
        var counter = new SummedProgress(new TransferProgress(progress, $"Base backup of {reader.Root}", "data directory",
            entries.Sum(e => e.Size)), parts.Count);
        var stored = await ParallelTasks.RunAllAsync(parts.Select((part, i) => (Func<CancellationToken, Task<IReadOnlyDictionary<BackupDestination, FileEntry>>>)(token =>
            StorePartAsync(component, reader.Root, part, PhysicalBackup.TarPartName(i + 1), counter.For(i), token))), ct).ConfigureAwait(false);

        log.Write(LogLevel.Verbose, $"Read {entries.Count} entries, {entries.Sum(e => e.Size):N0} bytes, in {parts.Count} parallel parts ({clock.Elapsed.TotalSeconds:0.00} s so far); stopping the backup.");
        string label, tablespaceMap;
        await using (var stop = new NpgsqlCommand(stopSql, conn))
        await using (var result = await stop.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            await result.ReadAsync(ct).ConfigureAwait(false);
            (label, tablespaceMap) = (result.GetString(0), result.IsDBNull(1) ? "" : result.GetString(1));
        }
        log.Write(LogLevel.Verbose, $"Backup stopped ({clock.Elapsed.TotalSeconds:0.00} s).");
        foreach (var files in stored) component.Add(files, f => f.Format = "tar");
        await StoreTextAsync(component, PhysicalBackup.BackupLabelFileName, label, ct).ConfigureAwait(false);
        if (tablespaceMap.Length > 0) await StoreTextAsync(component, PhysicalBackup.TablespaceMapFileName, tablespaceMap, ct).ConfigureAwait(false);
        return BackupLabel.Parse(label) ?? throw new BackupToolsException(BackupErrorKind.ExternalToolFailed,
            "pg_backup_stop returned a labelfile without START WAL LOCATION: cannot tell where the backup's WAL starts.", "backup_label");
    }

    /// <summary>Writes one part's tar into a pipe that the component's chunk pass reads; either side's failure stops the other.</summary>
    private static async Task<IReadOnlyDictionary<BackupDestination, FileEntry>> StorePartAsync(ComponentWriter component, string root,
        IReadOnlyList<DataFile> entries, string name, IProgress<long> progress, CancellationToken ct)
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: PipeBufferBytes, resumeWriterThreshold: PipeBufferBytes / 2, useSynchronizationContext: false));
        using var stopWriting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var write = ParallelTasks.FeedPipe(pipe.Writer, output => DataDirectoryTar.WriteAsync(root, entries, output, stopWriting.Token));
        try
        {
            await using var input = pipe.Reader.AsStream();
            return await component.StoreAsync(name, input, progress, ct, StreamWriteOptions.DatabaseStream).ConfigureAwait(false);
        }
        catch
        {
            stopWriting.Cancel();
            throw;
        }
        finally
        {
            await write.ConfigureAwait(false);
        }
    }

    private static async Task StoreTextAsync(ComponentWriter component, string name, string text, CancellationToken ct)
    {
        using var content = new MemoryStream(Encoding.UTF8.GetBytes(text), writable: false);
        await component.WriteFileAsync(name, content, f => f.Format = "text", ct: ct).ConfigureAwait(false);
    }
}

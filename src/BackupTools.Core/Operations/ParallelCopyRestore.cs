using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;
using Npgsql;

namespace BackupTools.Core.Operations;

/// <summary>
/// A whole restore into a new database that loads the rows itself, in parallel, even within one table:
/// <list type="number">
/// <item>the dump's chunks are read from the repository (every chunk authenticated and its id re-checked) into a short
/// queue, and the archive parsed from them in place (<see cref="CustomArchiveReader"/>), its table of contents first;</item>
/// <item>pg_restore restores the pre-data section (types, tables, functions) from that table of contents alone;</item>
/// <item>the data blocks are cut at row boundaries into 1 MiB segments, and N sessions load them with COPY FROM STDIN,
/// each segment to the least busy session, so one large table is loaded by every session at once (pg_restore -j loads
/// each table with one session, so the largest table bounds it);</item>
/// <item>pg_restore -j N restores the rest (sequence values, indexes, constraints, triggers, policies, grants).</item>
/// </list>
/// The sessions use pg_restore's own settings (search_path from the archive, row_security off, no timeouts). Rows of a
/// table that several sessions loaded are not in their dump order on disk. An archive this path does not handle
/// (compressed, large objects, an encoding other than UTF8, a format newer than it knows) is detected from the table of
/// contents before anything is written, and the caller falls back to one pg_restore.
/// </summary>
internal static class ParallelCopyRestore
{
    /// <summary>Rows are handed to a session in segments of about this size (cut at the end of a row).</summary>
    public const int DefaultSegmentBytes = 1 << 20;
    /// <summary>How many of the dump's decrypted chunks (about 1 MiB each) may wait for the row splitter.</summary>
    private const int QueuedChunks = 16;

    /// <summary>
    /// Restores <paramref name="dump"/> into <paramref name="target"/> (a new, empty database). Returns false, having written
    /// nothing, when the archive is not one this path handles; throws on any failure (the caller drops the database).
    /// <paramref name="headPath"/> receives the archive's table of contents (the caller deletes it).
    /// </summary>
    public static async Task<bool> TryRunAsync(BackupRepository repository, FileEntry dump, PgTool pgRestore, PgConnectionInfo target, int sessions,
        string headPath, IProgress<long>? progress, IBackupLog log, CancellationToken ct, int segmentBytes = DefaultSegmentBytes)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var chunks = new QueuedChunkInput(QueuedChunks, repository.ChunkBuffers);
        var reading = chunks.FeedAsync(repository, dump, progress, stop.Token);
        var listPath = headPath + ".list";
        try
        {
            var archive = new CustomArchiveReader(chunks);
            var unsupported = await ParallelTasks.OnOwnThread(() =>
            {
                try
                {
                    archive.ReadHead();
                    return WhyNot(archive);
                }
                catch (NotSupportedException e)
                {
                    return e.Message;
                }
            }).ConfigureAwait(false);
            if (unsupported is not null)
            {
                log.Write(LogLevel.Verbose, $"Restoring with one pg_restore instead of parallel COPY: {unsupported}.");
                return false;
            }
            await using (var head = new FileStream(headPath, PrivateFile.ForWriting(FileMode.CreateNew)))
                await head.WriteAsync(archive.Head, ct).ConfigureAwait(false);
            await PgRestoreRun.RunAsync(pgRestore, PgRestoreRun.ArgumentsFor(target).Append("--section=pre-data").Append(headPath), target, null, ct).ConfigureAwait(false);
            log.Write(LogLevel.Verbose, $"Schema restored (pre-data); loading the rows with {sessions} COPY sessions.");

            await LoadRowsAsync(archive, target, sessions, segmentBytes, log, stop.Token).ConfigureAwait(false);
            log.Write(LogLevel.Verbose, $"Rows loaded; sequence values, indexes, constraints and grants with pg_restore -j {sessions}.");

            var rest = archive.Entries.Where(e => e.EffectiveSection >= ArchiveEntry.SectionData && !e.IsTableData)
                .Select(e => e.DumpId.ToString(CultureInfo.InvariantCulture) + ";");
            await File.WriteAllLinesAsync(listPath, rest, ct).ConfigureAwait(false);
            await PgRestoreRun.RunAsync(pgRestore, PgRestoreRun.ArgumentsFor(target).Concat(PgRestoreRun.Jobs(sessions)).Append("-L").Append(listPath).Append(headPath),
                target, null, ct).ConfigureAwait(false);
            return true;
        }
        finally
        {
            stop.Cancel();
            await reading.ConfigureAwait(false); // its error, if any, reached the splitter through the queue
            File.Delete(listPath);
        }
    }

    /// <summary>Why this path cannot restore the archive, or null.</summary>
    private static string? WhyNot(CustomArchiveReader archive)
    {
        if (!string.Equals(archive.Encoding, "UTF8", StringComparison.OrdinalIgnoreCase)) return $"the dump's encoding is {archive.Encoding ?? "unknown"}";
        if (archive.Entries.FirstOrDefault(e => e.Desc.StartsWith("BLOB", StringComparison.Ordinal) || e.Desc == "LARGE OBJECT") is { } blob)
            return $"the dump holds large objects ({blob.Desc})";
        if (archive.Entries.FirstOrDefault(e => e.IsTableData && !IsCopyFromStdin(e.CopyStmt)) is { } odd)
            return $"the data of {odd.Namespace}.{odd.Tag} has no COPY statement this path knows";
        return null;
    }

    private static bool IsCopyFromStdin(string? copyStmt)
        => copyStmt is not null && copyStmt.StartsWith("COPY ", StringComparison.Ordinal) && copyStmt.TrimEnd().EndsWith("FROM stdin;", StringComparison.Ordinal);

    /// <summary>Cuts every table's rows into segments and loads them through <paramref name="count"/> COPY sessions.</summary>
    private static async Task LoadRowsAsync(CustomArchiveReader archive, PgConnectionInfo target, int count, int segmentBytes, IBackupLog log, CancellationToken ct)
    {
        var buffers = new SegmentBuffers(segmentBytes);
        var loaders = new RowLoader[count];
        try
        {
            for (var i = 0; i < count; i++) loaders[i] = new RowLoader(buffers);
            await Task.WhenAll(loaders.Select(l => l.OpenAsync(target, archive.SearchPathStatement, ct))).ConfigureAwait(false);
            // The first real failure (a corrupt chunk, a row the server refused) stops the others and is the one thrown.
            await ParallelTasks.RunAllAsync(loaders.Select(l => (Func<CancellationToken, Task>)l.RunAsync)
                .Append(token => ParallelTasks.OnOwnThread(() =>
                {
                    try
                    {
                        Split(archive, loaders, buffers, token);
                    }
                    finally
                    {
                        foreach (var loader in loaders) loader.Complete();
                    }
                })), ct).ConfigureAwait(false);
            log.Write(LogLevel.Verbose, "Rows per session: " + string.Join(", ", loaders.Select(l => $"{l.Bytes:N0} bytes in {l.Copies} COPY")));
        }
        finally
        {
            foreach (var loader in loaders) if (loader is not null) await loader.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the data blocks in order and hands each table's rows out in segments cut at the end of a row.</summary>
    private static void Split(CustomArchiveReader archive, RowLoader[] loaders, SegmentBuffers buffers, CancellationToken ct)
    {
        var tables = archive.Entries.Where(e => e.IsTableData).ToDictionary(e => e.DumpId);
        while (archive.NextBlock() is { } id)
        {
            ct.ThrowIfCancellationRequested();
            if (!tables.TryGetValue(id, out var table))
            {
                // A block no entry loads (pg_restore would skip it too).
                var skipped = buffers.Rent();
                for (var ended = false; !ended;) archive.ReadChunks(ref skipped, 0, 1, out ended);
                buffers.Return(skipped);
                continue;
            }
            var segment = buffers.Rent();
            var length = 0;
            while (true)
            {
                length = archive.ReadChunks(ref segment, length, buffers.SegmentBytes, out var ended);
                if (ended) break;
                var cut = segment.AsSpan(0, length).LastIndexOf((byte)'\n') + 1;
                if (cut == 0)
                {
                    // One row longer than a segment: read on (the buffer grows).
                    length = archive.ReadChunks(ref segment, length, length + 1, out ended);
                    if (ended) break;
                    continue;
                }
                var next = buffers.Rent();
                segment.AsSpan(cut, length - cut).CopyTo(next);
                Dispatch(loaders, new Segment(table, segment, cut), ct);
                (segment, length) = (next, length - cut);
            }
            length = WithoutEndMarker(segment, length);
            if (length > 0) Dispatch(loaders, new Segment(table, segment, length), ct);
            else buffers.Return(segment);
        }
    }

    /// <summary>The length of a table's last segment without COPY's end-of-data line (\. and the blank lines pg_dump writes after it).</summary>
    internal static int WithoutEndMarker(byte[] segment, int length)
    {
        var end = length;
        while (end > 0 && segment[end - 1] == (byte)'\n') end--;
        if (end >= 2 && segment[end - 2] == (byte)'\\' && segment[end - 1] == (byte)'.' && (end == 2 || segment[end - 3] == (byte)'\n'))
            return end - 2;
        return length;
    }

    private static void Dispatch(RowLoader[] loaders, Segment segment, CancellationToken ct)
    {
        var loader = loaders[0];
        foreach (var l in loaders) if (l.Queued < loader.Queued) loader = l;
        loader.Enqueue(segment, ct);
    }

    /// <summary>
    /// The dump's chunks as the repository decrypts them (buffers from <see cref="BackupRepository.ChunkBuffers"/>), queued for the
    /// archive reader, which parses them in place: no copy into a pipe and out again. The feed's failure (a corrupt
    /// chunk) is what the reader's next <see cref="Next"/> throws.
    /// </summary>
    private sealed class QueuedChunkInput(int capacity, ArrayPool<byte> pool) : ArchiveInput
    {
        private readonly Channel<(byte[] Buffer, int Length)> _queue = Channel.CreateBounded<(byte[], int)>(
            new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        private byte[]? _current;

        /// <summary>Reads <paramref name="dump"/> into the queue; completes it with the reading's failure, if any (and never throws itself).</summary>
        public async Task FeedAsync(BackupRepository repository, FileEntry dump, IProgress<long>? progress, CancellationToken ct)
        {
            await Task.Yield(); // the caller goes on to read
            try
            {
                await repository.ReadChunksAsync(dump, async (buffer, length, token) =>
                {
                    try
                    {
                        await _queue.Writer.WriteAsync((buffer, length), token).ConfigureAwait(false);
                    }
                    catch
                    {
                        pool.Return(buffer);
                        throw;
                    }
                }, progress, ct).ConfigureAwait(false);
                _queue.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _queue.Writer.TryComplete(e);
            }
        }

        public override bool Next(out byte[] buffer, out int length)
        {
            ReturnCurrent();
            (byte[] Buffer, int Length) item;
            while (!_queue.Reader.TryRead(out item))
            {
                // The reader runs on a thread of its own: waiting here blocks nothing else. Throws the feed's failure.
                if (!_queue.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                {
                    (buffer, length) = (Array.Empty<byte>(), 0);
                    return false;
                }
            }
            (_current, buffer, length) = (item.Buffer, item.Buffer, item.Length);
            return true;
        }

        private void ReturnCurrent()
        {
            if (_current is not null) pool.Return(_current);
            _current = null;
        }

        protected override void Dispose(bool disposing)
        {
            ReturnCurrent();
            _queue.Writer.TryComplete();
            while (_queue.Reader.TryRead(out var left)) pool.Return(left.Buffer);
        }
    }

    /// <summary>Rows of one table, whole rows only; <see cref="Buffer"/> goes back to <see cref="SegmentBuffers"/>.</summary>
    private readonly record struct Segment(ArchiveEntry Table, byte[] Buffer, int Length);

    /// <summary>Reused segment buffers (a row longer than a segment grows its buffer, which is then not reused).</summary>
    private sealed class SegmentBuffers(int segmentBytes)
    {
        private readonly ConcurrentBag<byte[]> _free = new();

        /// <summary>A segment is handed out once it holds at least this much (its buffer has a quarter more room).</summary>
        public int SegmentBytes => segmentBytes;

        public byte[] Rent() => _free.TryTake(out var buffer) ? buffer : new byte[segmentBytes + (segmentBytes >> 2)];

        public void Return(byte[] buffer)
        {
            if (buffer.Length == segmentBytes + (segmentBytes >> 2)) _free.Add(buffer);
        }
    }

    /// <summary>One session loading segments with COPY FROM STDIN, one COPY per run of segments of the same table.</summary>
    private sealed class RowLoader(SegmentBuffers buffers) : IAsyncDisposable
    {
        private readonly Channel<Segment> _queue = Channel.CreateBounded<Segment>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        private NpgsqlConnection? _conn;
        private int _queued;

        public int Queued => Volatile.Read(ref _queued);
        public long Bytes { get; private set; }
        public int Copies { get; private set; }

        public async Task OpenAsync(PgConnectionInfo target, string? searchPath, CancellationToken ct)
        {
            _conn = await PgServer.ConnectAsync(target, ct).ConfigureAwait(false);
            // What pg_restore sets on its sessions (_doSetFixedOutputState), so rows are read exactly as pg_restore reads them.
            await PgServer.ExecuteAsync(_conn, "SET statement_timeout = 0; SET lock_timeout = 0; SET idle_in_transaction_session_timeout = 0; " +
                "SET check_function_bodies = false; SET xmloption = content; SET client_min_messages = warning; SET row_security = off", ct).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(searchPath)) await PgServer.ExecuteAsync(_conn, searchPath, ct).ConfigureAwait(false);
        }

        public void Enqueue(Segment segment, CancellationToken ct)
        {
            Interlocked.Increment(ref _queued);
            if (!_queue.Writer.TryWrite(segment)) _queue.Writer.WriteAsync(segment, ct).AsTask().GetAwaiter().GetResult();
        }

        public void Complete() => _queue.Writer.TryComplete();

        public async Task RunAsync(CancellationToken ct)
        {
            ArchiveEntry? table = null;
            StreamWriter? copy = null;
            try
            {
                await foreach (var segment in _queue.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    try
                    {
                        if (!ReferenceEquals(segment.Table, table))
                        {
                            if (copy is not null) await EndAsync(copy, table!).ConfigureAwait(false);
                            table = segment.Table;
                            copy = await BeginAsync(table, ct).ConfigureAwait(false);
                            Copies++;
                        }
                        // The raw COPY stream under the text writer: the rows go out as the bytes they are, never decoded.
                        await copy!.BaseStream.WriteAsync(segment.Buffer.AsMemory(0, segment.Length), ct).ConfigureAwait(false);
                        Bytes += segment.Length;
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _queued);
                        buffers.Return(segment.Buffer);
                    }
                }
                if (copy is not null) await EndAsync(copy, table!).ConfigureAwait(false);
            }
            finally
            {
                while (_queue.Reader.TryRead(out var left)) buffers.Return(left.Buffer);
            }
        }

        private async Task<StreamWriter> BeginAsync(ArchiveEntry table, CancellationToken ct)
        {
            try
            {
                return (StreamWriter)await _conn!.BeginTextImportAsync(table.CopyStmt!.TrimEnd().TrimEnd(';'), ct).ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw Failed(table, e);
            }
        }

        private static async Task EndAsync(StreamWriter copy, ArchiveEntry table)
        {
            try
            {
                await copy.DisposeAsync().ConfigureAwait(false);
            }
            catch (PostgresException e)
            {
                throw Failed(table, e);
            }
        }

        private static BackupToolsException Failed(ArchiveEntry table, PostgresException e)
            => new(BackupErrorKind.ExternalToolFailed, $"Loading the rows of {table.Namespace}.{table.Tag} failed: {e.MessageText}{(e.Where is { } w ? $" ({w})" : "")}", table.Tag, e);

        public async ValueTask DisposeAsync()
        {
            _queue.Writer.TryComplete();
            if (_conn is not null) await _conn.DisposeAsync().ConfigureAwait(false);
        }
    }
}

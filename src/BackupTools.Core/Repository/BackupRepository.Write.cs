using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using ZstdSharp;

namespace BackupTools.Core.Repository;

/// <summary>The write hot path: one reader cuts chunks, N workers id, compress, seal and upload them.</summary>
public sealed partial class BackupRepository
{
    /// <summary>A cut chunk on its way to a worker; <see cref="Buffer"/> is pooled.</summary>
    private readonly record struct PendingChunk(ChunkRef Ref, byte[] Buffer);

    /// <summary>
    /// Stores one stream: content-defined chunks, each keyed-hashed, zstd-compressed, AES-256-GCM sealed and
    /// uploaded with bounded parallelism; chunks already in the repository are not uploaded again.
    /// Memory stays bounded whatever the stream length. <paramref name="progress"/> receives plaintext bytes read so far.
    /// The source is read with synchronous reads on a thread of its own (see <see cref="CutStream"/>); when the write
    /// fails or is cancelled while that thread waits in a read, this returns without waiting for it (the caller ends
    /// the source, e.g. kills the tool, and the thread ends with it).
    /// </summary>
    public async Task<FileEntry> WriteStreamAsync(string name, Stream source, WriteStats stats, IProgress<long>? progress = null, CancellationToken ct = default,
        StreamWriteOptions? options = null)
    {
        options ??= StreamWriteOptions.Default;
        await EnsureKnownChunksAsync(ct).ConfigureAwait(false);
        var file = new FileEntry { Name = name };
        var workerCount = Environment.ProcessorCount;
        var channel = Channel.CreateBounded<PendingChunk>(new BoundedChannelOptions(workerCount) { SingleWriter = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, workerCount)
            .Select(_ => Task.Run(() => RunChunkWorkerAsync(channel.Reader, stats, failed), CancellationToken.None))
            .ToArray();
        var tasks = new List<Task>(workers);
        var cutter = ParallelTasks.OnOwnThread(() =>
        {
            try
            {
                CutStream(source, file, channel.Writer, stats, progress, options, failed.Token);
            }
            finally
            {
                channel.Writer.TryComplete();
            }
        });
        // Observed here so that a cutter left behind in a read (below) never reports an unobserved exception.
        _ = cutter.ContinueWith(t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        try
        {
            // A failure anywhere cancels `failed`; a cutter still blocked in a read of a silent source is not waited for.
            await cutter.WaitAsync(failed.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Either the cutter failed (it is complete: its own error counts) or `failed` was cancelled by a worker or
            // the caller while the cutter may still wait in a read (the worker's error counts; see below).
            tasks.Add(cutter.IsCompleted ? cutter : Task.FromException(e));
            failed.Cancel();
            channel.Writer.TryComplete();
        }
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch
        {
            ct.ThrowIfCancellationRequested();
            // The first real failure, not the cancellations it caused in the other tasks.
            var cause = tasks.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (cause is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            throw;
        }
        finally
        {
            while (channel.Reader.TryRead(out var left)) ChunkBuffers.Return(left.Buffer);
        }
        return file;
    }

    /// <summary>
    /// Reads the source into a large pooled buffer, cuts chunks, hashes the whole stream (unless the options say not to)
    /// and queues the chunks in order. Runs on a thread of its own with synchronous reads: a tool's stdout is a pipe,
    /// and an asynchronous read of a pipe costs a wake-up of the runtime's I/O thread and of a pool thread per 64 KiB,
    /// which on a 2-core machine took as much CPU as chunking, hashing and compressing together.
    /// </summary>
    private void CutStream(Stream source, FileEntry file, ChannelWriter<PendingChunk> output, WriteStats stats, IProgress<long>? progress,
        StreamWriteOptions options, CancellationToken ct)
    {
        using var sha = options.WholeFileHash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        var max = _chunker.MaxSize;
        // One byte more than the expected size, so the end of the stream is seen in the first fill.
        var buffer = ChunkBuffers.Rent((int)Math.Min(2L * max, (options.ExpectedSize ?? long.MaxValue - 1) + 1));
        try
        {
            int start = 0, end = 0;
            var eof = false;
            long total = 0;
            while (true)
            {
                if (end - start < max && !eof)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                    while (end < buffer.Length && !eof)
                    {
                        ct.ThrowIfCancellationRequested();
                        var n = source.Read(buffer, end, buffer.Length - end);
                        if (n == 0) eof = true;
                        end += n;
                    }
                }
                if (end == start) break;
                var length = _chunker.NextCut(buffer.AsSpan(start, end - start));
                var span = buffer.AsSpan(start, length);
                sha?.AppendData(span);
                var chunk = ChunkBuffers.Rent(length);
                span.CopyTo(chunk);
                var chunkRef = new ChunkRef { Length = length };
                file.Chunks.Add(chunkRef);
                var pending = new PendingChunk(chunkRef, chunk);
                if (!output.TryWrite(pending))
                {
                    try
                    {
                        output.WriteAsync(pending, ct).AsTask().GetAwaiter().GetResult();
                    }
                    catch
                    {
                        ChunkBuffers.Return(chunk);
                        throw;
                    }
                }
                start += length;
                total += length;
                stats.AddRead(length);
                progress?.Report(total);
            }
            file.Size = total;
            file.Sha256 = sha is null ? null : Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
        }
        finally
        {
            ChunkBuffers.Return(buffer);
        }
    }

    /// <summary>One worker: ids, dedups, compresses (its own zstd context), seals and uploads chunks until the queue ends.</summary>
    private async Task RunChunkWorkerAsync(ChannelReader<PendingChunk> input, WriteStats stats, CancellationTokenSource failed)
    {
        using var compressor = new Compressor(_config.Compression.Level);
        var ct = failed.Token;
        try
        {
            await foreach (var pending in input.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    var data = pending.Buffer.AsMemory(0, pending.Ref.Length);
                    var id = _master.ChunkId(data.Span);
                    var (stored, isNew) = await StoreChunkOnceAsync(id, data, compressor, ct).ConfigureAwait(false);
                    pending.Ref.Id = id;
                    pending.Ref.StoredLength = stored;
                    stats.AddChunk(isNew, stored);
                }
                finally
                {
                    ChunkBuffers.Return(pending.Buffer);
                }
            }
        }
        catch
        {
            failed.Cancel();
            throw;
        }
    }
}

/// <summary>How <see cref="BackupRepository.WriteStreamAsync"/> stores one stream.</summary>
public sealed record StreamWriteOptions
{
    public static readonly StreamWriteOptions Default = new();

    /// <summary>A database dump or base backup tar: no whole-file hash (see <see cref="WholeFileHash"/>).</summary>
    public static readonly StreamWriteOptions DatabaseStream = new() { WholeFileHash = false };

    /// <summary>
    /// The stream's size when known (a listed object): a small stream then gets a read buffer of its size instead of
    /// twice the largest chunk. The chunks are the same either way (a wrong hint still stores the stream correctly).
    /// </summary>
    public long? ExpectedSize { get; init; }

    /// <summary>
    /// Records the SHA-256 of the whole plaintext in the file entry (the default). A database dump or base backup
    /// leaves it out: its integrity rests on the chunk ids in the sealed manifest, as in restic, and nothing compares
    /// it with an outside hash, while it costs a pass over every byte on both backup and restore.
    /// </summary>
    public bool WholeFileHash { get; init; } = true;
}

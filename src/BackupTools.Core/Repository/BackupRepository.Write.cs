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
    /// <paramref name="expectedSize"/> (e.g. a listed object's size) lets a small stream use a read buffer of its size
    /// instead of twice the largest chunk; the chunks are the same (a wrong hint still stores the stream correctly).
    /// </summary>
    public async Task<FileEntry> WriteStreamAsync(string name, Stream source, WriteStats stats, IProgress<long>? progress = null, CancellationToken ct = default,
        long? expectedSize = null)
    {
        await EnsureKnownChunksAsync(ct).ConfigureAwait(false);
        var file = new FileEntry { Name = name };
        var workerCount = Environment.ProcessorCount;
        var channel = Channel.CreateBounded<PendingChunk>(new BoundedChannelOptions(workerCount) { SingleWriter = true });
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var workers = Enumerable.Range(0, workerCount)
            .Select(_ => Task.Run(() => RunChunkWorkerAsync(channel.Reader, stats, failed), CancellationToken.None))
            .ToArray();
        var tasks = new List<Task>(workers);
        try
        {
            await CutStreamAsync(source, file, channel.Writer, stats, progress, expectedSize, failed.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            tasks.Add(Task.FromException(e));
            failed.Cancel();
        }
        finally
        {
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
            while (channel.Reader.TryRead(out var left)) ArrayPool<byte>.Shared.Return(left.Buffer);
        }
        return file;
    }

    /// <summary>Reads the source into a large pooled buffer, cuts chunks, hashes the whole stream and queues chunks in order.</summary>
    private async Task CutStreamAsync(Stream source, FileEntry file, ChannelWriter<PendingChunk> output, WriteStats stats, IProgress<long>? progress,
        long? expectedSize, CancellationToken ct)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var max = _chunker.MaxSize;
        // One byte more than the expected size, so the end of the stream is seen in the first fill.
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * max, (expectedSize ?? long.MaxValue - 1) + 1));
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
                        var n = await source.ReadAsync(buffer.AsMemory(end), ct).ConfigureAwait(false);
                        if (n == 0) eof = true;
                        end += n;
                    }
                }
                if (end == start) break;
                var length = _chunker.NextCut(buffer.AsSpan(start, end - start));
                var span = buffer.AsSpan(start, length);
                sha.AppendData(span);
                var chunk = ArrayPool<byte>.Shared.Rent(length);
                span.CopyTo(chunk);
                var chunkRef = new ChunkRef { Length = length };
                file.Chunks.Add(chunkRef);
                await output.WriteAsync(new PendingChunk(chunkRef, chunk), ct).ConfigureAwait(false);
                start += length;
                total += length;
                stats.AddRead(length);
                progress?.Report(total);
            }
            file.Size = total;
            file.Sha256 = Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
                    ArrayPool<byte>.Shared.Return(pending.Buffer);
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

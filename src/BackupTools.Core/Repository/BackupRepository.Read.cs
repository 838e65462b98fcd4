using System.Buffers;
using System.Security.Cryptography;

namespace BackupTools.Core.Repository;

/// <summary>Reading a stored file back, in order, with a small parallel read-ahead.</summary>
public sealed partial class BackupRepository
{
    /// <summary>
    /// Writes a stored file's plaintext to <paramref name="destination"/> in order; every chunk is authenticated and its
    /// id re-checked, and the file's size and (where recorded) SHA-256 are checked at the end (Corrupt on mismatch).
    /// </summary>
    public Task ReadFileAsync(FileEntry file, Stream destination, IProgress<long>? progress = null, CancellationToken ct = default)
        => ReadChunksAsync(file, async (plaintext, length, token) =>
        {
            try
            {
                await destination.WriteAsync(plaintext.AsMemory(0, length), token).ConfigureAwait(false);
            }
            finally
            {
                ChunkBuffers.Return(plaintext);
            }
        }, progress, ct);

    /// <summary>
    /// Hands a stored file's chunks to <paramref name="take"/> in order, as plaintext in a buffer rented from
    /// <see cref="ChunkBuffers"/> (its first <c>length</c> bytes), with the checks of
    /// <see cref="ReadFileAsync(FileEntry, Stream, IProgress{long}?, CancellationToken)"/>. <paramref name="take"/> owns the
    /// buffer from the moment it is called, also when it throws, and returns it to the pool when done with it; a reader
    /// that parses the plaintext in place is thus spared a copy into a stream.
    /// </summary>
    internal async Task ReadChunksAsync(FileEntry file, Func<byte[], int, CancellationToken, ValueTask> take, IProgress<long>? progress = null, CancellationToken ct = default)
    {
        var readAhead = Environment.ProcessorCount + 2;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var pending = new Queue<Task<byte[]>>();
        var next = 0;
        using var sha = file.Sha256 is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long written = 0;
        try
        {
            foreach (var chunk in file.Chunks)
            {
                while (next < file.Chunks.Count && pending.Count < readAhead)
                {
                    var ahead = file.Chunks[next++];
                    pending.Enqueue(Task.Run(() => ReadChunkAsync(ahead, ObjectMetadata.Describe(file), stop.Token), stop.Token));
                }
                var plaintext = await pending.Dequeue().ConfigureAwait(false);
                sha?.AppendData(plaintext, 0, chunk.Length);
                await take(plaintext, chunk.Length, ct).ConfigureAwait(false);
                written += chunk.Length;
                progress?.Report(written);
            }
        }
        finally
        {
            stop.Cancel();
            while (pending.Count > 0)
            {
                try { ChunkBuffers.Return(await pending.Dequeue().ConfigureAwait(false)); }
                catch { /* the read-ahead of a failed or cancelled read */ }
            }
        }
        if (written != file.Size)
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"File {ObjectMetadata.Describe(file)} read back {written} bytes; the manifest records {file.Size}.", file.Name);
        if (sha is null) return;
        var hash = Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
        if (!string.Equals(hash, file.Sha256, StringComparison.OrdinalIgnoreCase))
            throw new BackupToolsException(BackupErrorKind.Corrupt, $"File {ObjectMetadata.Describe(file)} read back with SHA-256 {hash}; the manifest records {file.Sha256}.", file.Name);
    }
}

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
    public async Task ReadFileAsync(FileEntry file, Stream destination, IProgress<long>? progress = null, CancellationToken ct = default)
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
                try
                {
                    sha?.AppendData(plaintext, 0, chunk.Length);
                    await destination.WriteAsync(plaintext.AsMemory(0, chunk.Length), ct).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(plaintext);
                }
                written += chunk.Length;
                progress?.Report(written);
            }
        }
        finally
        {
            stop.Cancel();
            while (pending.Count > 0)
            {
                try { ArrayPool<byte>.Shared.Return(await pending.Dequeue().ConfigureAwait(false)); }
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

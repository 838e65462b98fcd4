using System.Buffers;
using System.Collections.Concurrent;
using BackupTools.Core.Compression;
using BackupTools.Core.Crypto;
using BackupTools.Core.Storage;
using ZstdSharp;

namespace BackupTools.Core.Repository;

/// <summary>Chunk objects: storing once (dedup), and reading back with every check.</summary>
public sealed partial class BackupRepository
{
    private const string DataPrefix = "data/";

    /// <summary>Chunk id → sealed size, for every chunk known to be stored (listed once, then kept up to date).</summary>
    private readonly ConcurrentDictionary<string, int> _knownChunks = new(StringComparer.Ordinal);
    /// <summary>Chunks being uploaded right now, so two writers of the same new chunk upload it once.</summary>
    private readonly ConcurrentDictionary<string, Task<int>> _uploading = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _knownChunksGate = new(1, 1);
    private bool _knownChunksLoaded;

    private static string ChunkKey(string id) => $"{DataPrefix}{id[..2]}/{id}";

    /// <summary>Lists data/ once per repository instance (again after <see cref="ForgetKnownChunksAsync"/>).</summary>
    private async Task EnsureKnownChunksAsync(CancellationToken ct)
    {
        if (Volatile.Read(ref _knownChunksLoaded)) return;
        await _knownChunksGate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_knownChunksLoaded) return;
            await foreach (var blob in Store.ListAsync(DataPrefix, ct).ConfigureAwait(false))
            {
                var id = NameOf(blob.Key);
                if (id.Length == 64 && blob.Size <= int.MaxValue) _knownChunks.TryAdd(id, (int)blob.Size);
            }
            Volatile.Write(ref _knownChunksLoaded, true);
        }
        finally
        {
            _knownChunksGate.Release();
        }
    }

    /// <summary>Drops the chunk listing so the next write lists data/ again (a prune may have deleted chunks meanwhile).</summary>
    private async Task ForgetKnownChunksAsync()
    {
        await _knownChunksGate.WaitAsync().ConfigureAwait(false);
        try
        {
            Volatile.Write(ref _knownChunksLoaded, false);
            _knownChunks.Clear();
        }
        finally
        {
            _knownChunksGate.Release();
        }
    }

    /// <summary>
    /// Stores one chunk unless the repository already has it. Returns its sealed size and whether this call stored it.
    /// </summary>
    private async Task<(int StoredLength, bool IsNew)> StoreChunkOnceAsync(string id, ReadOnlyMemory<byte> plaintext, Compressor compressor, CancellationToken ct)
    {
        if (_knownChunks.TryGetValue(id, out var known)) return (known, false);
        var mine = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var upload = _uploading.GetOrAdd(id, mine.Task);
        if (upload != mine.Task) return (await upload.ConfigureAwait(false), false);
        try
        {
            // Another writer may have finished between the first look and taking the upload.
            var isNew = !_knownChunks.TryGetValue(id, out var stored);
            if (isNew)
            {
                stored = await SealAndPutChunkAsync(id, plaintext, compressor, ct).ConfigureAwait(false);
                _knownChunks[id] = stored;
            }
            mine.SetResult(stored);
            return (stored, isNew);
        }
        catch (Exception e)
        {
            mine.SetException(e);
            throw;
        }
        finally
        {
            _uploading.TryRemove(id, out _);
        }
    }

    private async Task<int> SealAndPutChunkAsync(string id, ReadOnlyMemory<byte> plaintext, Compressor compressor, CancellationToken ct)
    {
        var buffer = ChunkBuffers.Rent(Sealer.Overhead + PayloadCodec.MaxEncodedLength(plaintext.Length));
        try
        {
            var encoded = PayloadCodec.Encode(compressor, plaintext.Span, buffer.AsSpan(Sealer.HeaderSize));
            var sealedLength = _master.Sealer.SealInPlace(SealedObjectType.Chunk, id, buffer, encoded);
            await Store.PutAsync(ChunkKey(id), buffer.AsMemory(0, sealedLength), ct).ConfigureAwait(false);
            return sealedLength;
        }
        finally
        {
            ChunkBuffers.Return(buffer);
        }
    }

    /// <summary>
    /// Fetches, authenticates, decompresses and re-hashes one chunk into a pooled buffer of at least
    /// <see cref="ChunkRef.Length"/> bytes (the caller returns it to <see cref="ChunkBuffers"/>).
    /// Corrupt (naming the chunk and <paramref name="owner"/>) on any failed check or when the chunk is missing.
    /// </summary>
    private async Task<byte[]> ReadChunkAsync(ChunkRef chunk, string owner, CancellationToken ct)
    {
        byte[] sealedObject;
        try
        {
            sealedObject = await Store.GetAsync(ChunkKey(chunk.Id), ct).ConfigureAwait(false);
        }
        catch (BlobNotFoundException e)
        {
            throw ChunkCorrupt(chunk, owner, "is missing", e);
        }
        return OpenChunk(chunk, owner, sealedObject);
    }

    private byte[] OpenChunk(ChunkRef chunk, string owner, byte[] sealedObject)
    {
        var encodedLength = Sealer.PlaintextLength(sealedObject.Length);
        if (encodedLength < 1) throw ChunkCorrupt(chunk, owner, "is truncated");
        var encoded = ChunkBuffers.Rent(encodedLength);
        var plaintext = ChunkBuffers.Rent(Math.Max(1, chunk.Length));
        try
        {
            if (!_master.Sealer.TryOpen(SealedObjectType.Chunk, chunk.Id, sealedObject, encoded.AsSpan(0, encodedLength)))
                throw ChunkCorrupt(chunk, owner, "fails authentication");
            try
            {
                PayloadCodec.Decode(encoded.AsSpan(0, encodedLength), plaintext.AsSpan(0, chunk.Length));
            }
            catch (InvalidDataException e)
            {
                throw ChunkCorrupt(chunk, owner, "does not decompress to its recorded length", e);
            }
            if (_master.ChunkId(plaintext.AsSpan(0, chunk.Length)) != chunk.Id)
                throw ChunkCorrupt(chunk, owner, "does not match its id");
            return plaintext;
        }
        catch
        {
            ChunkBuffers.Return(plaintext);
            throw;
        }
        finally
        {
            ChunkBuffers.Return(encoded);
        }
    }

    private BackupToolsException ChunkCorrupt(ChunkRef chunk, string owner, string problem, Exception? inner = null)
        => new(BackupErrorKind.Corrupt, $"Chunk {chunk.Id} of {owner} {problem} in repository {Location}.", chunk.Id, inner);
}

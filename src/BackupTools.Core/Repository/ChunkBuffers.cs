using System.Buffers;

namespace BackupTools.Core.Repository;

/// <summary>
/// The buffers of the chunk paths (cutting, sealing, opening, and the plaintext handed to readers), from a pool of
/// their own that keeps a bounded number of arrays per size. <see cref="ArrayPool{T}.Shared"/> keeps up to 32 arrays
/// of each size per core and lets them go only when the GC trims it: after a storage backup of 8 objects at once it
/// still held about 270 MB of chunk-sized arrays (measured: the live heap after a full collection), which counted in
/// the process's peak. Here each size keeps at most a few arrays per core; beyond that a buffer is garbage once
/// returned, and the GC takes it back.
/// </summary>
internal static class ChunkBuffers
{
    /// <summary>The largest array kept (twice the largest chunk the chunker cuts, the cutter's window).</summary>
    private const int MaxPooledLength = 32 << 20;

    /// <summary>The pool: every buffer rented from it goes back to it (it refuses arrays it did not make).</summary>
    public static ArrayPool<byte> Pool { get; } = ArrayPool<byte>.Create(MaxPooledLength, 4 * Environment.ProcessorCount);
}

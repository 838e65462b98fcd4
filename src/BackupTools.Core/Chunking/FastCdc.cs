using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace BackupTools.Core.Chunking;

/// <summary>
/// FastCDC content-defined chunking with normalized chunking (level 2): a 64-bit gear hash
/// <c>h = (h &lt;&lt; 1) + gear[b]</c>, cut where its top bits are zero. No cut before <see cref="MinSize"/>;
/// up to <see cref="AverageSize"/> the stricter mask (log2(avg)+2 bits), then the looser one (log2(avg)-2 bits);
/// a forced cut at <see cref="MaxSize"/>. The gear table comes from a seed (SplitMix64), so boundaries are
/// deterministic for a seed and unpredictable without it. Immutable and thread-safe.
/// </summary>
public sealed class FastCdc
{
    private readonly ulong[] _gear = new ulong[256];
    private readonly ulong _maskStrict;
    private readonly ulong _maskLoose;

    /// <summary>Creates a chunker. <paramref name="averageSize"/> must be a power of two with min &lt; avg &lt; max.</summary>
    public FastCdc(int minSize, int averageSize, int maxSize, ulong seed)
    {
        if (minSize < 64 || averageSize <= minSize || maxSize <= averageSize || !BitOperations.IsPow2(averageSize))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"Chunk sizes min {minSize}, avg {averageSize}, max {maxSize} are invalid: need 64 <= min < avg < max and avg a power of two.",
                $"{minSize}/{averageSize}/{maxSize}");
        MinSize = minSize;
        AverageSize = averageSize;
        MaxSize = maxSize;
        var bits = BitOperations.Log2((uint)averageSize);
        _maskStrict = ~0UL << (64 - (bits + 2));
        _maskLoose = ~0UL << (64 - Math.Max(1, bits - 2));
        var state = seed;
        for (var i = 0; i < _gear.Length; i++) _gear[i] = SplitMix64(ref state);
    }

    /// <summary>No chunk is shorter, except the last of a stream.</summary>
    public int MinSize { get; }
    /// <summary>The normal size: the point where the looser mask takes over.</summary>
    public int AverageSize { get; }
    /// <summary>No chunk is longer.</summary>
    public int MaxSize { get; }

    /// <summary>
    /// The length of the chunk that starts at <paramref name="data"/>[0]. The caller passes at least
    /// <see cref="MaxSize"/> bytes, or everything left at the end of the stream (then the result may be the whole span).
    /// </summary>
    public int NextCut(ReadOnlySpan<byte> data)
    {
        var length = Math.Min(data.Length, MaxSize);
        if (length <= MinSize) return length;
        var normal = Math.Min(AverageSize, length);
        ref var bytes = ref MemoryMarshal.GetReference(data);
        ref var gear = ref MemoryMarshal.GetArrayDataReference(_gear);
        // Locals, not fields, so the masks stay in registers; hash + hash lets the JIT use one lea per byte.
        ulong maskStrict = _maskStrict, maskLoose = _maskLoose, hash = 0;
        var i = MinSize;
        for (; i < normal; i++)
        {
            hash = hash + hash + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((hash & maskStrict) == 0) return i + 1;
        }
        for (; i < length; i++)
        {
            hash = hash + hash + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((hash & maskLoose) == 0) return i + 1;
        }
        return length;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

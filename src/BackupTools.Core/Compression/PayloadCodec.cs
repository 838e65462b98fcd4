using ZstdSharp;

namespace BackupTools.Core.Compression;

/// <summary>
/// The plaintext of a sealed chunk, snapshot or lock: <c>flag (1) | payload</c>, flag 0 = raw, 1 = one zstd frame.
/// Data zstd does not shrink (random, already compressed) is kept raw.
/// </summary>
internal static class PayloadCodec
{
    private const byte Raw = 0;
    private const byte Zstd = 1;

    /// <summary>The room <see cref="Encode"/> needs for <paramref name="length"/> input bytes.</summary>
    public static int MaxEncodedLength(int length) => 1 + Math.Max(length, Compressor.GetCompressBound(length));

    /// <summary>Encodes <paramref name="source"/> into <paramref name="destination"/> (at least <see cref="MaxEncodedLength"/>); returns the length.</summary>
    public static int Encode(Compressor compressor, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (compressor.TryWrap(source, destination[1..], out var written) && written < source.Length)
        {
            destination[0] = Zstd;
            return 1 + written;
        }
        destination[0] = Raw;
        source.CopyTo(destination[1..]);
        return 1 + source.Length;
    }

    /// <summary>Encodes into a new array.</summary>
    public static byte[] Encode(int level, ReadOnlySpan<byte> source)
    {
        using var compressor = new Compressor(level);
        var buffer = new byte[MaxEncodedLength(source.Length)];
        return buffer[..Encode(compressor, source, buffer)];
    }

    /// <summary>Decodes into <paramref name="destination"/>, which must be exactly the original length. InvalidDataException when it does not fit.</summary>
    public static void Decode(ReadOnlySpan<byte> encoded, Span<byte> destination)
    {
        if (encoded.IsEmpty) throw new InvalidDataException("Empty payload.");
        var payload = encoded[1..];
        switch (encoded[0])
        {
            case Raw when payload.Length == destination.Length:
                payload.CopyTo(destination);
                return;
            case Zstd:
                using (var decompressor = new Decompressor())
                {
                    int written;
                    try
                    {
                        if (!decompressor.TryUnwrap(payload, destination, out written)) written = -1;
                    }
                    catch (ZstdException e)
                    {
                        throw new InvalidDataException("The zstd frame does not decode.", e);
                    }
                    if (written == destination.Length) return;
                }
                break;
        }
        throw new InvalidDataException("The payload does not decode to the expected length.");
    }

    /// <summary>Decodes a payload whose length is not known in advance (at most <paramref name="maxLength"/> bytes).</summary>
    public static byte[] Decode(ReadOnlySpan<byte> encoded, int maxLength)
    {
        if (encoded.IsEmpty) throw new InvalidDataException("Empty payload.");
        ulong length = encoded[0] == Raw ? (ulong)(encoded.Length - 1) : Decompressor.GetDecompressedSize(encoded[1..]);
        if (length > (ulong)maxLength) throw new InvalidDataException("The payload is larger than allowed.");
        var result = new byte[(int)length];
        Decode(encoded, result);
        return result;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace BackupTools.Core.Crypto;

/// <summary>The kind of a sealed object; its first byte, also bound into the associated data.</summary>
internal enum SealedObjectType : byte
{
    Chunk = 0x01,
    Snapshot = 0x02,
    Lock = 0x03,
    Key = 0x04,
    /// <summary>An archived WAL segment or timeline history file under wal/.</summary>
    Wal = 0x05,
}

/// <summary>
/// AES-256-GCM sealing of repository objects: <c>type (1) | nonce (12) | ciphertext | tag (16)</c>.
/// The associated data is the type byte followed by the UTF-8 of <c>kind:name</c>, so an object copied
/// over another one (or of another kind) fails authentication. Thread-safe.
/// </summary>
internal sealed class Sealer
{
    /// <summary>Offset of the plaintext/ciphertext inside a sealed object.</summary>
    public const int HeaderSize = 1 + NonceSize;
    /// <summary>Bytes a sealed object adds to its plaintext.</summary>
    public const int Overhead = HeaderSize + TagSize;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private readonly byte[] _key;

    public Sealer(byte[] key)
    {
        if (key.Length != 32) throw new ArgumentException("An AES-256 key is 32 bytes.", nameof(key));
        _key = key;
    }

    /// <summary>
    /// Seals in place: <paramref name="buffer"/> holds the plaintext at <see cref="HeaderSize"/> and has room for the tag
    /// after it. Returns the sealed length (plaintext length + <see cref="Overhead"/>).
    /// </summary>
    public int SealInPlace(SealedObjectType type, string name, Span<byte> buffer, int plaintextLength)
    {
        buffer[0] = (byte)type;
        var nonce = buffer.Slice(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        var text = buffer.Slice(HeaderSize, plaintextLength);
        var tag = buffer.Slice(HeaderSize + plaintextLength, TagSize);
        Span<byte> ad = stackalloc byte[AssociatedDataLength(type, name)];
        WriteAssociatedData(type, name, ad);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, text, text, tag, ad);
        return plaintextLength + Overhead;
    }

    /// <summary>Seals a copy of <paramref name="plaintext"/>.</summary>
    public byte[] Seal(SealedObjectType type, string name, ReadOnlySpan<byte> plaintext)
    {
        var buffer = new byte[plaintext.Length + Overhead];
        plaintext.CopyTo(buffer.AsSpan(HeaderSize));
        SealInPlace(type, name, buffer, plaintext.Length);
        return buffer;
    }

    /// <summary>The plaintext length of a sealed object of <paramref name="sealedLength"/> bytes (negative when too short).</summary>
    public static int PlaintextLength(int sealedLength) => sealedLength - Overhead;

    /// <summary>
    /// Authenticates and decrypts into <paramref name="plaintext"/> (exactly <see cref="PlaintextLength"/> bytes).
    /// False when the object is too short, of another type, or fails authentication.
    /// </summary>
    public bool TryOpen(SealedObjectType type, string name, ReadOnlySpan<byte> sealedObject, Span<byte> plaintext)
    {
        var length = PlaintextLength(sealedObject.Length);
        if (length < 0 || sealedObject[0] != (byte)type || plaintext.Length != length) return false;
        Span<byte> ad = stackalloc byte[AssociatedDataLength(type, name)];
        WriteAssociatedData(type, name, ad);
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(sealedObject.Slice(1, NonceSize), sealedObject.Slice(HeaderSize, length),
                sealedObject.Slice(HeaderSize + length, TagSize), plaintext, ad);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Opens into a new array, or null when the object does not authenticate.</summary>
    public byte[]? Open(SealedObjectType type, string name, ReadOnlySpan<byte> sealedObject)
    {
        var length = PlaintextLength(sealedObject.Length);
        if (length < 0) return null;
        var plaintext = new byte[length];
        return TryOpen(type, name, sealedObject, plaintext) ? plaintext : null;
    }

    private static string KindOf(SealedObjectType type) => type switch
    {
        SealedObjectType.Chunk => "chunk",
        SealedObjectType.Snapshot => "snapshot",
        SealedObjectType.Lock => "lock",
        SealedObjectType.Key => "key",
        SealedObjectType.Wal => "wal",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static int AssociatedDataLength(SealedObjectType type, string name)
        => 1 + Encoding.UTF8.GetByteCount(KindOf(type)) + 1 + Encoding.UTF8.GetByteCount(name);

    private static void WriteAssociatedData(SealedObjectType type, string name, Span<byte> ad)
    {
        ad[0] = (byte)type;
        var n = 1 + Encoding.UTF8.GetBytes(KindOf(type), ad[1..]);
        ad[n++] = (byte)':';
        Encoding.UTF8.GetBytes(name, ad[n..]);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;

namespace BackupTools.Core.Crypto;

/// <summary>
/// The repository's secret material, made once at creation and wrapped by every key file:
/// encryption key (32) | chunk-id key (32) | chunker seed (8, little-endian).
/// </summary>
internal sealed class MasterKey
{
    /// <summary>Length of the serialised material.</summary>
    public const int Size = 32 + 32 + 8;

    private readonly byte[] _idKey;

    private MasterKey(byte[] material)
    {
        Material = material;
        Sealer = new Sealer(material[..32]);
        _idKey = material[32..64];
        ChunkerSeed = BinaryPrimitives.ReadUInt64LittleEndian(material.AsSpan(64, 8));
    }

    /// <summary>The serialised material (what a key file seals).</summary>
    public byte[] Material { get; }
    /// <summary>Seals and opens objects with the encryption key.</summary>
    public Sealer Sealer { get; }
    /// <summary>Seed of the secret FastCDC gear table.</summary>
    public ulong ChunkerSeed { get; }

    /// <summary>New random material.</summary>
    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>Material read back from a key file; null when it has the wrong length.</summary>
    public static MasterKey? FromMaterial(byte[] material) => material.Length == Size ? new MasterKey(material) : null;

    /// <summary>The chunk id: HMAC-SHA256 of the plaintext under the id key, lower-case hex.</summary>
    public string ChunkId(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_idKey, plaintext, mac);
        return Convert.ToHexString(mac).ToLowerInvariant();
    }
}

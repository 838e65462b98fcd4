using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Crypto;

/// <summary>Argon2id parameters as stored in a key file.</summary>
internal sealed class KdfParameters
{
    [JsonPropertyName("algorithm")] public string Algorithm { get; set; } = "argon2id";
    [JsonPropertyName("memoryKiB")] public int MemoryKiB { get; set; }
    [JsonPropertyName("iterations")] public int Iterations { get; set; }
    [JsonPropertyName("parallelism")] public int Parallelism { get; set; }
    [JsonPropertyName("salt")] public byte[] Salt { get; set; } = Array.Empty<byte>();

    /// <summary>Derives the 32-byte key-encryption key from a passphrase (CPU- and memory-hard; runs on the thread pool).</summary>
    public Task<byte[]> DeriveAsync(string passphrase)
    {
        var password = Encoding.UTF8.GetBytes(passphrase);
        return Task.Run(() =>
        {
            try
            {
                return Argon2.Derive(password, Salt, MemoryKiB, Iterations, Parallelism);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(password);
            }
        });
    }
}

/// <summary>keys/&lt;keyid&gt;: the master key material sealed under a passphrase-derived key.</summary>
internal sealed class KeyFile
{
    [JsonPropertyName("kdf")] public KdfParameters Kdf { get; set; } = new();
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("data")] public byte[] Data { get; set; } = Array.Empty<byte>();

    /// <summary>Wraps <paramref name="master"/> under <paramref name="passphrase"/> for the key file named <paramref name="keyId"/>.</summary>
    public static async Task<KeyFile> CreateAsync(string keyId, string passphrase, MasterKey master, int memoryKiB, int iterations, int parallelism)
    {
        var kdf = new KdfParameters { MemoryKiB = memoryKiB, Iterations = iterations, Parallelism = parallelism, Salt = RandomNumberGenerator.GetBytes(16) };
        var kek = await kdf.DeriveAsync(passphrase).ConfigureAwait(false);
        var data = new Sealer(kek).Seal(SealedObjectType.Key, keyId, master.Material);
        return new KeyFile { Kdf = kdf, Created = DateTimeOffset.UtcNow, Data = data };
    }

    /// <summary>The master key, or null when the passphrase does not open this key file.</summary>
    public async Task<MasterKey?> TryUnlockAsync(string keyId, string passphrase)
    {
        if (Kdf.Algorithm != "argon2id") return null;
        var kek = await Kdf.DeriveAsync(passphrase).ConfigureAwait(false);
        var material = new Sealer(kek).Open(SealedObjectType.Key, keyId, Data);
        return material is null ? null : MasterKey.FromMaterial(material);
    }

    /// <summary>The JSON stored in the key file.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Repository.RepositoryJsonContext.Default.KeyFile);

    /// <summary>Parses a key file; null when it is not one.</summary>
    public static KeyFile? Parse(byte[] json)
    {
        try { return JsonSerializer.Deserialize(json, Repository.RepositoryJsonContext.Default.KeyFile); }
        catch (JsonException) { return null; }
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupTools.Core.Repository;

/// <summary>config.json, stored in the clear (docs/repository-format.md).</summary>
internal sealed class RepositoryConfig
{
    /// <summary>The newest format this code reads and writes.</summary>
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")] public int Version { get; set; } = CurrentVersion;
    [JsonPropertyName("id")] public string Id { get; set; } = "";
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }
    [JsonPropertyName("chunker")] public ChunkerConfig Chunker { get; set; } = new();
    [JsonPropertyName("compression")] public CompressionConfig Compression { get; set; } = new();
    [JsonPropertyName("encryption")] public string Encryption { get; set; } = "aes-256-gcm";
    [JsonPropertyName("chunkId")] public string ChunkId { get; set; } = "hmac-sha256";

    /// <summary>The JSON stored as config.json.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, CoreJsonContext.Indented.RepositoryConfig);

    /// <summary>Parses config.json; null when it is not valid JSON of this shape.</summary>
    public static RepositoryConfig? Parse(byte[] json)
    {
        try { return JsonSerializer.Deserialize(json, CoreJsonContext.Default.RepositoryConfig); }
        catch (JsonException) { return null; }
    }
}

/// <summary>The "chunker" member of config.json.</summary>
internal sealed class ChunkerConfig
{
    [JsonPropertyName("algorithm")] public string Algorithm { get; set; } = "fastcdc";
    [JsonPropertyName("min")] public int Min { get; set; }
    [JsonPropertyName("avg")] public int Avg { get; set; }
    [JsonPropertyName("max")] public int Max { get; set; }
}

/// <summary>The "compression" member of config.json.</summary>
internal sealed class CompressionConfig
{
    [JsonPropertyName("algorithm")] public string Algorithm { get; set; } = "zstd";
    [JsonPropertyName("level")] public int Level { get; set; }
}

using System.Text.Json.Serialization;

namespace BackupTools.Core.Repository;

/// <summary>
/// What a stored file that is a storage-bucket object keeps besides its bytes (<see cref="FileEntry.Object"/>): where
/// it came from and the headers a restore puts back. Never a credential.
/// </summary>
public sealed class ObjectMetadata
{
    /// <summary>The bucket the object was read from.</summary>
    [JsonPropertyName("bucket")] public string Bucket { get; set; } = "";
    /// <summary>The object key, exactly as listed (spaces, unicode and '/' kept).</summary>
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    /// <summary>The ETag the source reported, without quotes (the MD5 of the bytes, or "md5-parts" for multipart uploads).</summary>
    [JsonPropertyName("etag")] public string ETag { get; set; } = "";
    /// <summary>When the source last changed the object.</summary>
    [JsonPropertyName("lastModified")] public DateTimeOffset? LastModified { get; set; }
    /// <summary>Content-Type, as the source answered it.</summary>
    [JsonPropertyName("contentType"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ContentType { get; set; }
    /// <summary>Cache-Control, if set.</summary>
    [JsonPropertyName("cacheControl"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CacheControl { get; set; }
    /// <summary>Content-Disposition, if set.</summary>
    [JsonPropertyName("contentDisposition"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ContentDisposition { get; set; }
    /// <summary>Content-Encoding, if set.</summary>
    [JsonPropertyName("contentEncoding"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ContentEncoding { get; set; }
    /// <summary>User metadata (x-amz-meta-*), names lower-case and without the prefix.</summary>
    [JsonPropertyName("metadata"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>How messages name a stored file: "object 'key' in bucket 'b'" for an object, else its name.</summary>
    public static string Describe(FileEntry file)
        => file.Object is { } o ? $"object '{o.Key}' in bucket '{o.Bucket}'" : file.Name;
}

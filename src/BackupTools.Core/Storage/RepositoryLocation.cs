namespace BackupTools.Core.Storage;

/// <summary>
/// Where a repository lives: a local folder (plain path or file://) or s3://bucket/prefix with
/// endpoint, region and credentials. Credentials are held in memory only, never serialised.
/// </summary>
public sealed class RepositoryLocation
{
    /// <summary>The location as the user wrote it, normalised; never contains credentials.</summary>
    public string Uri { get; init; } = "";
    public bool IsS3 { get; init; }
    /// <summary>Local folder (absolute) when not S3.</summary>
    public string? LocalPath { get; init; }
    public string? Bucket { get; init; }
    /// <summary>Key prefix inside the bucket, without leading or trailing '/'; may be empty.</summary>
    public string Prefix { get; init; } = "";
    /// <summary>Service URL of a non-AWS endpoint (s3rver, MinIO, Supabase); null for AWS.</summary>
    public string? Endpoint { get; init; }
    public string? Region { get; init; }
    /// <summary>Access key id; when null the standard AWS_* variables and profiles are used.</summary>
    public string? AccessKey { get; init; }
    public string? SecretKey { get; init; }
    /// <summary>
    /// S3 storage class for the data this client writes (see <see cref="S3StorageClasses.ForKey"/>); null = the bucket's
    /// default. Set with <see cref="WithStorageClass"/>; a local folder ignores it.
    /// </summary>
    public string? StorageClass { get; init; }

    /// <summary>A copy of this location whose writes use <paramref name="storageClass"/> (validated; null = the bucket's default).</summary>
    public RepositoryLocation WithStorageClass(string? storageClass) => new()
    {
        Uri = Uri, IsS3 = IsS3, LocalPath = LocalPath, Bucket = Bucket, Prefix = Prefix, Endpoint = Endpoint, Region = Region,
        AccessKey = AccessKey, SecretKey = SecretKey,
        StorageClass = storageClass is null ? null : S3StorageClasses.Normalize(storageClass),
    };
    public override string ToString() => Uri;
}

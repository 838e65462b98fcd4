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
    public override string ToString() => Uri;
}

/// <summary>Turns a location into a store. STUB: signatures are the contract.</summary>
public static class BlobStoreFactory
{
    /// <summary>
    /// Parses "C:\x", "/x", "./x", "file:///x" or "s3://bucket/prefix". InvalidArgument (naming the value) when it does not parse.
    /// For S3, endpoint/region/keys fall back to AWS_ENDPOINT_URL(_S3), AWS_REGION/AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY and profiles.
    /// </summary>
    public static RepositoryLocation Parse(string uri, string? endpoint = null, string? region = null, string? accessKey = null, string? secretKey = null)
        => throw new NotImplementedException();

    /// <summary>Opens the store for a location, wrapped with retry (Polly) for transient faults.</summary>
    public static IBlobStore Open(RepositoryLocation location) => throw new NotImplementedException();
}

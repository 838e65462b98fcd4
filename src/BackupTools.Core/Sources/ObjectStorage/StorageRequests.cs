using BackupTools.Core.Storage;

namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>Where an S3-compatible endpoint is and how to sign in to it (the keys are used, never stored or printed).</summary>
public sealed record StorageEndpointOptions
{
    /// <summary>
    /// The service URL: Supabase Storage's S3 endpoint, MinIO, s3rver, or an AWS S3 regional endpoint. Required for a
    /// backup; for a restore, null means the endpoint the backup recorded.
    /// </summary>
    public string? Endpoint { get; init; }
    /// <summary>The signing region; null = AWS_REGION, AWS_DEFAULT_REGION, else us-east-1 (for a restore to the recorded endpoint: the recorded region).</summary>
    public string? Region { get; init; }
    /// <summary>Access key id; null = the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles).</summary>
    public string? AccessKey { get; init; }
    /// <summary>The secret key that goes with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; init; }
    /// <summary>How transient faults are retried.</summary>
    public RetryOptions Retry { get; init; } = RetryOptions.Default;

    /// <summary>The endpoint only: the keys never reach a log or message.</summary>
    public override string ToString() => Endpoint ?? "";
}

/// <summary>What New-Backup -Storage asks for.</summary>
public sealed class StorageBackupRequest
{
    /// <summary>The endpoint read from.</summary>
    public required StorageEndpointOptions Source { get; init; }
    /// <summary>The buckets to back up; empty = every bucket the keys can list.</summary>
    public IReadOnlyList<string> Buckets { get; init; } = Array.Empty<string>();
    /// <summary>Read every object again instead of reusing unchanged ones (same key, size and ETag) from the previous backup.</summary>
    public bool Full { get; init; }
    /// <summary>Objects read at once.</summary>
    public int Parallelism { get; init; } = 8;
}

/// <summary>What Restore-Backup -Component Storage asks for.</summary>
public sealed record StorageRestoreRequest
{
    /// <summary>The endpoint written to and its keys; null (or a null Endpoint) = the endpoint recorded in the backup (keys then from these options or the SDK's default chain).</summary>
    public StorageEndpointOptions? Target { get; init; }
    /// <summary>Only these buckets of the backup; empty = all.</summary>
    public IReadOnlyList<string> Buckets { get; init; } = Array.Empty<string>();
    /// <summary>Only objects whose key starts with this.</summary>
    public string Prefix { get; init; } = "";
    /// <summary>Restore the one selected bucket under this name.</summary>
    public string? TargetBucket { get; init; }
    /// <summary>Skip objects already identical at the target (see docs/cmdlets/Restore-Backup.md).</summary>
    public bool Delta { get; init; }
    /// <summary>Target objects to delete after the restore (from <see cref="ObjectStorageRestore.FindExtraObjectsAsync"/>, as confirmed).</summary>
    public IReadOnlyList<StorageObjectRef> Deletions { get; init; } = Array.Empty<StorageObjectRef>();
    /// <summary>Objects written at once.</summary>
    public int Parallelism { get; init; } = 8;
}

/// <summary>One object at an endpoint.</summary>
public sealed record StorageObjectRef(string Bucket, string Key)
{
    /// <inheritdoc />
    public override string ToString() => $"{Bucket}/{Key}";
}

/// <summary>What a storage restore did.</summary>
public sealed class StorageRestoreOutcome
{
    /// <summary>The endpoint written to.</summary>
    public string Endpoint { get; set; } = "";
    /// <summary>The buckets written to.</summary>
    public List<string> Buckets { get; } = new();
    /// <summary>Buckets that did not exist and were created.</summary>
    public List<string> BucketsCreated { get; } = new();
    /// <summary>Objects written.</summary>
    public int ObjectsRestored { get; set; }
    /// <summary>Objects left alone because the target already held them (-Delta).</summary>
    public int ObjectsSkipped { get; set; }
    /// <summary>Target objects absent from the backup that were deleted (-Mirror).</summary>
    public int ObjectsDeleted { get; set; }
    /// <summary>Plaintext bytes written.</summary>
    public long BytesRestored { get; set; }
    /// <summary>How long the restore took.</summary>
    public TimeSpan Duration { get; set; }
}

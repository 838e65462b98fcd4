using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using BackupTools.Core.Repository;
using BackupTools.Core.Storage;

namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>One object as a bucket listing shows it.</summary>
internal sealed record ListedObject(string Bucket, string Key, long Size, string ETag, DateTimeOffset? LastModified);

/// <summary>
/// The buckets of one S3-compatible endpoint as a backup source and restore target: list, read (streamed), write
/// (single PUT or multipart, never chunk-encoded), create and delete. Every call retries transient faults
/// (<see cref="TransientRetry"/>); refused keys, missing buckets and denied access become clear engine errors that
/// name the endpoint, bucket and key (never a key secret).
/// </summary>
internal sealed class ObjectStorageClient : IDisposable
{
    private const string MetadataPrefix = "x-amz-meta-";
    private readonly AmazonS3Client _client;
    private readonly TransientRetry _retry;

    private ObjectStorageClient(string endpoint, string? region, AmazonS3Client client, RetryOptions retry)
    {
        Endpoint = endpoint;
        Region = region;
        _client = client;
        _retry = new TransientRetry(retry, endpoint);
    }

    /// <summary>The endpoint URL, normalised (no trailing slash).</summary>
    public string Endpoint { get; }

    /// <summary>The signing region given, if any.</summary>
    public string? Region { get; }

    /// <summary>Checks the endpoint URL and the keys' pairing and makes a client (nothing is sent yet).</summary>
    public static ObjectStorageClient Connect(StorageEndpointOptions options)
    {
        var endpoint = BlobStoreFactory.ParseEndpoint(options.Endpoint)
            ?? throw new BackupToolsException(BackupErrorKind.InvalidArgument, "A storage endpoint URL is needed.", options.Endpoint);
        if ((options.AccessKey is null) != (options.SecretKey is null))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"A storage access key and its secret key go together; only one was given for {endpoint}.", endpoint);
        var region = options.Region ?? BlobStoreFactory.EnvironmentRegion();
        var client = S3ClientFactory.Create(endpoint, region, options.AccessKey, options.SecretKey, endpoint);
        return new ObjectStorageClient(endpoint, region, client, options.Retry);
    }

    /// <summary>Every bucket the keys can list, by name.</summary>
    public async Task<IReadOnlyList<string>> ListBucketsAsync(CancellationToken ct)
    {
        var response = await CallAsync(null, null, token => _client.ListBucketsAsync(new ListBucketsRequest(), token), ct).ConfigureAwait(false);
        return (response.Buckets ?? []).Select(b => b.BucketName).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The objects of a bucket under <paramref name="prefix"/>, page by page (NotFound when the bucket does not exist).</summary>
    public async IAsyncEnumerable<ListedObject> ListObjectsAsync(string bucket, string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix.Length == 0 ? null : prefix };
        while (true)
        {
            var page = await CallAsync(bucket, null, token => _client.ListObjectsV2Async(request, token), ct).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
                yield return new ListedObject(bucket, o.Key, o.Size ?? 0, Unquote(o.ETag), ToOffset(o.LastModified));
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken)) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>
    /// Reads an object: <paramref name="consume"/> gets the response (headers and body stream). A transient fault,
    /// in the request or part-way through the body, runs the GET and <paramref name="consume"/> again.
    /// </summary>
    public Task<T> ReadAsync<T>(string bucket, string key, Func<GetObjectResponse, CancellationToken, Task<T>> consume, CancellationToken ct)
        => CallAsync(bucket, key, async token =>
        {
            using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key }, token).ConfigureAwait(false);
            return await consume(response, token).ConfigureAwait(false);
        }, ct);

    /// <summary>An object's size and metadata (HEAD), or null when it does not exist.</summary>
    public async Task<(long Size, ObjectMetadata Metadata)?> HeadAsync(string bucket, string key, CancellationToken ct)
    {
        try
        {
            var response = await CallAsync(bucket, key,
                token => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key }, token), ct).ConfigureAwait(false);
            return (response.ContentLength, Describe(bucket, key, response.ETag, response.LastModified, response.Headers, response.Metadata));
        }
        catch (BackupToolsException e) when (e.Kind == BackupErrorKind.NotFound)
        {
            return null;
        }
    }

    /// <summary>An object's metadata as a GET or HEAD answered it.</summary>
    public static ObjectMetadata Describe(string bucket, string key, string? etag, DateTime? lastModified, HeadersCollection headers, MetadataCollection metadata)
    {
        var user = metadata.Keys.ToDictionary(
            k => k.StartsWith(MetadataPrefix, StringComparison.OrdinalIgnoreCase) ? k[MetadataPrefix.Length..].ToLowerInvariant() : k.ToLowerInvariant(),
            k => metadata[k], StringComparer.Ordinal);
        return new ObjectMetadata
        {
            Bucket = bucket,
            Key = key,
            ETag = Unquote(etag),
            LastModified = ToOffset(lastModified),
            ContentType = NullIfEmpty(headers.ContentType),
            CacheControl = NullIfEmpty(headers.CacheControl),
            ContentDisposition = NullIfEmpty(headers.ContentDisposition),
            ContentEncoding = NullIfEmpty(headers.ContentEncoding),
            Metadata = user.Count == 0 ? null : user,
        };
    }

    /// <summary>Creates the bucket when it does not exist; true when it was created.</summary>
    public async Task<bool> EnsureBucketAsync(string bucket, CancellationToken ct)
    {
        try
        {
            await CallAsync(bucket, null, token => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, MaxKeys = 1 }, token), ct).ConfigureAwait(false);
            return false;
        }
        catch (BackupToolsException e) when (e.Kind == BackupErrorKind.NotFound)
        {
            var request = new PutBucketRequest { BucketName = bucket };
            if (Region is { Length: > 0 } region && region != S3BlobStore.DefaultRegion) request.BucketRegionName = region;
            await CallAsync(bucket, null, token => _client.PutBucketAsync(request, token), ct).ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>Writes a whole object in one PUT with its headers and user metadata.</summary>
    public Task PutAsync(string bucket, string key, ReadOnlyMemory<byte> body, ObjectMetadata metadata, CancellationToken ct)
        => CallAsync(bucket, key, token =>
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket, Key = key, InputStream = S3BlobStore.AsStream(body), AutoCloseStream = true, UseChunkEncoding = false,
            };
            Apply(metadata, request.Headers, request.Metadata);
            return _client.PutObjectAsync(request, token);
        }, ct);

    /// <summary>Starts a multipart upload carrying the object's headers and user metadata; returns its upload id.</summary>
    public async Task<string> StartMultipartAsync(string bucket, string key, ObjectMetadata metadata, CancellationToken ct)
    {
        var response = await CallAsync(bucket, key, token =>
        {
            var request = new InitiateMultipartUploadRequest { BucketName = bucket, Key = key };
            Apply(metadata, request.Headers, request.Metadata);
            return _client.InitiateMultipartUploadAsync(request, token);
        }, ct).ConfigureAwait(false);
        return response.UploadId;
    }

    /// <summary>Uploads one part (1-based number); returns its ETag for the completion.</summary>
    public async Task<PartETag> UploadPartAsync(string bucket, string key, string uploadId, int number, ReadOnlyMemory<byte> body, CancellationToken ct)
    {
        var response = await CallAsync(bucket, key, token => _client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = uploadId, PartNumber = number, InputStream = S3BlobStore.AsStream(body),
            PartSize = body.Length, UseChunkEncoding = false,
        }, token), ct).ConfigureAwait(false);
        return new PartETag(number, response.ETag);
    }

    /// <summary>Completes a multipart upload from its parts in order.</summary>
    public Task CompleteMultipartAsync(string bucket, string key, string uploadId, List<PartETag> parts, CancellationToken ct)
        => CallAsync(bucket, key, token => _client.CompleteMultipartUploadAsync(
            new CompleteMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId, PartETags = parts }, token), ct);

    /// <summary>Abandons a multipart upload (best effort: the server forgets the parts).</summary>
    public async Task AbortMultipartAsync(string bucket, string key, string uploadId)
    {
        try
        {
            await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }).ConfigureAwait(false);
        }
        catch (AmazonServiceException)
        {
            // the upload was already gone or the server is down: nothing more to do
        }
    }

    /// <summary>Deletes one object.</summary>
    public Task DeleteAsync(string bucket, string key, CancellationToken ct)
        => CallAsync(bucket, key, token => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = bucket, Key = key }, token), ct);

    private static void Apply(ObjectMetadata metadata, HeadersCollection headers, MetadataCollection user)
    {
        if (metadata.ContentType is { } type) headers.ContentType = type;
        if (metadata.CacheControl is { } cache) headers.CacheControl = cache;
        if (metadata.ContentDisposition is { } disposition) headers.ContentDisposition = disposition;
        if (metadata.ContentEncoding is { } encoding) headers.ContentEncoding = encoding;
        foreach (var (name, value) in metadata.Metadata ?? new Dictionary<string, string>()) user[name] = value;
    }

    /// <summary>Runs one call with retry, turning permanent S3 errors into engine errors naming what they concern.</summary>
    private Task<T> CallAsync<T>(string? bucket, string? key, Func<CancellationToken, Task<T>> call, CancellationToken ct)
        => _retry.RunAsync(async token =>
        {
            try
            {
                return await call(token).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (Permanent(e, bucket, key) is { } error)
            {
                throw error;
            }
        }, ct);

    /// <summary>The engine error for an S3 error that retrying will not fix; null for a transient one (5xx, throttling, timeout).</summary>
    internal BackupToolsException? Permanent(AmazonS3Exception e, string? bucket, string? key)
    {
        if (e.ErrorCode == "NoSuchBucket" || (e.StatusCode == HttpStatusCode.NotFound && key is null))
            return new(BackupErrorKind.NotFound, $"Bucket '{bucket}' does not exist at {Endpoint}.", bucket, e);
        if (e.StatusCode == HttpStatusCode.NotFound)
            return new(BackupErrorKind.NotFound, $"Object '{key}' is not in bucket '{bucket}' at {Endpoint}.", $"{bucket}/{key}", e);
        if (e.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch" || e.StatusCode == HttpStatusCode.Unauthorized)
            return new(BackupErrorKind.AuthenticationFailed, $"{Endpoint} refused the storage credentials ({e.ErrorCode}).", Endpoint, e);
        if (e.StatusCode == HttpStatusCode.Forbidden)
            return new(BackupErrorKind.PermissionDenied,
                $"Access to {(bucket is null ? "the bucket list" : $"bucket '{bucket}'")} at {Endpoint} was denied ({e.ErrorCode}).", bucket ?? Endpoint, e);
        if ((int)e.StatusCode is >= 400 and < 500 and not (408 or 429))
        {
            var what = key is not null ? $"object '{key}' in bucket '{bucket}'" : bucket is not null ? $"bucket '{bucket}'" : "the request";
            return new(e.StatusCode == HttpStatusCode.BadRequest ? BackupErrorKind.InvalidArgument : BackupErrorKind.InvalidOperation,
                $"{Endpoint} refused {what}: {e.ErrorCode} {e.Message}", key is not null ? $"{bucket}/{key}" : bucket ?? Endpoint, e);
        }
        return null; // 5xx, throttling, timeouts: retried
    }

    private static string Unquote(string? etag) => (etag ?? "").Trim('"');

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static DateTimeOffset? ToOffset(DateTime? time)
        => time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : null;

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}

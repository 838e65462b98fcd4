using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace BackupTools.Core.Storage;

/// <summary>
/// A repository in an S3 bucket (AWS S3 or any S3-compatible endpoint: Supabase Storage, MinIO, s3rver).
/// Keys live under the location's prefix. The SDK's own retries are off: wrap the store in
/// <see cref="RetryingBlobStore"/> (as <see cref="BlobStoreFactory.Open"/> does) for transient faults.
/// </summary>
public sealed class S3BlobStore : IBlobStore
{
    /// <summary>The region used when none is given and none is configured in the environment or profile.</summary>
    public const string DefaultRegion = "us-east-1";

    private readonly AmazonS3Client _client;
    private readonly string _bucket;
    private readonly string _keyPrefix;
    private readonly string _endpointName;
    private readonly string? _storageClass;

    /// <summary>Creates a client for <paramref name="location"/>, which must be an S3 location.</summary>
    public S3BlobStore(RepositoryLocation location)
    {
        if (!location.IsS3 || string.IsNullOrEmpty(location.Bucket))
            throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{location}' is not an S3 location.", location.Uri);
        _bucket = location.Bucket;
        _keyPrefix = location.Prefix.Length == 0 ? "" : location.Prefix + "/";
        _endpointName = location.Endpoint ?? "AWS S3";
        Location = location.Uri;
        _storageClass = location.StorageClass;
        _client = CreateClient(location);
    }

    /// <inheritdoc />
    public string Location { get; }

    private static AmazonS3Client CreateClient(RepositoryLocation location)
        => S3ClientFactory.Create(location.Endpoint, location.Region, location.AccessKey, location.SecretKey, location.Uri);

    private string FullKey(string key) => _keyPrefix + BlobKey.Validate(key);

    /// <inheritdoc />
    public async Task PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken ct = default)
    {
        var request = new PutObjectRequest
        {
            BucketName = _bucket,
            Key = FullKey(key),
            InputStream = AsStream(data),
            AutoCloseStream = true,
            UseChunkEncoding = false,
        };
        if (S3StorageClasses.ForKey(_storageClass, key) is { } storageClass) request.StorageClass = new S3StorageClass(storageClass);
        await Translate(key, () => _client.PutObjectAsync(request, ct)).ConfigureAwait(false);
    }

    /// <summary>A read-only stream over <paramref name="data"/>, without copying when it is backed by an array.</summary>
    internal static MemoryStream AsStream(ReadOnlyMemory<byte> data)
        => MemoryMarshal.TryGetArray(data, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(data.ToArray(), writable: false);

    /// <inheritdoc />
    public async Task<byte[]> GetAsync(string key, CancellationToken ct = default)
    {
        var request = new GetObjectRequest { BucketName = _bucket, Key = FullKey(key) };
        using var response = await Translate(key, () => _client.GetObjectAsync(request, ct)).ConfigureAwait(false);
        var buffer = new byte[response.ContentLength];
        await response.ResponseStream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        return buffer;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Trusts the Content-Range the server answers with rather than the range asked for: some S3-compatible
    /// servers widen a range (s3rver reads "bytes=0-0" as the whole object) or claim a byte of an empty object.
    /// </remarks>
    public async Task<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length == 0)
            return await StatAsync(key, ct).ConfigureAwait(false) is null ? throw new BlobNotFoundException(key) : [];
        var request = new GetObjectRequest
        {
            BucketName = _bucket,
            Key = FullKey(key),
            ByteRange = new ByteRange(offset, offset + length - 1),
        };
        GetObjectResponse response;
        try
        {
            response = await Translate(key, () => _client.GetObjectAsync(request, ct)).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return []; // the range starts at or past the end of the object
        }
        using (response)
        {
            var (start, total) = ParseContentRange(response.ContentRange) ?? (0, response.ContentLength);
            if (offset >= total) return [];
            if (start > offset)
                throw new IOException($"{_endpointName} answered a range of '{key}' from byte {start}, not {offset}.");
            await SkipAsync(response.ResponseStream, offset - start, ct).ConfigureAwait(false);
            var buffer = new byte[Math.Min(length, total - offset)];
            await response.ResponseStream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
            return buffer;
        }
    }

    /// <summary>Start and total size from "bytes start-end/total"; null when absent or unreadable.</summary>
    private static (long Start, long Total)? ParseContentRange(string? contentRange)
    {
        if (string.IsNullOrEmpty(contentRange) || !contentRange.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase)) return null;
        var span = contentRange.AsSpan(6);
        var dash = span.IndexOf('-');
        var slash = span.IndexOf('/');
        if (dash < 0 || slash < dash) return null;
        return long.TryParse(span[..dash], out var start) && long.TryParse(span[(slash + 1)..], out var total) ? (start, total) : null;
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken ct)
    {
        var scratch = new byte[(int)Math.Min(count, 81920)];
        while (count > 0)
        {
            var n = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), ct).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException();
            count -= n;
        }
    }

    /// <inheritdoc />
    public async Task<BlobInfo?> StatAsync(string key, CancellationToken ct = default)
    {
        var request = new GetObjectMetadataRequest { BucketName = _bucket, Key = FullKey(key) };
        try
        {
            var response = await Translate(key, () => _client.GetObjectMetadataAsync(request, ct)).ConfigureAwait(false);
            return new BlobInfo(key, response.ContentLength, ToOffset(response.LastModified));
        }
        catch (BlobNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<BlobInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _keyPrefix + prefix };
        while (true)
        {
            var page = await Translate(prefix, () => _client.ListObjectsV2Async(request, ct)).ConfigureAwait(false);
            foreach (var o in page.S3Objects ?? [])
                yield return new BlobInfo(o.Key[_keyPrefix.Length..], o.Size ?? 0, ToOffset(o.LastModified));
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken)) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    /// <summary>
    /// Creates the bucket when it does not exist yet (what `restic init` does), so a new repository can be
    /// made in an empty account. A bucket that exists is left as it is.
    /// </summary>
    public async Task EnsureBucketAsync(string? region, CancellationToken ct = default)
    {
        try
        {
            await _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, MaxKeys = 1 }, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            var request = new PutBucketRequest { BucketName = _bucket };
            if (region is { Length: > 0 } && region != DefaultRegion) request.BucketRegionName = region;
            await Translate("", () => _client.PutBucketAsync(request, ct)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string key, CancellationToken ct = default)
    {
        var request = new DeleteObjectRequest { BucketName = _bucket, Key = FullKey(key) };
        return Translate(key, () => _client.DeleteObjectAsync(request, ct));
    }

    private static DateTimeOffset ToOffset(DateTime? time)
        => time is { } t ? new DateTimeOffset(t.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;

    /// <summary>Runs one S3 call and turns the errors a caller acts on into the engine's types (see <see cref="MapError"/>).</summary>
    private async Task<T> Translate<T>(string key, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (MapError(e, key) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// The engine's error for an S3 error a caller acts on: a missing key becomes <see cref="BlobNotFoundException"/>,
    /// a missing bucket NotFound, an archived object (InvalidObjectState: GLACIER or DEEP_ARCHIVE) InvalidOperation
    /// saying a restore request is needed, refused credentials AuthenticationFailed or PermissionDenied.
    /// Null for anything else (5xx, dropped connections), which is left for the retry layer.
    /// </summary>
    internal Exception? MapError(AmazonS3Exception e, string key) => e switch
    {
        { ErrorCode: "NoSuchBucket" } =>
            new BackupToolsException(BackupErrorKind.NotFound, $"Bucket '{_bucket}' does not exist at {_endpointName}.", _bucket, e),
        { StatusCode: HttpStatusCode.NotFound } => new BlobNotFoundException(key, e),
        { ErrorCode: "InvalidObjectState" } => new BackupToolsException(BackupErrorKind.InvalidOperation,
            $"Object '{_keyPrefix}{key}' in bucket '{_bucket}' is archived (storage class GLACIER or DEEP_ARCHIVE) and cannot be read " +
            "until a restore request brings it back: run a restore request for the repository's data/ and snapshots/ objects " +
            "(e.g. 'aws s3api restore-object', or an S3 Batch Operations restore job), wait until it completes, then try again.",
            _keyPrefix + key, e),
        { ErrorCode: "InvalidAccessKeyId" or "SignatureDoesNotMatch" } => new BackupToolsException(BackupErrorKind.AuthenticationFailed,
            $"{_endpointName} refused the credentials for '{Location}': {e.ErrorCode}.", Location, e),
        { StatusCode: HttpStatusCode.Forbidden } => new BackupToolsException(BackupErrorKind.PermissionDenied,
            $"Access to '{Location}' at {_endpointName} was denied ({e.ErrorCode}).", Location, e),
        _ => null,
    };

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();
}

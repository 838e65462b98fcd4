using System.Security.Cryptography;
using Amazon.S3;
using Amazon.S3.Model;
using BackupTools.Core;
using BackupTools.Core.Operations;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ObjectStorage;
using BackupTools.Core.Storage;
using BackupTools.Testing;
using BackupTools.Tests.EndToEnd;
using Xunit;

namespace BackupTools.Tests.ObjectStorage;

/// <summary>An object to seed: key, bytes and the headers and user metadata it is written with.</summary>
internal sealed record SeedObject(string Key, byte[] Body, string? ContentType = null, string? CacheControl = null,
    string? ContentDisposition = null, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>An object as read back from a bucket: its bytes' hash, size, headers and user metadata.</summary>
internal sealed record ReadBackObject(string Key, long Size, string Sha256, string? ContentType, string? CacheControl,
    string? ContentDisposition, string Metadata);

/// <summary>
/// The storage tests' bench: the run's s3rver, a plain S3 client to seed and read buckets, a local repository with
/// fast KDF parameters, and backups and restores through the engine.
/// </summary>
internal sealed class StorageTestBed : IDisposable
{
    private readonly TempFolder _folder = new("bt-storage");
    private readonly List<IDisposable> _owned = new();

    private StorageTestBed(S3Server s3, AmazonS3Client client)
    {
        S3 = s3;
        Client = client;
    }

    public S3Server S3 { get; }

    /// <summary>A plain client on s3rver for seeding and checking (the same factory the engine uses).</summary>
    public AmazonS3Client Client { get; }

    /// <summary>The folder of the repositories this bed creates.</summary>
    public string Folder => _folder.Path;

    public static async Task<StorageTestBed> StartAsync()
    {
        var s3 = await EndToEndHelpers.S3Async();
        return new StorageTestBed(s3, S3ClientFactory.Create(s3.Endpoint, "us-east-1", s3.State.AccessKey, s3.State.SecretKey, s3.Endpoint));
    }

    /// <summary>A new local repository (fast KDF, small chunks) in a subfolder.</summary>
    public async Task<BackupRepository> NewRepositoryAsync(string name = "repo")
    {
        var store = new LocalBlobStore(Path.Combine(Folder, name));
        _owned.Add(store);
        var repository = await BackupRepository.CreateAsync(store, EndToEndHelpers.Passphrase, EndToEndHelpers.FastOptions());
        _owned.Add(repository);
        return repository;
    }

    /// <summary>The source options for s3rver (or a proxy in front of it) with s3rver's keys.</summary>
    public StorageEndpointOptions Endpoint(string? through = null, string? accessKey = null, string? secretKey = null) => new()
    {
        Endpoint = through ?? S3.Endpoint,
        Region = "us-east-1",
        AccessKey = accessKey ?? S3.State.AccessKey,
        SecretKey = secretKey ?? S3.State.SecretKey,
        Retry = new RetryOptions(2, TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50)),
    };

    /// <summary>Backs up buckets of s3rver (or through a proxy) into the repositories.</summary>
    public async Task<Manifest> BackupAsync(IReadOnlyList<BackupRepository> repositories, IReadOnlyList<string> buckets, string? through = null, bool full = false)
    {
        var request = new BackupJobRequest { Storage = new StorageBackupRequest { Source = Endpoint(through), Buckets = buckets, Full = full } };
        var outcomes = await BackupJob.RunAsync(repositories, request, null, NullBackupLog.Instance);
        Assert.All(outcomes, o => Assert.True(o.Success, o.Error?.Message));
        return outcomes[0].Manifest!;
    }

    public Task<Manifest> BackupAsync(BackupRepository repository, string bucket, string? through = null, bool full = false)
        => BackupAsync(new[] { repository }, new[] { bucket }, through, full);

    /// <summary>Writes the objects into the bucket, at most 16 at a time.</summary>
    public Task PutAsync(string bucket, IEnumerable<SeedObject> objects)
        => Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (o, ct) =>
        {
            var request = new PutObjectRequest
            {
                BucketName = bucket, Key = o.Key, InputStream = new MemoryStream(o.Body), UseChunkEncoding = false,
                ContentType = o.ContentType,
            };
            if (o.CacheControl is not null) request.Headers.CacheControl = o.CacheControl;
            if (o.ContentDisposition is not null) request.Headers.ContentDisposition = o.ContentDisposition;
            foreach (var (name, value) in o.Metadata ?? new Dictionary<string, string>()) request.Metadata[name] = value;
            await Client.PutObjectAsync(request, ct);
        });

    /// <summary>Every object of a bucket read back, by key.</summary>
    public async Task<IReadOnlyList<ReadBackObject>> ReadBucketAsync(string bucket)
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = bucket };
        while (true)
        {
            var page = await Client.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
            if (page.IsTruncated != true) break;
            request.ContinuationToken = page.NextContinuationToken;
        }
        var result = new ReadBackObject[keys.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, keys.Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await Client.GetObjectAsync(bucket, keys[i], ct);
            using var sha = SHA256.Create();
            var hash = Convert.ToHexString(await sha.ComputeHashAsync(response.ResponseStream, ct));
            var metadata = string.Join(";", response.Metadata.Keys.Order(StringComparer.Ordinal).Select(k => $"{k}={response.Metadata[k]}"));
            result[i] = new ReadBackObject(keys[i], response.ContentLength, hash, response.Headers.ContentType, response.Headers.CacheControl,
                response.Headers.ContentDisposition, metadata);
        });
        return result.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Restores the backup's storage into s3rver.</summary>
    public Task<StorageRestoreOutcome> RestoreAsync(BackupRepository repository, Manifest manifest, string? targetBucket = null,
        bool delta = false, IReadOnlyList<StorageObjectRef>? deletions = null, string prefix = "")
        => ObjectStorageRestore.RunAsync(repository, manifest, new StorageRestoreRequest
        {
            Target = Endpoint(), TargetBucket = targetBucket, Delta = delta, Deletions = deletions ?? [], Prefix = prefix,
        }, null, NullBackupLog.Instance);

    /// <summary>A bucket name nobody uses (not created).</summary>
    public static string NewBucketName(string prefix) => EndToEndHelpers.NewBucketName(prefix);

    /// <summary>Random bytes from a seed.</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public void Dispose()
    {
        foreach (var owned in Enumerable.Reverse(_owned)) owned.Dispose();
        Client.Dispose();
        _folder.Dispose();
    }
}

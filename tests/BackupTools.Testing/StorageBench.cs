using System.Diagnostics;
using System.Text.Json;
using BackupTools.Core.Repository;
using BackupTools.Core.Sources.ObjectStorage;

namespace BackupTools.Testing;

/// <summary>
/// The storage case of the benchmark (build/bench.ps1): seeds a bucket with a mix of large multipart objects and many
/// small ones, and runs the baseline — a plain parallel GET-then-PUT copy of every object into another bucket through
/// the same S3 client the engine uses (<see cref="ObjectStorageClient"/>: same SDK settings, same multipart writer).
/// </summary>
public static class StorageBench
{
    private const int Parallelism = 8;
    private const int LargeObjects = 3;
    /// <summary>Share of the bytes in the large objects.</summary>
    private const double LargeShare = 0.6;

    /// <summary>Creates <paramref name="bucket"/> and fills it with about <paramref name="megabytes"/> MB; returns a JSON summary.</summary>
    public static async Task<string> SeedAsync(S3State s3, string bucket, int megabytes, CancellationToken ct = default)
    {
        using var client = Connect(s3);
        await client.EnsureBucketAsync(bucket, ct).ConfigureAwait(false);
        var total = (long)megabytes << 20;
        var largeSize = (int)(total * LargeShare / LargeObjects);
        var sizes = new List<(string Key, int Size)>();
        for (var i = 0; i < LargeObjects; i++) sizes.Add(($"videos/large-{i}.bin", largeSize));
        var random = new Random(42);
        for (long left = total - (long)largeSize * LargeObjects, i = 0; left > 0; i++)
        {
            var size = (int)Math.Min(left, random.Next(16 << 10, 512 << 10));
            sizes.Add(($"files/{i % 50:D2}/object-{i:D5}.dat", size));
            left -= size;
        }
        await Parallel.ForEachAsync(Enumerable.Range(0, sizes.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (i, token) =>
        {
            var (key, size) = sizes[i];
            var body = Content(size, i);
            var metadata = new ObjectMetadata { Bucket = bucket, Key = key, ContentType = "application/octet-stream", Metadata = new() { ["seed"] = i.ToString() } };
            if (size <= ObjectStorageRestore.PartSize)
            {
                await client.PutAsync(bucket, key, body, metadata, token).ConfigureAwait(false);
                return;
            }
            await using var upload = await MultipartUploadStream.StartAsync(client, bucket, metadata, ObjectStorageRestore.PartSize, token).ConfigureAwait(false);
            await upload.WriteAsync(body, token).ConfigureAwait(false);
            await upload.CompleteAsync(token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return JsonSerializer.Serialize(new { Objects = sizes.Count, Bytes = sizes.Sum(s => (long)s.Size) });
    }

    /// <summary>The baseline: every object of <paramref name="source"/> read once and written to <paramref name="target"/>, 8 at a time; returns a JSON summary with the seconds taken.</summary>
    public static async Task<string> CopyAsync(S3State s3, string source, string target, CancellationToken ct = default)
    {
        using var client = Connect(s3);
        var clock = Stopwatch.StartNew();
        await client.EnsureBucketAsync(target, ct).ConfigureAwait(false);
        var objects = new List<ListedObject>();
        await foreach (var listed in client.ListObjectsAsync(source, "", ct).ConfigureAwait(false)) objects.Add(listed);
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (o, token) =>
            await client.ReadAsync(source, o.Key, async (response, inner) =>
            {
                var metadata = ObjectStorageClient.Describe(target, o.Key, response.ETag, null, response.Headers, response.Metadata);
                if (o.Size <= ObjectStorageRestore.PartSize)
                {
                    var body = new byte[o.Size];
                    await response.ResponseStream.ReadExactlyAsync(body, inner).ConfigureAwait(false);
                    await client.PutAsync(target, o.Key, body, metadata, inner).ConfigureAwait(false);
                    return true;
                }
                await using var upload = await MultipartUploadStream.StartAsync(client, target, metadata, ObjectStorageRestore.PartSize, inner).ConfigureAwait(false);
                await response.ResponseStream.CopyToAsync(upload, 1 << 20, inner).ConfigureAwait(false);
                await upload.CompleteAsync(inner).ConfigureAwait(false);
                return true;
            }, token).ConfigureAwait(false)).ConfigureAwait(false);
        return JsonSerializer.Serialize(new { Objects = objects.Count, Bytes = objects.Sum(o => o.Size), Seconds = clock.Elapsed.TotalSeconds });
    }

    private static ObjectStorageClient Connect(S3State s3)
        => ObjectStorageClient.Connect(new StorageEndpointOptions { Endpoint = s3.Endpoint, Region = "us-east-1", AccessKey = s3.AccessKey, SecretKey = s3.SecretKey });

    /// <summary>Half random bytes, half repeated text rows (so compression has something to do, as with real uploads).</summary>
    private static byte[] Content(int size, int seed)
    {
        var body = new byte[size];
        var random = new Random(seed);
        random.NextBytes(body.AsSpan(0, size / 2));
        var row = System.Text.Encoding.UTF8.GetBytes($"{seed}\tuser-{seed % 977}@example.com\t2026-11-25T00:00:00Z\t{{\"plan\":\"pro\",\"seats\":{seed % 50}}}\n");
        for (var i = size / 2; i < size; i++) body[i] = row[i % row.Length];
        return body;
    }
}

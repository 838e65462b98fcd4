using System.Diagnostics;
using System.Security.Cryptography;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>
/// Restore-Backup -Component Storage: puts a backup's objects back, to the recorded endpoint or another, with their
/// content type, cache-control, content-disposition, content-encoding and user metadata. Missing buckets are created.
/// Every object is read and hash-checked from the repository before it is committed at the target: a small one is
/// buffered then PUT, a large one goes up as a multipart upload that is abandoned if a check fails, so a corrupt
/// backup never leaves a partial object.
/// </summary>
public static class ObjectStorageRestore
{
    /// <summary>Objects up to this size go up in one PUT; larger ones in parts of this size.</summary>
    public const int PartSize = 8 << 20;

    /// <summary>
    /// The objects at the target, in the buckets and under the prefix a restore would write, that the backup does not
    /// hold: what -Mirror deletes (after confirmation) by passing them as <see cref="StorageRestoreRequest.Deletions"/>.
    /// A target bucket that does not exist yet holds nothing.
    /// </summary>
    public static async Task<IReadOnlyList<StorageObjectRef>> FindExtraObjectsAsync(Manifest manifest, StorageRestoreRequest request, CancellationToken ct = default)
    {
        var plan = StorageRestorePlan.Of(manifest, request);
        using var client = ObjectStorageClient.Connect(plan.Target);
        var extra = new List<StorageObjectRef>();
        foreach (var (bucket, keys) in plan.KeysByTargetBucket)
        {
            try
            {
                await foreach (var listed in client.ListObjectsAsync(bucket, request.Prefix, ct).ConfigureAwait(false))
                    if (!keys.Contains(listed.Key)) extra.Add(new StorageObjectRef(bucket, listed.Key));
            }
            catch (BackupToolsException e) when (e.Kind == BackupErrorKind.NotFound)
            {
                // the bucket is created by the restore: nothing in it to delete
            }
        }
        return extra;
    }

    /// <summary>Restores the selected objects, then deletes <see cref="StorageRestoreRequest.Deletions"/>. Throws on the first failure (Corrupt names the bucket and key).</summary>
    public static async Task<StorageRestoreOutcome> RunAsync(BackupRepository repository, Manifest manifest, StorageRestoreRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        var plan = StorageRestorePlan.Of(manifest, request);
        using var client = ObjectStorageClient.Connect(plan.Target);
        var outcome = new StorageRestoreOutcome { Endpoint = client.Endpoint };
        foreach (var bucket in plan.KeysByTargetBucket.Keys)
        {
            outcome.Buckets.Add(bucket);
            if (await client.EnsureBucketAsync(bucket, ct).ConfigureAwait(false))
            {
                outcome.BucketsCreated.Add(bucket);
                log.Write(LogLevel.Verbose, $"Created bucket '{bucket}' at {client.Endpoint}.");
            }
        }

        var transfer = new TransferProgress(progress, $"Restoring storage to {client.Endpoint}", $"{plan.Files.Count:N0} objects", plan.Files.Sum(f => f.Size));
        var bytes = new AggregateProgress(transfer);
        int restored = 0, skipped = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Parallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(plan.Files, options, async (file, token) =>
        {
            var bucket = plan.TargetBucketOf(file);
            if (request.Delta && await IsIdenticalAsync(client, bucket, file, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref skipped);
                return;
            }
            await UploadAsync(repository, client, bucket, file, bytes.NewPart(), token).ConfigureAwait(false);
            Interlocked.Increment(ref restored);
        }).ConfigureAwait(false);

        foreach (var extra in request.Deletions)
        {
            // Only what the restore owns: an object of a target bucket, under the prefix, that the backup does not hold.
            if (!plan.KeysByTargetBucket.TryGetValue(extra.Bucket, out var keys) || keys.Contains(extra.Key) || !extra.Key.StartsWith(request.Prefix, StringComparison.Ordinal))
                throw new BackupToolsException(BackupErrorKind.InvalidArgument, $"'{extra}' is not an object this restore may delete.", extra.ToString());
            await client.DeleteAsync(extra.Bucket, extra.Key, ct).ConfigureAwait(false);
            outcome.ObjectsDeleted++;
        }
        outcome.ObjectsRestored = restored;
        outcome.ObjectsSkipped = skipped;
        outcome.BytesRestored = bytes.Total;
        outcome.Duration = clock.Elapsed;
        log.Write(LogLevel.Verbose, $"Storage restored to {client.Endpoint}: {restored:N0} objects written, {skipped:N0} already identical, {outcome.ObjectsDeleted:N0} deleted.");
        return outcome;
    }

    /// <summary>Reads one object from the repository (every chunk checked) and writes it to the target.</summary>
    private static async Task UploadAsync(BackupRepository repository, ObjectStorageClient client, string bucket, FileEntry file,
        IProgress<long> progress, CancellationToken ct)
    {
        var metadata = file.Object!;
        if (file.Size <= PartSize)
        {
            using var buffer = new MemoryStream((int)file.Size);
            await repository.ReadFileAsync(file, buffer, progress, ct).ConfigureAwait(false);
            await client.PutAsync(bucket, metadata.Key, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), metadata, ct).ConfigureAwait(false);
            return;
        }
        await using var upload = await MultipartUploadStream.StartAsync(client, bucket, metadata, PartSize, ct).ConfigureAwait(false);
        await repository.ReadFileAsync(file, upload, progress, ct).ConfigureAwait(false);
        await upload.CompleteAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// True when the target already holds the object: same size, headers and user metadata, and the same bytes — the
    /// same ETag; or, when either ETag is a multipart one (not an MD5 of the bytes), the same SHA-256 read from the target.
    /// </summary>
    private static async Task<bool> IsIdenticalAsync(ObjectStorageClient client, string bucket, FileEntry file, CancellationToken ct)
    {
        var recorded = file.Object!;
        if (await client.HeadAsync(bucket, recorded.Key, ct).ConfigureAwait(false) is not { } current
            || current.Size != file.Size || !SameHeaders(current.Metadata, recorded))
            return false;
        if (current.Metadata.ETag == recorded.ETag) return true;
        if (!IsMultipartETag(current.Metadata.ETag) && !IsMultipartETag(recorded.ETag)) return false;
        var hash = await client.ReadAsync(bucket, recorded.Key, async (response, token) =>
        {
            using var sha = SHA256.Create();
            return Convert.ToHexString(await sha.ComputeHashAsync(response.ResponseStream, token).ConfigureAwait(false));
        }, ct).ConfigureAwait(false);
        return string.Equals(hash, file.Sha256, StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsMultipartETag(string etag) => etag.Contains('-');

    private static bool SameHeaders(ObjectMetadata a, ObjectMetadata b)
        => a.ContentType == b.ContentType && a.CacheControl == b.CacheControl && a.ContentDisposition == b.ContentDisposition
           && a.ContentEncoding == b.ContentEncoding
           && (a.Metadata ?? new()).OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual((b.Metadata ?? new()).OrderBy(p => p.Key, StringComparer.Ordinal));
}

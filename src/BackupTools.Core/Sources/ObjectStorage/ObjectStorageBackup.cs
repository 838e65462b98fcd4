using Amazon.S3;
using BackupTools.Core.Operations;
using BackupTools.Core.Postgres;
using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>
/// New-Backup -Storage: every object of the chosen buckets of one S3-compatible endpoint, streamed through the
/// repository's chunk → compress → encrypt → upload pass with bounded parallelism across objects. One component of
/// type "storage" per endpoint; one file per object, named "bucket/key", with its <see cref="ObjectMetadata"/>.
/// Incremental by default: an object whose bucket, key, size and ETag match the previous backup of the same endpoint
/// in every destination is not downloaded; its chunks are referenced again. The restore side is <see cref="ObjectStorageRestore"/>.
/// </summary>
public static class ObjectStorageBackup
{
    /// <summary>The component type.</summary>
    public const string ComponentType = "storage";
    /// <summary>The format recorded on each object's file.</summary>
    public const string FileFormat = "s3-object";

    /// <summary>An object stored in every live destination, with the metadata read for it.</summary>
    private sealed record StoredObject(IReadOnlyDictionary<BackupDestination, FileEntry> Files, ObjectMetadata Metadata);

    /// <summary>
    /// Adds the storage component to a backup session. Every bucket is listed before anything is read, so a missing
    /// bucket, refused keys or an unreachable endpoint fail the backup before any object is stored.
    /// </summary>
    public static async Task WriteComponentAsync(BackupSession session, StorageBackupRequest request,
        IProgress<ProgressInfo>? progress, IBackupLog log, CancellationToken ct = default)
    {
        using var client = ObjectStorageClient.Connect(request.Source);
        var buckets = request.Buckets.Count > 0
            ? request.Buckets.Distinct(StringComparer.Ordinal).ToList()
            : await client.ListBucketsAsync(ct).ConfigureAwait(false);
        var objects = new List<ListedObject>();
        foreach (var bucket in buckets)
            await foreach (var listed in client.ListObjectsAsync(bucket, "", ct).ConfigureAwait(false)) objects.Add(listed);
        var totalBytes = objects.Sum(o => o.Size);
        log.Write(LogLevel.Verbose, $"{objects.Count:N0} objects ({totalBytes:N0} bytes) in {buckets.Count} bucket(s) at {client.Endpoint}.");

        var component = session.AddComponent(ComponentType, new Uri(client.Endpoint).Authority, DescribeSource(client, buckets));
        var previous = request.Full ? null : await PreviousObjects.LoadAsync(session, component.Template, ct).ConfigureAwait(false);
        var transfer = new TransferProgress(progress, $"Backing up storage at {client.Endpoint}", $"{objects.Count:N0} objects", totalBytes);
        var bytes = new AggregateProgress(transfer);
        var stored = new StoredObject?[objects.Count];
        var reused = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Parallelism), CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, objects.Count), options, async (i, token) =>
        {
            var reuse = previous is null ? null : await TryReuseAsync(client, session, previous, objects[i], token).ConfigureAwait(false);
            if (reuse is not null) Interlocked.Increment(ref reused);
            stored[i] = reuse ?? await ReadObjectAsync(client, component, objects[i], bytes.NewPart(), token).ConfigureAwait(false);
        }).ConfigureAwait(false);

        // Added in listing order, so the manifest is the same whatever order the parallel reads finished in.
        for (var i = 0; i < objects.Count; i++)
        {
            if (stored[i] is { } item)
            {
                component.Add(item.Files, f => { f.Format = FileFormat; f.Object = item.Metadata; });
                continue;
            }
            var warning = $"Object '{objects[i].Key}' in bucket '{objects[i].Bucket}' was deleted while the backup ran; it is not in this backup.";
            component.AddWarning(warning);
            log.Write(LogLevel.Warning, warning);
        }
        log.Write(LogLevel.Verbose,
            $"Storage at {client.Endpoint}: {objects.Count - reused:N0} objects read ({bytes.Total:N0} bytes), {reused:N0} unchanged since the previous backup.");
    }

    private static Dictionary<string, string> DescribeSource(ObjectStorageClient client, IReadOnlyList<string> buckets)
    {
        var source = new Dictionary<string, string>
        {
            ["endpoint"] = client.Endpoint,
            ["buckets"] = string.Join(",", buckets),
        };
        if (client.Region is { } region) source["region"] = region;
        return source;
    }

    /// <summary>
    /// The object as stored by the previous backups, when every live destination has it with the same size and ETag;
    /// otherwise null. When the listing's last-modified time also matches, the recorded headers and metadata are kept
    /// (nothing is requested); when only it changed (e.g. metadata replaced in place), one HEAD confirms size and ETag
    /// and supplies the headers and metadata.
    /// </summary>
    private static async Task<StoredObject?> TryReuseAsync(ObjectStorageClient client, BackupSession session, PreviousObjects previous,
        ListedObject listed, CancellationToken ct)
    {
        if (listed.ETag.Length == 0) return null;
        var files = new Dictionary<BackupDestination, FileEntry>();
        ObjectMetadata? recorded = null;
        var unmodified = listed.LastModified is not null;
        foreach (var destination in session.Live)
        {
            var earlier = previous.Find(destination, listed.Bucket, listed.Key);
            if (earlier?.Object is null || earlier.Size != listed.Size || earlier.Object.ETag != listed.ETag) return null;
            files[destination] = new FileEntry { Name = earlier.Name, Size = earlier.Size, Sha256 = earlier.Sha256, Chunks = earlier.Chunks };
            unmodified &= earlier.Object.LastModified == listed.LastModified;
            recorded ??= earlier.Object;
        }
        if (unmodified && recorded is not null) return new StoredObject(files, recorded);
        var head = await client.HeadAsync(listed.Bucket, listed.Key, ct).ConfigureAwait(false);
        if (head is not { } current || current.Size != listed.Size || current.Metadata.ETag != listed.ETag) return null;
        current.Metadata.LastModified = listed.LastModified;
        return new StoredObject(files, current.Metadata);
    }

    /// <summary>Downloads one object once and stores it in every live destination; null when it was deleted since the listing.</summary>
    private static async Task<StoredObject?> ReadObjectAsync(ObjectStorageClient client, ComponentWriter component, ListedObject listed,
        IProgress<long> progress, CancellationToken ct)
    {
        try
        {
            return await ReadListedObjectAsync(client, component, listed, progress, ct).ConfigureAwait(false);
        }
        catch (BackupToolsException e) when (e.Kind == BackupErrorKind.NotFound && e.InnerException is AmazonS3Exception { ErrorCode: "NoSuchKey" })
        {
            return null;
        }
    }

    private static Task<StoredObject> ReadListedObjectAsync(ObjectStorageClient client, ComponentWriter component, ListedObject listed,
        IProgress<long> progress, CancellationToken ct)
        => client.ReadAsync(listed.Bucket, listed.Key, async (response, token) =>
        {
            // The listing's ETag and time (the header's time has whole seconds only), so the next backup compares listing
            // with listing. Should the object change between the listing and this GET, the next backup sees a new ETag
            // and reads it again.
            var metadata = ObjectStorageClient.Describe(listed.Bucket, listed.Key, listed.ETag, null, response.Headers, response.Metadata);
            metadata.LastModified = listed.LastModified;
            var files = await component.StoreAsync(FileName(listed.Bucket, listed.Key), response.ResponseStream, progress, token, new StreamWriteOptions { ExpectedSize = response.ContentLength }).ConfigureAwait(false);
            var size = files.Values.FirstOrDefault()?.Size ?? response.ContentLength;
            if (size != response.ContentLength)
                throw new IOException($"Object '{listed.Key}' in bucket '{listed.Bucket}' ended after {size} of {response.ContentLength} bytes.");
            return new StoredObject(files, metadata);
        }, ct);

    /// <summary>The stored name of an object: "bucket/key".</summary>
    public static string FileName(string bucket, string key) => bucket + "/" + key;

    /// <summary>Each destination's objects from its previous backup of the same endpoint, by bucket and key.</summary>
    private sealed class PreviousObjects
    {
        private readonly Dictionary<BackupDestination, Dictionary<string, FileEntry>> _byDestination = new();

        public static async Task<PreviousObjects> LoadAsync(BackupSession session, ComponentEntry component, CancellationToken ct)
        {
            var result = new PreviousObjects();
            var identity = ComponentIdentity.Of(component);
            foreach (var destination in session.Live)
            {
                var manifest = await destination.FindPreviousAsync(component, ct).ConfigureAwait(false);
                result._byDestination[destination] = (manifest?.Components ?? [])
                    .Where(c => ComponentIdentity.Of(c) == identity)
                    .SelectMany(c => c.Files)
                    .Where(f => f.Object is not null)
                    .GroupBy(f => FileName(f.Object!.Bucket, f.Object.Key), StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            }
            return result;
        }

        public FileEntry? Find(BackupDestination destination, string bucket, string key)
            => _byDestination.TryGetValue(destination, out var files) ? files.GetValueOrDefault(FileName(bucket, key)) : null;
    }
}

using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ObjectStorage;

/// <summary>
/// What a storage restore will write: the backup's storage component, the objects selected by bucket and prefix,
/// the bucket each lands in (-TargetBucket renames the one selected bucket) and the endpoint written to.
/// </summary>
internal sealed class StorageRestorePlan
{
    private readonly Dictionary<string, string> _targetBucket;

    private StorageRestorePlan(StorageEndpointOptions target, IReadOnlyList<FileEntry> files, Dictionary<string, string> targetBucket)
    {
        Target = target;
        Files = files;
        _targetBucket = targetBucket;
        KeysByTargetBucket = targetBucket.Values.Distinct(StringComparer.Ordinal).ToDictionary(b => b, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var file in files) KeysByTargetBucket[TargetBucketOf(file)].Add(file.Object!.Key);
    }

    /// <summary>The endpoint written to.</summary>
    public StorageEndpointOptions Target { get; }

    /// <summary>The objects to restore, in the backup's order.</summary>
    public IReadOnlyList<FileEntry> Files { get; }

    /// <summary>Each target bucket with the keys the restore writes into it (every selected bucket, even an empty one).</summary>
    public Dictionary<string, HashSet<string>> KeysByTargetBucket { get; }

    /// <summary>The bucket an object of the backup is restored into.</summary>
    public string TargetBucketOf(FileEntry file) => _targetBucket[file.Object!.Bucket];

    /// <summary>Works out the plan; NotFound when the backup has no storage or lacks a named bucket, InvalidArgument on a bad combination.</summary>
    public static StorageRestorePlan Of(Manifest manifest, StorageRestoreRequest request)
    {
        var component = manifest.Components.FirstOrDefault(c => c.Type == ObjectStorageBackup.ComponentType)
            ?? throw new BackupToolsException(BackupErrorKind.NotFound, $"Backup {manifest.Id} has no storage component.", manifest.Id);
        var inBackup = (component.Source.GetValueOrDefault("buckets") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Concat(component.Files.Where(f => f.Object is not null).Select(f => f.Object!.Bucket))
            .Distinct(StringComparer.Ordinal).ToList();
        foreach (var bucket in request.Buckets.Where(b => !inBackup.Contains(b, StringComparer.Ordinal)))
            throw new BackupToolsException(BackupErrorKind.NotFound,
                $"Backup {manifest.Id} holds no bucket '{bucket}' (it holds: {string.Join(", ", inBackup)}).", bucket);
        var selected = request.Buckets.Count > 0 ? request.Buckets.Distinct(StringComparer.Ordinal).ToList() : inBackup;
        if (request.TargetBucket is not null && selected.Count != 1)
            throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"A target bucket ('{request.TargetBucket}') takes exactly one source bucket; {selected.Count} are selected: name one with -Bucket.", request.TargetBucket);
        var targetBucket = selected.ToDictionary(b => b, b => request.TargetBucket ?? b, StringComparer.Ordinal);
        var files = component.Files
            .Where(f => f.Object is { } o && targetBucket.ContainsKey(o.Bucket) && o.Key.StartsWith(request.Prefix, StringComparison.Ordinal))
            .ToList();
        var target = request.Target ?? new StorageEndpointOptions();
        if (target.Endpoint is null)
        {
            target = target with
            {
                Endpoint = component.Source.GetValueOrDefault("endpoint")
                    ?? throw new BackupToolsException(BackupErrorKind.Corrupt, $"Backup {manifest.Id} records no storage endpoint.", manifest.Id),
                Region = target.Region ?? component.Source.GetValueOrDefault("region"),
            };
        }
        return new StorageRestorePlan(target, files, targetBucket);
    }
}

namespace BackupTools.Core.Storage;

/// <summary>
/// The S3 storage classes a repository's data may be written with (Copy-Backup -StorageClass), and which
/// objects of a repository take the class. A local folder has no storage classes and ignores the setting.
/// </summary>
public static class S3StorageClasses
{
    /// <summary>The classes accepted, in order of falling price per byte stored.</summary>
    public static IReadOnlyList<string> Names { get; } = ["STANDARD", "STANDARD_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];

    /// <summary>The class in canonical (upper-case) form; InvalidArgument naming the value when it is not one of <see cref="Names"/>.</summary>
    public static string Normalize(string storageClass)
    {
        var upper = storageClass.Trim().ToUpperInvariant();
        return Names.Contains(upper)
            ? upper
            : throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                $"'{storageClass}' is not a storage class BackupTools writes: use one of {string.Join(", ", Names)}.", storageClass);
    }

    /// <summary>True for the archive classes whose objects must be restored (a restore request) before they can be read.</summary>
    public static bool NeedsRestoreRequest(string storageClass) => storageClass is "GLACIER" or "DEEP_ARCHIVE";

    /// <summary>
    /// The class to write <paramref name="key"/> with, or null for the bucket's default. Chunks (data/) take the class;
    /// manifests (snapshots/) take it only when it can be read at once, so Get-Backup still lists an archived copy
    /// (a manifest is a few KiB); config.json, keys/ and locks/ are always read at once and keep the default.
    /// </summary>
    public static string? ForKey(string? storageClass, string key)
    {
        if (storageClass is null or "STANDARD") return null;
        if (key.StartsWith("data/", StringComparison.Ordinal)) return storageClass;
        return key.StartsWith("snapshots/", StringComparison.Ordinal) && !NeedsRestoreRequest(storageClass) ? storageClass : null;
    }
}

using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>What a restore does with one entry at its place under the destination.</summary>
internal enum PlannedAction
{
    /// <summary>Nothing is there: create it.</summary>
    Create,
    /// <summary>A file or link is there and Force was given: replace it (the old link is removed, never followed).</summary>
    Replace,
    /// <summary>A folder is there and the entry is a folder: keep it and write into it.</summary>
    Merge,
}

/// <summary>One entry of the backup and where and how it lands.</summary>
internal sealed record PlannedEntry(FileEntry Entry, FileSystemMetadata Fs, string TargetPath, PlannedAction Action);

/// <summary>
/// The all-or-nothing check of a configuration restore, before anything is written: every entry name is safe
/// (<see cref="ConfigPathRules"/>), every link in the backup stays inside the destination, no entry would be written
/// through a symbolic link already at the destination, and nothing there would be overwritten unless Force is given.
/// </summary>
internal static class RestorePlan
{
    /// <summary>How many conflicting paths an error names before it says "and N more".</summary>
    private const int NamedConflicts = 10;

    private enum Existing { None, File, Directory, Link }

    /// <summary>Checks every entry against the destination <paramref name="root"/>; throws on the first unsafe entry or on any conflict.</summary>
    public static IReadOnlyList<PlannedEntry> Build(string root, IEnumerable<FileEntry> entries, bool force)
    {
        var steps = new List<PlannedEntry>();
        var conflicts = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var segments = ConfigPathRules.SplitEntryName(entry.Name);
            var fs = KnownType(entry);
            if (!seen.Add(entry.Name))
                throw new BackupToolsException(BackupErrorKind.Corrupt, $"The backup lists the configuration entry '{entry.Name}' twice; the restore is refused.", entry.Name);
            if (fs.IsSymlink && !ConfigPathRules.LinkStaysInside(entry.Name, fs.LinkTarget ?? ""))
                throw new BackupToolsException(BackupErrorKind.PermissionDenied,
                    $"The backup's symbolic link '{entry.Name}' points to '{fs.LinkTarget}', outside the destination folder; the restore is refused " +
                    "(leave it out with -Path, or re-create that link by hand).", entry.Name);
            var target = TargetPath(root, segments);
            CheckNoLinkOnTheWay(root, segments, entry.Name);
            var action = Decide(fs, target, Probe(target), force);
            if (action is null) conflicts.Add(target);
            else steps.Add(new PlannedEntry(entry, fs, target, action.Value));
        }
        if (conflicts.Count > 0)
        {
            var named = string.Join(", ", conflicts.Take(NamedConflicts).Select(c => $"'{c}'"));
            var more = conflicts.Count > NamedConflicts ? $" and {conflicts.Count - NamedConflicts} more" : "";
            throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                $"The configuration restore would overwrite {named}{more}; nothing was written. Give -Force to replace them.", conflicts[0]);
        }
        return steps;
    }

    /// <summary>The absolute path of an entry under the destination.</summary>
    public static string TargetPath(string root, string[] segments) => Path.Combine([root, .. segments]);

    /// <summary>
    /// Throws <see cref="BackupErrorKind.PermissionDenied"/> when a folder between the destination and the entry is a
    /// symbolic link at the destination (writing there would follow it, perhaps out of the destination).
    /// </summary>
    public static void CheckNoLinkOnTheWay(string root, string[] segments, string entryName)
    {
        var path = root;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            path = Path.Combine(path, segments[i]);
            if (new FileInfo(path).LinkTarget is not null)
                throw new BackupToolsException(BackupErrorKind.PermissionDenied,
                    $"'{path}' at the destination is a symbolic link; restoring '{entryName}' would write through it, so the restore is refused.", path);
        }
    }

    /// <summary>The entry's file-system metadata; Corrupt when it has none or an unknown type.</summary>
    private static FileSystemMetadata KnownType(FileEntry entry) => entry.Fs is { IsFile: true } or { IsDirectory: true } or { IsSymlink: true }
        ? entry.Fs
        : throw new BackupToolsException(BackupErrorKind.Corrupt,
            $"The backup's configuration entry '{entry.Name}' has no known file type ({entry.Fs?.Type ?? "none"}); the restore is refused.", entry.Name);

    /// <summary>What to do with an entry given what is at its place; null when that is a conflict.</summary>
    private static PlannedAction? Decide(FileSystemMetadata fs, string target, Existing existing, bool force)
    {
        switch (existing)
        {
            case Existing.None:
                return PlannedAction.Create;
            case Existing.Directory when fs.IsDirectory:
                return PlannedAction.Merge;
            case Existing.Directory:
                throw new BackupToolsException(BackupErrorKind.InvalidOperation,
                    $"'{target}' is a folder at the destination and the backup holds a {fs.Type} there; remove the folder first.", target);
            default:
                return force ? PlannedAction.Replace : null;
        }
    }

    /// <summary>What is at <paramref name="path"/>, not following a final link.</summary>
    private static Existing Probe(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null) return Existing.Link;
        if (Directory.Exists(path)) return Existing.Directory;
        return file.Exists ? Existing.File : Existing.None;
    }
}

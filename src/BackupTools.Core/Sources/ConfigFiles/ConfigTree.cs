using BackupTools.Core.Repository;

namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>One file-system object found under a configuration path.</summary>
/// <param name="SourcePath">Its absolute path on this machine.</param>
/// <param name="Name">Its entry name: the root's name, then the relative path, '/'-separated.</param>
/// <param name="Metadata">Type, mode, modification time and link target.</param>
/// <param name="Size">Its size in bytes when scanned (0 for folders and links).</param>
public sealed record ConfigItem(string SourcePath, string Name, FileSystemMetadata Metadata, long Size);

/// <summary>
/// The configuration paths of a backup, scanned before anything is written: every given path must exist, each gets
/// a root name (its leaf name, made unique: "api", "api-2"), and folders are walked in name order without following
/// symbolic links (a link is recorded as a link, whatever it points at). A given path is taken literally too: a link
/// given on the command line is recorded as that link.
/// </summary>
public sealed class ConfigTree
{
    private ConfigTree(IReadOnlyDictionary<string, string> roots, IReadOnlyList<ConfigItem> items, IReadOnlyList<string> skipped)
    {
        Roots = roots;
        Items = items;
        Skipped = skipped;
    }

    /// <summary>Root name → the absolute path it stands for, in the order given.</summary>
    public IReadOnlyDictionary<string, string> Roots { get; }

    /// <summary>Every object found, each folder before what it holds.</summary>
    public IReadOnlyList<ConfigItem> Items { get; }

    /// <summary>
    /// Named pipes, sockets and devices found (left out, one line each: "path (named pipe)"). Opening a named pipe
    /// would block the backup until some other program writes to it, and none of them holds configuration.
    /// </summary>
    public IReadOnlyList<string> Skipped { get; }

    /// <summary>The bytes of every regular file, as scanned.</summary>
    public long TotalBytes => Items.Sum(i => i.Size);

    /// <summary>
    /// Scans <paramref name="paths"/>. A missing path is <see cref="BackupErrorKind.NotFound"/>; a folder that cannot be
    /// listed or a file that cannot be opened is <see cref="BackupErrorKind.PermissionDenied"/>; each names the path.
    /// </summary>
    public static ConfigTree Scan(IReadOnlyList<string> paths)
    {
        var roots = new Dictionary<string, string>(StringComparer.Ordinal);
        var items = new List<ConfigItem>();
        var skipped = new List<string>();
        foreach (var given in paths)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(given));
            var info = Open(full);
            var root = UniqueRootName(roots, Path.GetFileName(full));
            roots[root] = full;
            Add(info, root, items, skipped);
        }
        return new ConfigTree(roots, items, skipped);
    }

    /// <summary>The object at <paramref name="path"/> as a FileInfo or DirectoryInfo, not following a final link.</summary>
    private static FileSystemInfo Open(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is not null) return file;
        if (Directory.Exists(path)) return new DirectoryInfo(path);
        if (file.Exists) return file;
        throw new BackupToolsException(BackupErrorKind.NotFound, $"The configuration path '{path}' does not exist.", path);
    }

    /// <summary>The leaf name ("root" for a file-system root), with "-2", "-3"… added until no other root has it.</summary>
    private static string UniqueRootName(Dictionary<string, string> taken, string leaf)
    {
        if (leaf.Length == 0) leaf = "root";
        var name = leaf;
        for (var n = 2; taken.ContainsKey(name); n++) name = $"{leaf}-{n}";
        return name;
    }

    private static void Add(FileSystemInfo info, string name, List<ConfigItem> items, List<string> skipped)
    {
        var metadata = new FileSystemMetadata { Modified = info.LastWriteTimeUtc };
        if (info.LinkTarget is { } target)
        {
            metadata.Type = FileSystemMetadata.SymlinkType;
            metadata.LinkTarget = target;
            items.Add(new ConfigItem(info.FullName, name, metadata, 0));
            return;
        }
        if (!OperatingSystem.IsWindows()) metadata.Mode = FileSystemMetadata.FormatMode(info.UnixFileMode);
        if (info is DirectoryInfo folder)
        {
            metadata.Type = FileSystemMetadata.DirectoryType;
            items.Add(new ConfigItem(info.FullName, name, metadata, 0));
            foreach (var child in List(folder)) Add(child, name + "/" + child.Name, items, skipped);
            return;
        }
        if (SpecialFile.KindOf(info.FullName) is { } kind)
        {
            skipped.Add($"{info.FullName} ({kind})");
            return;
        }
        ProbeReadable(info.FullName);
        items.Add(new ConfigItem(info.FullName, name, metadata, ((FileInfo)info).Length));
    }

    private static IEnumerable<FileSystemInfo> List(DirectoryInfo folder)
    {
        try
        {
            return folder.EnumerateFileSystemInfos().OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        }
        catch (UnauthorizedAccessException e)
        {
            throw Denied(folder.FullName, e);
        }
    }

    /// <summary>Opens and closes a file, so an unreadable one fails the backup before any source is read.</summary>
    private static void ProbeReadable(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Denied(path, e);
        }
    }

    /// <summary>Opens a scanned file for reading; an unreadable one is <see cref="BackupErrorKind.PermissionDenied"/> naming it.</summary>
    internal static FileStream OpenRead(ConfigItem item)
    {
        try
        {
            return new FileStream(item.SourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Denied(item.SourcePath, e);
        }
        catch (FileNotFoundException e)
        {
            throw new BackupToolsException(BackupErrorKind.NotFound, $"The configuration file '{item.SourcePath}' disappeared during the backup.", item.SourcePath, e);
        }
    }

    private static BackupToolsException Denied(string path, Exception inner) =>
        new(BackupErrorKind.PermissionDenied, $"The configuration path '{path}' cannot be read: permission denied.", path, inner);
}

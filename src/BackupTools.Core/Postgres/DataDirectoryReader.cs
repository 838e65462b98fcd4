using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using BackupTools.Core.Wal;

namespace BackupTools.Core.Postgres;

/// <summary>What a data directory entry is.</summary>
public enum DataFileKind
{
    /// <summary>A regular file (copied).</summary>
    File,
    /// <summary>A directory (kept, even when its contents are excluded).</summary>
    Directory,
    /// <summary>A symbolic link other than pg_wal (kept as a link).</summary>
    SymbolicLink,
}

/// <summary>One entry of a data directory as listed for a base backup: path relative to the data directory with '/' separators.</summary>
public sealed record DataFile(string Path, DataFileKind Kind, long Size, DateTimeOffset Modified, UnixFileMode Mode, string? LinkTarget = null);

/// <summary>
/// A PostgreSQL data directory read directly from this machine (the way pgBackRest reads it): proves it belongs to the
/// connected cluster, lists what a base backup copies with pg_basebackup's exclusions, and splits the files into
/// parts of similar size for parallel streams.
/// </summary>
public sealed partial class DataDirectoryReader
{
    /// <summary>Directories whose contents a base backup leaves out (the directory itself is kept).</summary>
    private static readonly HashSet<string> ExcludedContents = new(StringComparer.Ordinal)
    {
        "pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans",
    };

    /// <summary>Files a base backup leaves out wherever they are (pg_basebackup's excludeFiles).</summary>
    private static readonly HashSet<string> ExcludedFiles = new(StringComparer.Ordinal)
    {
        "postmaster.pid", "postmaster.opts", "postgresql.auto.conf.tmp", "current_logfiles.tmp", "pg_internal.init",
        "backup_label", "backup_label.old", "tablespace_map", "tablespace_map.old", "backup_manifest",
    };

    private DataDirectoryReader(string root) => Root = root;

    /// <summary>The data directory (absolute).</summary>
    public string Root { get; }

    /// <summary>
    /// The data directory <paramref name="dataDirectory"/> when this process can read it and it is the connected
    /// cluster's: global/pg_control holds <paramref name="systemIdentifier"/> and the checkpoint <paramref name="checkpointLsn"/>
    /// the server reports (a standby cloned from it has the same identifier but its own checkpoints). Null with the
    /// reason otherwise (then the base backup streams through pg_basebackup).
    /// </summary>
    public static DataDirectoryReader? TryOpen(string dataDirectory, string systemIdentifier, Lsn checkpointLsn, out string reason)
    {
        var control = Path.Combine(dataDirectory, "global", "pg_control");
        var header = new byte[40];
        try
        {
            using var stream = new FileStream(control, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.ReadExactly(header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = $"{control} is not readable here ({e.Message})";
            return null;
        }
        var (identifier, checkpoint) = ReadControl(header);
        if (identifier.ToString(CultureInfo.InvariantCulture) != systemIdentifier || checkpoint != checkpointLsn)
        {
            reason = $"{control} belongs to another cluster (system identifier {identifier}, checkpoint {checkpoint}; the server reports {systemIdentifier}, {checkpointLsn})";
            return null;
        }
        if (Directory.Exists(Path.Combine(dataDirectory, "pg_tblspc")) && Directory.EnumerateFileSystemEntries(Path.Combine(dataDirectory, "pg_tblspc")).Any())
        {
            reason = "the cluster has tablespaces outside the data directory";
            return null;
        }
        reason = "";
        return new DataDirectoryReader(Path.GetFullPath(dataDirectory));
    }

    /// <summary>The system identifier (offset 0) and latest checkpoint location (offset 32) of a pg_control file's first 40 bytes.</summary>
    internal static (ulong SystemIdentifier, Lsn Checkpoint) ReadControl(ReadOnlySpan<byte> header)
        => (BinaryPrimitives.ReadUInt64LittleEndian(header), new Lsn(BinaryPrimitives.ReadUInt64LittleEndian(header[32..])));

    /// <summary>
    /// Everything a base backup copies, directories first, then files in path order: pg_basebackup's exclusions
    /// (server runtime files, the contents of pg_wal, pg_replslot and the other transient directories, temporary files
    /// and relations, the main forks of unlogged relations). An entry that vanishes while listing is left out.
    /// </summary>
    public IReadOnlyList<DataFile> List()
    {
        var entries = new List<DataFile>();
        Walk(new DirectoryInfo(Root), "", entries);
        return entries.OrderBy(e => e.Kind != DataFileKind.Directory).ThenBy(e => e.Path, StringComparer.Ordinal).ToList();
    }

    private static void Walk(DirectoryInfo directory, string prefix, List<DataFile> entries)
    {
        FileSystemInfo[] children;
        try { children = directory.GetFileSystemInfos(); }
        catch (DirectoryNotFoundException) { return; }
        var isDatabaseDirectory = prefix.StartsWith("base/", StringComparison.Ordinal) && prefix.Count(c => c == '/') == 1;
        var unlogged = isDatabaseDirectory ? UnloggedRelations(children) : null;
        foreach (var child in children)
        {
            var path = prefix.Length == 0 ? child.Name : prefix + "/" + child.Name;
            if (ExcludedFiles.Contains(child.Name) || child.Name.StartsWith("pgsql_tmp", StringComparison.Ordinal)) continue;
            if (isDatabaseDirectory && (TempRelationRegex().IsMatch(child.Name) || IsUnloggedFork(child.Name, unlogged!))) continue;
            try
            {
                if (child.LinkTarget is { } target && path != "pg_wal")
                    entries.Add(new DataFile(path, DataFileKind.SymbolicLink, 0, child.LastWriteTimeUtc, ModeOf(child), target));
                else if (child is DirectoryInfo || (child.Attributes & FileAttributes.Directory) != 0)
                {
                    entries.Add(new DataFile(path, DataFileKind.Directory, 0, child.LastWriteTimeUtc, ModeOf(child)));
                    if (!(prefix.Length == 0 && ExcludedContents.Contains(child.Name)))
                        Walk(new DirectoryInfo(child.FullName), path, entries);
                    else if (child.Name == "pg_wal")
                        entries.Add(new DataFile("pg_wal/archive_status", DataFileKind.Directory, 0, child.LastWriteTimeUtc, ModeOf(child)));
                }
                else if (child is FileInfo file)
                    entries.Add(new DataFile(path, DataFileKind.File, file.Length, file.LastWriteTimeUtc, ModeOf(file)));
            }
            catch (FileNotFoundException)
            {
                // removed while listing (a dropped relation): WAL replay does not need it
            }
        }
    }

    private static UnixFileMode ModeOf(FileSystemInfo info) => OperatingSystem.IsWindows() ? UnixFileMode.UserRead | UnixFileMode.UserWrite : info.UnixFileMode;

    /// <summary>Relfilenodes with an init fork ("16384_init"): unlogged relations, whose other forks are reset at recovery.</summary>
    private static HashSet<string> UnloggedRelations(FileSystemInfo[] children)
        => children.Select(c => c.Name).Where(n => n.EndsWith("_init", StringComparison.Ordinal)).Select(n => n[..^5]).ToHashSet(StringComparer.Ordinal);

    /// <summary>"16384", "16384.1", "16384_fsm", "16384_vm" of an unlogged relation; never its "_init" fork.</summary>
    private static bool IsUnloggedFork(string name, HashSet<string> unlogged)
    {
        if (unlogged.Count == 0 || name.EndsWith("_init", StringComparison.Ordinal)) return false;
        var end = name.IndexOfAny(['.', '_']);
        return unlogged.Contains(end < 0 ? name : name[..end]);
    }

    /// <summary>
    /// Splits the entries into at most <paramref name="parts"/> lists of similar byte size (largest file first to the
    /// lightest part); directories and links go to the first part, ahead of its files. Each part keeps path order, and
    /// global/pg_control comes last in its part (as pg_basebackup sends it last).
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<DataFile>> Split(IReadOnlyList<DataFile> entries, int parts)
    {
        var files = entries.Where(e => e.Kind == DataFileKind.File).OrderByDescending(e => e.Size).ToList();
        var count = Math.Max(1, Math.Min(parts, files.Count));
        var lists = Enumerable.Range(0, count).Select(_ => new List<DataFile>()).ToArray();
        var sizes = new long[count];
        foreach (var file in files)
        {
            var lightest = Array.IndexOf(sizes, sizes.Min());
            lists[lightest].Add(file);
            sizes[lightest] += file.Size;
        }
        var others = entries.Where(e => e.Kind != DataFileKind.File).OrderBy(e => e.Kind).ThenBy(e => e.Path, StringComparer.Ordinal);
        return lists.Select((list, i) => (IReadOnlyList<DataFile>)(i == 0 ? others : Enumerable.Empty<DataFile>())
            .Concat(list.OrderBy(f => f.Path == "global/pg_control").ThenBy(f => f.Path, StringComparer.Ordinal)).ToList()).ToList();
    }

    /// <summary>Temporary relations: t&lt;backend&gt;_&lt;relfilenode&gt;[_fork][.segment].</summary>
    [GeneratedRegex(@"^t\d+_\d+")]
    private static partial Regex TempRelationRegex();
}

using System.Text.Json.Serialization;

namespace BackupTools.Core.Repository;

/// <summary>
/// What a configuration entry records about its file-system object besides its content: the kind of object, its
/// Unix permission bits, its modification time and, for a symbolic link, the link's target text (never followed).
/// The entry's path is <see cref="FileEntry.Name"/>: relative, '/'-separated, starting with its root's name.
/// </summary>
public sealed class FileSystemMetadata
{
    /// <summary>A regular file; its content is the entry's chunks.</summary>
    public const string FileType = "file";
    /// <summary>A folder (recorded so empty folders come back); no content.</summary>
    public const string DirectoryType = "directory";
    /// <summary>A symbolic link; no content, only <see cref="LinkTarget"/>.</summary>
    public const string SymlinkType = "symlink";

    /// <summary>"file", "directory" or "symlink".</summary>
    [JsonPropertyName("type")] public string Type { get; set; } = FileType;

    /// <summary>Unix permission bits as four octal digits (e.g. "0640"); null where unknown (Windows, links).</summary>
    [JsonPropertyName("mode")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Mode { get; set; }

    /// <summary>The object's last modification time (UTC).</summary>
    [JsonPropertyName("modified")] public DateTimeOffset Modified { get; set; }

    /// <summary>For a symbolic link: its target exactly as stored in the link; otherwise null.</summary>
    [JsonPropertyName("linkTarget")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LinkTarget { get; set; }

    /// <summary>True for <see cref="FileType"/>.</summary>
    [JsonIgnore] public bool IsFile => Type == FileType;
    /// <summary>True for <see cref="DirectoryType"/>.</summary>
    [JsonIgnore] public bool IsDirectory => Type == DirectoryType;
    /// <summary>True for <see cref="SymlinkType"/>.</summary>
    [JsonIgnore] public bool IsSymlink => Type == SymlinkType;

    /// <summary>Formats permission bits as four octal digits.</summary>
    public static string FormatMode(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');

    /// <summary>The permission bits of <see cref="Mode"/>, or null when none is recorded or it does not parse.</summary>
    public UnixFileMode? ParseMode()
    {
        if (string.IsNullOrEmpty(Mode) || Mode.Length > 4 || Mode.Any(c => c is < '0' or > '7')) return null;
        return (UnixFileMode)Convert.ToInt32(Mode, 8);
    }
}

namespace BackupTools.Core.Sources.ConfigFiles;

/// <summary>
/// The pure rules that keep a configuration restore inside its destination folder: which entry names are safe to
/// join under it, and which symbolic-link targets stay inside it. No file-system access.
/// </summary>
public static class ConfigPathRules
{
    /// <summary>
    /// Splits an entry name ("root/sub/file") into its segments. Throws <see cref="BackupErrorKind.Corrupt"/> naming the
    /// entry when it could land outside the destination: empty, absolute (leading '/' or '\', a drive letter), a NUL,
    /// an empty, "." or ".." segment, or (on Windows) a '\' or ':' inside a segment.
    /// </summary>
    public static string[] SplitEntryName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\0') || name[0] is '/' or '\\' || Path.IsPathRooted(name))
            throw Unsafe(name, "it is empty or absolute");
        var segments = name.Split('/');
        foreach (var segment in segments)
        {
            if (segment is "" or "." or "..")
                throw Unsafe(name, $"it holds a '{segment}' segment");
            if (OperatingSystem.IsWindows() && segment.IndexOfAny(['\\', ':']) >= 0)
                throw Unsafe(name, "it holds a '\\' or ':'");
        }
        return segments;
    }

    /// <summary>
    /// True when a link at <paramref name="linkName"/> (an entry name) whose target text is <paramref name="target"/>
    /// resolves inside the destination. Accepted: a relative target made of leading ".." segments (no more than the
    /// link's folder depth) followed by plain names ("." and empty segments ignored). Refused: absolute targets, too
    /// many "..", and ".." after a name ("a/../b"), since a name may itself be a link and make ".." climb elsewhere.
    /// </summary>
    public static bool LinkStaysInside(string linkName, string target)
    {
        if (string.IsNullOrEmpty(target) || target.Contains('\0') || target[0] is '/' or '\\' || Path.IsPathRooted(target))
            return false;
        var depth = linkName.Split('/').Length - 1; // folders between the destination and the link
        var climbs = 0;
        var named = false;
        foreach (var segment in target.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (OperatingSystem.IsWindows() && segment.IndexOfAny(['\\', ':']) >= 0) return false;
            if (segment == "..")
            {
                if (named || ++climbs > depth) return false;
            }
            else
            {
                named = true;
            }
        }
        return true;
    }

    private static BackupToolsException Unsafe(string name, string why) => new(BackupErrorKind.Corrupt,
        $"The backup names the configuration entry '{name}', which could land outside the destination folder ({why}); the restore is refused.", name);
}

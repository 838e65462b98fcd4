namespace BackupTools.Core;

/// <summary>Files only their owner may read or write (mode 0600 from the moment they exist on Unix): spools, tables of contents, settings.</summary>
internal static class PrivateFile
{
    /// <summary>Options to create (per <paramref name="mode"/>) and write such a file.</summary>
    public static FileStreamOptions ForWriting(FileMode mode, FileOptions options = FileOptions.None)
    {
        var result = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Options = options };
        if (!OperatingSystem.IsWindows()) result.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return result;
    }
}

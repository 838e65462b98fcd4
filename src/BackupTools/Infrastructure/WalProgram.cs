namespace BackupTools.Infrastructure;

/// <summary>Where the module ships the WAL program (bin/backuptools-wal beside BackupTools.dll).</summary>
internal static class WalProgram
{
    /// <summary>The full path of the WAL program in the module folder.</summary>
    public static string DefaultPath => Path.Combine(Path.GetDirectoryName(typeof(WalProgram).Assembly.Location)!, "bin",
        OperatingSystem.IsWindows() ? "backuptools-wal.exe" : "backuptools-wal");
}

namespace BackupTools.Core.Postgres;

/// <summary>
/// The archive_command and restore_command strings that call the WAL program. PostgreSQL runs them with /bin/sh,
/// so every path is single-quoted for the shell; the config file travels in BACKUPTOOLS_WAL_CONFIG, never as an
/// argument of the program. <see cref="ConfigValue"/> quotes a whole command for postgresql.conf.
/// </summary>
public static class ArchiveCommand
{
    /// <summary>'… push "%p" "%f"' for archive_command.</summary>
    public static string Push(string walProgram, string configFile) => Build(walProgram, configFile, "push \"%p\" \"%f\"");

    /// <summary>'… fetch "%f" "%p"' for restore_command.</summary>
    public static string Fetch(string walProgram, string configFile) => Build(walProgram, configFile, "fetch \"%f\" \"%p\"");

    /// <summary>
    /// NotFound naming the path when the WAL program is missing; otherwise makes sure everyone may execute it (a module
    /// installed from a .nupkg loses the execute bit, and PostgreSQL runs it as its own OS user).
    /// </summary>
    public static void EnsureRunnable(string walProgram)
    {
        if (!File.Exists(walProgram))
            throw new BackupToolsException(BackupErrorKind.NotFound, $"The WAL program {walProgram} does not exist: rebuild or reinstall the module.", walProgram);
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(walProgram);
        if ((mode & execute) == execute) return;
        try { File.SetUnixFileMode(walProgram, mode | execute | UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead); }
        catch (UnauthorizedAccessException e)
        {
            throw new BackupToolsException(BackupErrorKind.PermissionDenied, $"The WAL program {walProgram} is not executable for every user: chmod a+rx it.", walProgram, e);
        }
    }

    /// <summary>A value quoted for postgresql.conf / postgresql.auto.conf ('…' with ' doubled and \ escaped).</summary>
    public static string ConfigValue(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "''") + "'";

    /// <summary>A string literal for SQL with standard_conforming_strings (' doubled).</summary>
    public static string SqlLiteral(string value) => "'" + value.Replace("'", "''") + "'";

    /// <summary>A word quoted for /bin/sh: '…' with each ' written as '\''.</summary>
    public static string ShellQuote(string word) => "'" + word.Replace("'", "'\\''") + "'";

    private static string Build(string walProgram, string configFile, string arguments)
    {
        foreach (var path in new[] { walProgram, configFile })
        {
            if (path.Contains('%') || path.Any(char.IsControl))
                throw new BackupToolsException(BackupErrorKind.InvalidArgument,
                    $"The path '{path}' cannot go into an archive or restore command (it holds '%' or a control character).", path);
        }
        return $"{WalConfigAssignment(configFile)} {ShellQuote(walProgram)} {arguments}";
    }

    private static string WalConfigAssignment(string configFile) => $"{Wal.WalArchiveConfig.EnvironmentVariable}={ShellQuote(configFile)}";
}
